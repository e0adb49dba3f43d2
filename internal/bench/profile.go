package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
)

// startProfiles starts the CPU profile of workload name, if asked, and
// returns what stops it and writes the heap profile. The heap profile is
// written at the end, with a base written at the start: compare them with
// go tool pprof -sample_index=alloc_space -diff_base BASE FILE.
func (r *run) startProfiles(name string) (func() error, error) {
	if !slices.Contains(r.cfg.Profile, name) {
		return func() error { return nil }, nil
	}
	var cpu *os.File
	if r.cfg.CPUProfile != "" {
		f, err := os.Create(profileName(r.cfg.CPUProfile, name, ""))
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return nil, err
		}
		cpu = f
	}
	if r.cfg.MemProfile != "" {
		if err := writeHeap(profileName(r.cfg.MemProfile, name, ".base")); err != nil {
			return nil, err
		}
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
			fmt.Fprintf(r.out, "  CPU profile of %s: %s\n", name, cpu.Name())
		}
		if r.cfg.MemProfile != "" {
			file := profileName(r.cfg.MemProfile, name, "")
			if err := writeHeap(file); err != nil {
				return err
			}
			fmt.Fprintf(r.out, "  heap profile of %s: %s (base: %s)\n", name, file, profileName(r.cfg.MemProfile, name, ".base"))
		}
		return nil
	}, nil
}

// profileName puts the workload (and suffix) before the extension:
// cpu.pprof -> cpu.b.pprof.
func profileName(file, workload, suffix string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "." + workload + suffix + ext
}

func writeHeap(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
