package graph

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// gqlgen resolves every resolver-backed field of an object on a goroutine
// of its own so that loader keys can batch; in a page of 50 traces with
// five lists each that is hundreds of goroutines, whose stack growth alone
// was an eighth of the CPU. A field that cannot wait needs none: an id, or
// an edge the prefetch walk has already put in the loaders' caches for this
// very row. go generate (internal/tools/seqlists) routes gqlgen's
// ResolveConcurrently calls through resolveObjectField, which resolves
// those in place and leaves the rest to gqlgen.

// primedKey names one field of one row whose value is in a loader cache.
type primedKey struct {
	field *ast.Field
	row   any
}

// markPrimed records that field of every row can be resolved without
// waiting.
func markPrimed[T any](l *Loaders, field *ast.Field, rows []*T) {
	for _, r := range rows {
		l.primed.Store(primedKey{field, r}, struct{}{})
	}
}

var (
	// inPlaceOff disables resolving in place and inPlaceResolved counts its
	// uses, for the tests that compare it with gqlgen's way.
	inPlaceOff      atomic.Bool
	inPlaceResolved atomic.Int64
)

func resolveObjectField(ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, row any,
	oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool,
	resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() || inPlaceOff.Load() || !cannotWaitField(ctx, field, row) {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	inPlaceResolved.Add(1)
	v := resolveRecovering(ctx, oc, recoverFromPanic, resolve)
	out.Values[i] = v
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

func cannotWaitField(ctx context.Context, field graphql.CollectedField, row any) bool {
	if field.Name == "id" { // every id resolver only encodes the row's id
		return true
	}
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok || field.Field == nil {
		return false
	}
	_, primed := l.primed.Load(primedKey{field.Field, row})
	return primed
}

// resolveRecovering runs resolve, turning a panic into a field error and
// null as gqlgen does for the fields it resolves concurrently.
func resolveRecovering(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool,
	resolve func(ctx context.Context) graphql.Marshaler) (res graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				res = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}
