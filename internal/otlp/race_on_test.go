//go:build race

package otlp_test

// raceEnabled: the race detector slows code several times, so time bounds do not hold.
const raceEnabled = true
