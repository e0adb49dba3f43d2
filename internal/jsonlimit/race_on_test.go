//go:build race

package jsonlimit

// raceEnabled: the race detector slows code and changes what it allocates.
const raceEnabled = true
