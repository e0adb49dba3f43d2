package model

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
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
