package ingestapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
)

// The values of fields, decoded as the GraphQL scalars decode them: by
// their own functions in graph/model where they have one. Each reads the
// value next; one that does not fit is recorded (decoder.bad) and skipped.
// A null leaves an optional value nil, and a required one missing.

// scalarError records err, raised by a scalar's function.
func (d *decoder) scalarError(err error) {
	var appErr *apperr.Error
	if errors.As(err, &appErr) {
		d.bad(appErr.Message, false)
		return
	}
	d.bad(err.Error(), false)
}

// text reads a String; it reports false for null or a value that is no string.
func (d *decoder) text(dst *string) bool {
	if d.null() {
		return false
	}
	if d.next() != '"' {
		d.mismatch("a string")
		return false
	}
	*dst = d.str()
	return true
}

// optText reads an optional String.
func (d *decoder) optText(dst **string) {
	var s string
	if d.text(&s) {
		*dst = &s
	} else {
		*dst = nil
	}
}

// dateTime reads a DateTime: an RFC 3339 string, kept in UTC.
func (d *decoder) dateTime(dst *time.Time) bool {
	if d.null() {
		return false
	}
	if d.next() != '"' {
		d.bad("DateTime must be an RFC 3339 string such as 2026-01-05T09:00:00Z, got "+clipJSON(d.skip()), false)
		return false
	}
	t, err := model.UnmarshalDateTime(d.str())
	if err != nil {
		d.scalarError(err)
		return false
	}
	*dst = t
	return true
}

func (d *decoder) optDateTime(dst **time.Time) {
	var t time.Time
	if d.dateTime(&t) {
		*dst = &t
	} else {
		*dst = nil
	}
}

// bigInt reads an optional BigInt: a JSON integer or a string of digits.
func (d *decoder) bigInt(dst **int64) {
	*dst = nil
	if d.null() {
		return
	}
	var v any
	switch c := d.next(); {
	case c == '"':
		v = d.str()
	case c == '-' || '0' <= c && c <= '9':
		v = json.Number(d.number())
	default:
		d.bad("BigInt must be an integer, as a JSON number or a string of digits, got "+clipJSON(d.skip()), false)
		return
	}
	n, err := model.UnmarshalBigInt(v)
	if err != nil {
		d.scalarError(err)
		return
	}
	*dst = &n
}

// integer reads an optional Int, as encoding/json reads a Go int.
func (d *decoder) integer(dst **int64) {
	*dst = nil
	if d.null() {
		return
	}
	if c := d.next(); c != '-' && (c < '0' || c > '9') {
		d.mismatch("an integer")
		return
	}
	lit := d.number()
	n, err := strconv.ParseInt(lit, 10, 64)
	if err != nil {
		d.bad("must be an integer, not number "+lit, false)
		return
	}
	*dst = &n
}

// float reads an optional Float, as encoding/json reads a float64.
func (d *decoder) float(dst **float64) {
	*dst = nil
	if d.null() {
		return
	}
	if c := d.next(); c != '-' && (c < '0' || c > '9') {
		d.mismatch("a number")
		return
	}
	lit := d.number()
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		d.bad("must be a number, not number "+lit, false)
		return
	}
	*dst = &f
}

// freeJSON reads a JSON value of any kind, stored as the GraphQL scalar
// stores it: decoded with exact numbers and encoded again (compact, keys
// sorted), so that both ways in store the same bytes. null is nil.
func (d *decoder) freeJSON(dst *json.RawMessage) {
	raw := d.skip()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		d.scalarError(err)
		return
	}
	out, err := model.UnmarshalJSON(v)
	if err != nil {
		d.scalarError(err)
		return
	}
	*dst = json.RawMessage(out)
}

// clipJSON shows a refused value in a message, cut if long.
func clipJSON(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
