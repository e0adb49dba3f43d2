package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

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
	m, _ := ctx.Value(argsKey{}).(*argsMemo)
	if m == nil {
		return parse(ctx, field.ArgumentMap(vars))
	}
	m.mu.Lock()
	args, ok := m.of[field.Field]
	m.mu.Unlock()
	if ok {
		return args, nil
	}
	args, err := parse(ctx, field.ArgumentMap(vars))
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.of[field.Field] = args
	m.mu.Unlock()
	return args, nil
}

// argsMemo holds the arguments a request's fields were parsed to.
type argsMemo struct {
	mu sync.Mutex
	of map[*ast.Field]map[string]any
}

type argsKey struct{}

// withArgsMemo gives every request its memo of field arguments.
func withArgsMemo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := &argsMemo{of: map[*ast.Field]map[string]any{}}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), argsKey{}, m)))
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
