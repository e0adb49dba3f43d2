package otlp

import (
	"strings"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// resource is one ResourceSpans' attributes and the machine they describe.
type resource struct {
	attrs attrs
	sys   *ingest.SystemInfo
}

// systemInfo reads the machine a resource describes, or nil when it says nothing.
func systemInfo(a attrs) *ingest.SystemInfo {
	si := &ingest.SystemInfo{
		OsName:    a.strPtr("os.name", "os.type"),
		OsVersion: a.strPtr("os.version", "os.description"),
	}
	name, version := str(a, "process.runtime.name"), str(a, "process.runtime.version")
	switch n := strings.ToLower(name); {
	case version != "" && (n == "cpython" || n == "python"):
		si.PythonVersion = &version
	case name != "" || version != "":
		v := strings.TrimSpace(name + " " + version)
		si.PythonVersion = &v
	}
	model, arch := str(a, "host.cpu.model.name"), str(a, "host.arch")
	switch {
	case model != "" && arch != "":
		v := model + " (" + arch + ")"
		si.CPUInfo = &v
	case model != "":
		si.CPUInfo = &model
	case arch != "":
		si.CPUInfo = &arch
	}
	if si.OsName == nil && si.OsVersion == nil && si.PythonVersion == nil && si.CPUInfo == nil {
		return nil
	}
	return si
}
