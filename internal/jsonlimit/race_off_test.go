//go:build !race

package jsonlimit

const raceEnabled = false
