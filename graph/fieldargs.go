package graph

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// fieldArgs is the arguments of field under the operation's variables.
// They are the same for every object the field is resolved on, so a
// request parses them once per field (a page of 50 traces parsed each
// list's `first: 100` 50 times). A failure is not kept: its error names
// the path of the object at hand. Resolvers only read their arguments, so
// the objects can share one map.
func fieldArgs(ctx context.Context, field graphql.CollectedField, vars map[string]any,
	parse func(context.Context, map[string]any) (map[string]any, error)) (map[string]any, error) {
	return remember(ctx, func(m *memo) *map[*ast.Field]map[string]any { return &m.args }, field.Field, func() (map[string]any, error) {
		return parse(ctx, field.ArgumentMap(vars))
	})
}

// intArg reads an Int argument value as the executor may hold it.
func intArg(v any) (*int, bool) {
	var n int64
	switch v := v.(type) {
	case nil:
		return nil, true
	case int:
		n = int64(v)
	case int64:
		n = v
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return nil, false
		}
		n = i
	case float64:
		if v != float64(int64(v)) {
			return nil, false
		}
		n = int64(v)
	default:
		return nil, false
	}
	i := int(n)
	return &i, true
}
