// Package relay holds the global object ids of the API (Relay's Node ids):
// the one place they are written and read.
package relay

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// ID returns the opaque id of a row: its GraphQL type and row id.
func ID(typeName string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typeName + ":" + strconv.FormatInt(id, 10)))
}

// IDs returns the opaque ids of rows of one type.
func IDs(typeName string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ID(typeName, id)
	}
	return out
}

// AppendID appends the JSON string of ID(typeName, id) to b.
func AppendID(b []byte, typeName string, id int64) []byte {
	var raw [48]byte
	plain := strconv.AppendInt(append(append(raw[:0], typeName...), ':'), id, 10)
	b = append(b, '"')
	return append(base64.RawURLEncoding.AppendEncode(b, plain), '"')
}

// Parse splits an opaque id; field names the argument in errors.
func Parse(field, s string) (typeName string, id int64, err error) {
	raw, decErr := base64.RawURLEncoding.DecodeString(s)
	typeName, num, ok := strings.Cut(string(raw), ":")
	if decErr == nil && ok {
		id, err = strconv.ParseInt(num, 10, 64)
		if err == nil && id > 0 && typeName != "" {
			return typeName, id, nil
		}
	}
	return "", 0, apperr.Invalid(field, "%q is not an id issued by this API", s)
}

// ParseTyped parses an opaque id that must name a row of typeName.
func ParseTyped(field, s, typeName string) (int64, error) {
	t, id, err := Parse(field, s)
	if err != nil {
		return 0, err
	}
	if t != typeName {
		return 0, apperr.Invalid(field, "%q is the id of a %s, not of a %s", s, t, typeName)
	}
	return id, nil
}
