package db

import "sort"

// SystemInfo is a row of system_info: the machine a trace ran on. A project
// has one per trace; the project's current one is its most recent.
type SystemInfo struct {
	ID                int64
	ProjectID         int64
	TraceID           int64
	OsName            *string
	OsVersion         *string
	PythonVersion     *string
	CPUInfo           *string                 `gorm:"column:cpu_info"`
	GPUInfo           JSON[[]GPU]             `gorm:"column:gpu_info"`
	DiskInfo          JSON[*Disk]             `gorm:"column:disk_info"`
	MemoryTotal       *float64                // GB
	InstalledPackages JSON[map[string]string] `gorm:"column:installed_packages"`
}

// TableName keeps AgentNeo's table name.
func (SystemInfo) TableName() string { return "system_info" }

// GPU is one graphics card of a machine.
type GPU struct {
	Name   string   `json:"name"`
	Memory *float64 `json:"memory_total,omitempty"` // total memory, MB (AgentNeo's key)
}

// Disk is the disk space of a machine.
type Disk struct {
	Total     *float64 `json:"total,omitempty"`     // GB
	Available *float64 `json:"available,omitempty"` // GB
}

// Package is an installed software package and its version.
type Package struct {
	Name    string
	Version string
}

// GPUs returns the recorded graphics cards, nil when none were recorded.
func (s *SystemInfo) GPUs() []GPU {
	if !s.GPUInfo.Valid {
		return nil
	}
	return s.GPUInfo.V
}

// Disk returns the recorded disk space, nil when none was recorded.
func (s *SystemInfo) Disk() *Disk { return s.DiskInfo.V }

// Packages returns the installed packages sorted by name.
func (s *SystemInfo) Packages() []Package {
	out := make([]Package, 0, len(s.InstalledPackages.V))
	for name, version := range s.InstalledPackages.V {
		out = append(out, Package{Name: name, Version: version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SystemInfoOrder picks a project's most recent system info first.
var SystemInfoOrder = Order{column: "id", Desc: true}
