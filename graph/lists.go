package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/graph/fastlist"
)

// gqlgen marshals every list of objects with a goroutine per element, so
// that loaders waiting on a time window see the keys of all elements. The
// edges here are batch resolvers over whole cohorts (package load), which
// need no such concurrency, and in a page of traces with their calls those
// goroutines were over a third of the CPU. go generate
// (internal/tools/generate) puts marshalList in place of
// graphql.MarshalSliceConcurrently: it marshals in order, on the calling
// goroutine, recovering panics per element as gqlgen does.
func marshalList(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		ret[i] = marshalElement(childCtx, i, omitPanicHandler, marshal)
	}
	return ret
}

func marshalElement(ctx context.Context, i int, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// fastList is fastlist.Write; go generate puts it at the top of every list
// marshaller of rows.
func fastList[T any](ctx context.Context, sel ast.SelectionSet, rows []*T) (graphql.Marshaler, bool) {
	return fastlist.Write(ctx, sel, rows)
}
