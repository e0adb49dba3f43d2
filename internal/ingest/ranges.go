package ingest

import (
	"fmt"
	"math"
	"time"
)

// The ranges of recorded numbers (README: Recording data, Input ranges).
// Every way data comes in is checked against them, and a value outside is
// refused with INVALID_ARGUMENT naming it: a value that fits its column but
// not its meaning (2^62 tokens) would otherwise poison every rollup above it.
const (
	// MaxTokens bounds each token count of an LLM call.
	MaxTokens = 1_000_000_000
	// MaxCost bounds each amount of a cost, in USD.
	MaxCost = 1_000_000
	// MaxMemoryBytes bounds the magnitude of memoryUsed (1 PiB): a change
	// in memory use, negative when memory was freed (as AgentNeo records it).
	MaxMemoryBytes = 1 << 50
	// MinStatusCode and MaxStatusCode bound the HTTP status of a network call.
	MinStatusCode, MaxStatusCode = 100, 599
	// MaxScore bounds the magnitude of a metric's score.
	MaxScore = 1e12
	// MaxMachineSize bounds the sizes of system info (memory in GB, GPU
	// memory in MB, disk in GB).
	MaxMachineSize = 1e9
)

// Instants are between MinTime and MaxTime, so durations and the time
// arithmetic of both databases stay exact.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// intIn refuses v outside [lo, hi].
func (c *checker) intIn(path string, v, lo, hi int64) {
	if v < lo || v > hi {
		c.fail(path, "must be between %d and %d, got %d", lo, hi, v)
	}
}

// floatIn refuses v when not finite or outside [lo, hi].
func (c *checker) floatIn(path string, v, lo, hi float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.fail(path, "must be a finite number")
	} else if v < lo || v > hi {
		c.fail(path, "must be between %s and %s, got %v", number(lo), number(hi), v)
	}
}

// number spells a bound in messages: 1000000, not 1e+06.
func number(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}
