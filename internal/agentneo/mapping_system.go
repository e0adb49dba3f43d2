package agentneo

import (
	"strings"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

func (m *mapper) systemInfo(r row) *ingest.SystemInfo {
	si := &ingest.SystemInfo{
		OsName:        m.short(r, "os_name"),
		OsVersion:     m.short(r, "os_version"),
		PythonVersion: m.short(r, "python_version"),
		CPUInfo:       m.short(r, "cpu_info"),
		MemoryTotal:   float(r.get("memory_total")),
	}

	var gpus []any
	present, ok := decodeInto(r.get("gpu_info"), &gpus)
	if !ok {
		var one map[string]any
		if p, ok1 := decodeInto(r.get("gpu_info"), &one); p && ok1 {
			gpus, ok = []any{one}, true
		}
	}
	switch {
	case !ok:
		m.warn("json", "system_info %d: unreadable gpu_info %q; left empty", r.id(), text(r.get("gpu_info")))
	case present:
		si.GPUs = make([]db.GPU, 0, len(gpus))
		for _, g := range gpus {
			obj, isObj := g.(map[string]any)
			if !isObj {
				continue
			}
			gpu := db.GPU{Name: clip(strings.TrimSpace(jsonText(obj["name"])))}
			if gpu.Name == "" {
				gpu.Name = "unknown"
			}
			if f, ok := firstNumber(obj, "memory_total", "memory", "memoryTotal"); ok {
				gpu.Memory = &f // MB, as GPUtil reports it
			}
			si.GPUs = append(si.GPUs, gpu)
		}
	}

	var disk map[string]any
	if present, ok := decodeInto(r.get("disk_info"), &disk); !ok {
		m.warn("json", "system_info %d: unreadable disk_info %q; left empty", r.id(), text(r.get("disk_info")))
	} else if present {
		d := &db.Disk{}
		if f, ok := firstNumber(disk, "total"); ok {
			d.Total = &f
		}
		if f, ok := firstNumber(disk, "available", "free"); ok {
			d.Available = &f
		}
		si.Disk = d
	}

	si.InstalledPackages = m.packages(r)
	return si
}

// packages reads installed_packages: a JSON object of name to version, or
// (tolerated) a list of "name==version" strings or {name, version} objects.
func (m *mapper) packages(r row) map[string]string {
	var doc any
	present, ok := decodeInto(r.get("installed_packages"), &doc)
	if !ok {
		m.warn("json", "system_info %d: unreadable installed_packages; left empty", r.id())
		return nil
	}
	if !present {
		return nil
	}
	out := map[string]string{}
	switch x := doc.(type) {
	case map[string]any:
		for name, v := range x {
			out[name] = jsonText(v)
		}
	case string:
		// pip freeze output: one "name==version" a line.
		for _, line := range strings.Split(x, "\n") {
			name, version, _ := strings.Cut(line, "==")
			out[name] = version
		}
	case []any:
		for _, item := range x {
			switch it := item.(type) {
			case string:
				name, version, _ := strings.Cut(it, "==")
				out[strings.TrimSpace(name)] = strings.TrimSpace(version)
			case map[string]any:
				out[jsonText(it["name"])] = jsonText(it["version"])
			}
		}
	default:
		m.warn("json", "system_info %d: installed_packages is not an object; left empty", r.id())
		return nil
	}
	clean := make(map[string]string, len(out))
	for name, version := range out {
		name = clip(strings.TrimSpace(name))
		if name != "" {
			clean[name] = clip(strings.TrimSpace(version))
		}
	}
	return clean
}
