package main

import "runtime/debug"

// defaultGCPercent is the collector's target when GOGC is not set. Big
// answers (a page of traces with their calls is ~300 KB, built from many
// small values) made the default 100 spend a tenth of the CPU collecting;
// at 200 the heap of the benchmark's heaviest read stays under 100 MiB.
const defaultGCPercent = 200

// tuneGC applies defaultGCPercent unless the operator chose GOGC.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
