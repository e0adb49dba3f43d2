package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// onInputPath is the error of an input value that failed to unmarshal
// without its path context: internal/tools/seqlists has the generated code
// build that context only now, by running the unmarshaller again under it,
// so the error names the value's path. Unmarshalling is a pure function of
// the value, so it fails again; first is kept should it somehow not.
func onInputPath[T any](ctx context.Context, at *graphql.PathContext, v any, first error, unmarshal func(context.Context, any) (T, error)) error {
	if _, err := unmarshal(graphql.WithPathContext(ctx, at), v); err != nil {
		return err
	}
	return first
}
