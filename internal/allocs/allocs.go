// Package allocs measures what code allocates, for tests that hold work
// (decoding, refusing hostile input) to a bound in bytes and time.
package allocs

import (
	"runtime"
	"testing"
	"time"
)

// Of is what f allocates, all of it, garbage included, measured cold: the
// collector runs twice first, so sync.Pools are empty and decoders start
// from nothing.
func Of(f func() any) uint64 {
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v := f()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return after.TotalAlloc - before.TotalAlloc
}

// Cheap runs send and fails t if it takes over a second (not checked under
// the race detector, which slows code several times) or allocates, in this
// whole process, more than perByte times size bytes.
func Cheap(t testing.TB, size, perByte int, send func()) {
	t.Helper()
	start := time.Now()
	n := Of(func() any { send(); return nil })
	if took := time.Since(start); took > time.Second && !raceEnabled {
		t.Errorf("took %s", took)
	}
	if n > uint64(perByte)*uint64(size) {
		t.Errorf("allocated %d bytes for a %d-byte body", n, size)
	}
}
