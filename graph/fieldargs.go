package graph

import (
	"context"

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
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	return remember(l, func(l *Loaders) *map[*ast.Field]map[string]any { return &l.args }, field.Field, func() (map[string]any, error) {
		return parse(ctx, field.ArgumentMap(vars))
	})
}
