package graph

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
)

// globalID returns the opaque id of a row: its GraphQL type and row id.
func globalID(typeName string, id int64) string { return model.GlobalID(typeName, id) }

// globalIDs returns the opaque ids of rows of one type.
func globalIDs(typeName string, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = globalID(typeName, id)
	}
	return out
}

// parseGlobalID splits an opaque id; field names the argument in errors.
func parseGlobalID(field, s string) (typeName string, id int64, err error) {
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

// parseTypedID parses an opaque id that must name a row of typeName.
func parseTypedID(field, s, typeName string) (int64, error) {
	t, id, err := parseGlobalID(field, s)
	if err != nil {
		return 0, err
	}
	if t != typeName {
		return 0, apperr.Invalid(field, "%q is the id of a %s, not of a %s", s, t, typeName)
	}
	return id, nil
}
