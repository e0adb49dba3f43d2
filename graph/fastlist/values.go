package fastlist

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Appenders of scalar values for Write, each writing exactly what the
// scalar's gqlgen marshaller writes.

const hexDigits = "0123456789ABCDEF"

// appendQuoted writes s as graphql.MarshalString does: only control
// characters, '\\' and '"' are escaped; other bytes pass as they are.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(append(b, s[start:]...), '"')
}

func appendOptString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendQuoted(b, *s)
}

// appendFloat writes f as graphql.MarshalFloatContext ("%g"); NaN and
// infinities are errors there, so they are refused here.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), true
}

func appendOptFloat(b []byte, f *float64) ([]byte, bool) {
	if f == nil {
		return append(b, "null"...), true
	}
	return appendFloat(b, *f)
}

func appendOptInt(b []byte, i *int64) []byte {
	if i == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *i, 10)
}

// appendTime writes a DateTime as model.MarshalDateTime: RFC 3339 in UTC.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	return append(t.UTC().AppendFormat(b, time.RFC3339Nano), '"')
}

func appendOptTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

// appendIDs writes the JSON list of relay.IDs(typeName, ids).
func appendIDs(b []byte, typeName string, ids []int64) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = relay.AppendID(b, typeName, id)
	}
	return append(b, ']')
}

// appendRawJSON writes a stored JSON document as model.MarshalJSON does.
func appendRawJSON(b []byte, raw db.RawJSON) []byte {
	switch {
	case raw == nil:
		return append(b, "null"...)
	case json.Valid(raw):
		return append(b, raw...)
	default:
		return append(b, strconv.Quote(string(raw))...)
	}
}
