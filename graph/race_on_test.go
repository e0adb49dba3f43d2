//go:build race

package graph_test

// raceEnabled: the race detector slows code several times, so time bounds do not hold.
const raceEnabled = true
