package db

import "math"

// Integer rollups (token totals) saturate at the 64-bit range instead of
// failing or changing type, whatever the rows hold: PostgreSQL's bigint +
// raises on overflow and its sum(bigint) is numeric; SQLite's + turns REAL
// and its sum() raises "integer overflow". The builders below are the one
// expression of each dialect; the Go functions do the same for totals
// computed before they are written.

// addTotal renders total + delta as a 64-bit integer within [0, MaxInt64].
func (d *DB) addTotal(total, delta string) string { return d.dialect.addTotal(total, delta) }

// sumInt renders SUM(expr) of an integer expression as a 64-bit integer,
// saturated at the ends of the range; NULL for no rows, as SUM. On SQLite
// the sum is taken in REAL, exact up to 2^53.
func (d *DB) sumInt(expr string) string { return d.dialect.sumInt(expr) }

// sumOf renders the SUM of an aggregate read as a float: on SQLite in REAL,
// which never raises on overflow (PostgreSQL sums integers in numeric).
func (d *DB) sumOf(expr string) string { return d.dialect.sumOf(expr) }

// addTotalGo is addTotal in Go.
func addTotalGo(total, delta int64) int64 {
	s := total + delta
	switch {
	case delta > 0 && s < total:
		return math.MaxInt64
	case delta < 0 && s > total, s < 0:
		return 0
	}
	return s
}

// saturate converts a sum read as a float to an integer, saturated at the
// ends of the 64-bit range (a plain conversion is undefined beyond it).
func saturate(f float64) int64 {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	case math.IsNaN(f):
		return 0
	}
	return int64(f)
}

// addDelta adds two changes of a total, saturated at the ends of the
// 64-bit range.
func addDelta(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}
