package demo

import (
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// machine is the computer a project's traces run on.
type machine struct {
	osName, osVersion, python, cpu string
	gpu, gpus                      int // index into gpuChoices, and how many
	memory, disk                   float64
	freeTenths                     int   // available disk space, tenths of GB
	packages                       []int // indices into packageChoices
	upgradeAt                      int   // trace index from which newer packages are installed
}

// newMachine picks the machine of the current project.
func (g *gen) newMachine() machine {
	osc := osChoices[g.r.IntN(len(osChoices))]
	m := machine{
		osName:    osc.name,
		osVersion: osc.version,
		python:    pick(g.r, pythonVersions),
		cpu:       pick(g.r, cpus),
		memory:    memoryChoices[g.r.IntN(len(memoryChoices))],
		disk:      diskChoices[g.r.IntN(len(diskChoices))],
		upgradeAt: g.s.TracesPerProject + 1,
	}
	if osc.name == "Darwin" {
		m.cpu = "Apple M2 Pro"
	}
	if osc.name == "Linux" && g.r.IntN(2) == 0 {
		m.gpu, m.gpus = g.r.IntN(len(gpuChoices)), between(g.r, 1, 2)
	}
	m.freeTenths = int(m.disk*10) * between(g.r, 20, 80) / 100
	m.packages = []int{0}
	for i := 1; i < len(packageChoices); i++ {
		if g.r.IntN(3) != 0 {
			m.packages = append(m.packages, i)
		}
	}
	if g.r.IntN(2) == 0 {
		m.upgradeAt = g.s.TracesPerProject * 2 / 3
	}
	return m
}

// systemInfo is a fresh record of the project's machine for trace i.
func (g *gen) systemInfo(i int) *ingest.SystemInfo {
	m := &g.machine
	si := &ingest.SystemInfo{
		OsName:        ptr(m.osName),
		OsVersion:     ptr(m.osVersion),
		PythonVersion: ptr(m.python),
		CPUInfo:       ptr(m.cpu),
		MemoryTotal:   ptr(m.memory),
		Disk: &db.Disk{
			Total:     ptr(m.disk),
			Available: ptr(float64(max(m.freeTenths-g.r.IntN(40), 1)) / 10),
		},
	}
	if m.gpus > 0 {
		gpus := make([]db.GPU, m.gpus)
		for j := range gpus {
			gpus[j] = db.GPU{Name: gpuChoices[m.gpu].name, Memory: ptr(gpuChoices[m.gpu].memory)}
		}
		si.GPUs = gpus
	}
	pkgs := make(map[string]string, len(m.packages))
	for _, p := range m.packages {
		version := packageChoices[p].old
		if i >= m.upgradeAt {
			version = packageChoices[p].new
		}
		pkgs[packageChoices[p].name] = version
	}
	si.InstalledPackages = pkgs
	return si
}
