package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// gqlgen marshals every list of objects with a goroutine per element, so
// that the elements' loaders batch. Elements whose selection cannot wait
// on a loader (only scalars, enums and plain value objects) gain nothing
// from that and pay for it: in a trace list with its calls, those
// goroutines were over a third of the CPU. marshalList, put in place of
// graphql.MarshalSliceConcurrently by go generate (internal/tools/seqlists),
// marshals such lists in order on the calling goroutine.
func marshalList(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if length <= 1 || !cannotWait(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshal)
	}
	return marshalInOrder(ctx, length, omitPanicHandler, marshal)
}

// marshalRowList marshals a list of rows in order, too, when the prefetch
// walk found that nothing selected below any of them can wait (see
// prefetchRows); go generate puts it in gqlgen's list marshallers of rows.
func marshalRowList[T any](ctx context.Context, rows []*T, workerLimit int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if len(rows) > 1 && !inPlaceOff.Load() && rowsPrefetched(ctx, rows) {
		inPlaceResolved.Add(1)
		return marshalInOrder(ctx, len(rows), omitPanicHandler, marshal)
	}
	return marshalList(ctx, len(rows), workerLimit, omitPanicHandler, marshal)
}

func rowsPrefetched[T any](ctx context.Context, rows []*T) bool {
	fc := graphql.GetFieldContext(ctx)
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if fc == nil || fc.Field.Field == nil || !ok {
		return false
	}
	return allPrimed(&l.primed, fc.Field.Field, rows)
}

func marshalInOrder(ctx context.Context, length int, omitPanicHandler bool,
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

// valueTypes are object types without resolvers: plain values of their parent row.
var valueTypes = map[string]bool{"TokenUsage": true, "Cost": true, "NetworkCall": true, "HttpHeader": true}

// cannotWait reports whether the selection of the list being marshalled
// holds nothing that may wait on a loader.
func cannotWait(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	return leafSelection(fc.Field.Selections)
}

func leafSelection(sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if s.Definition == nil {
				return false
			}
			def := parsedSchema.Types[s.Definition.Type.Name()]
			switch {
			case s.Name == "__typename":
			case def == nil:
				return false
			case def.Kind == ast.Scalar || def.Kind == ast.Enum:
			case def.Kind == ast.Object && valueTypes[def.Name]:
				if !leafSelection(s.SelectionSet) {
					return false
				}
			default:
				return false
			}
		case *ast.InlineFragment:
			if !leafSelection(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !leafSelection(s.Definition.SelectionSet) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
