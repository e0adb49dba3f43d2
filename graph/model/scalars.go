package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// MarshalDateTime writes t as RFC 3339 in UTC.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 timestamp and returns it in UTC.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.New(apperr.InvalidArgument, "DateTime must be an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, apperr.New(apperr.InvalidArgument, "DateTime must be an RFC 3339 string such as 2026-01-05T09:00:00Z, got %q", s)
	}
	return t.UTC(), nil
}

// MarshalJSON writes a stored JSON document as is; a document that is not
// valid JSON (possible in imported data) is written as a JSON string.
func MarshalJSON(raw db.RawJSON) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		switch {
		case raw == nil:
			_, _ = io.WriteString(w, "null")
		case json.Valid(raw):
			_, _ = w.Write(raw)
		default:
			_, _ = io.WriteString(w, strconv.Quote(string(raw)))
		}
	})
}

// UnmarshalJSON accepts any JSON value nesting at most jsonlimit.MaxDepth
// levels itself; the field of its error is the path inside the value.
func UnmarshalJSON(v any) (db.RawJSON, error) {
	if v == nil {
		return nil, nil
	}
	var deep *jsonlimit.DepthError
	if errors.As(jsonlimit.CheckValue(v), &deep) {
		return nil, apperr.Invalid(deep.Path, "%s", jsonlimit.TooDeep)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, apperr.New(apperr.InvalidArgument, "JSON: %v", err)
	}
	return db.RawJSON(b), nil
}

// MarshalBigInt writes n as a JSON number.
func MarshalBigInt(n int64) graphql.Marshaler { return graphql.MarshalInt64(n) }

// UnmarshalBigInt accepts a JSON integer, or a string of ASCII digits with
// an optional leading '-', within the 64-bit range; nothing else (not 1.5,
// 1e30, " 5" or "+5"). /v1/ingest decodes BigInt with it too.
func UnmarshalBigInt(v any) (int64, error) {
	var s string
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return 0, bigIntError(v)
	}
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, bigIntError(v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.InvalidArgument, "BigInt must be between %d and %d, got %s", int64(math.MinInt64), int64(math.MaxInt64), clip(s))
	}
	return n, nil
}

func bigIntError(v any) error {
	var shown string
	switch x := v.(type) {
	case string:
		shown = strconv.Quote(clip(x))
	case nil:
		shown = "null"
	case bool, float64, float32, json.Number:
		shown = clip(fmt.Sprint(x))
	default:
		shown = "a list or an object"
	}
	return apperr.New(apperr.InvalidArgument, "BigInt must be an integer, as a JSON number or a string of digits, got %s", shown)
}

// clip cuts a refused value shown in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
