package graph

import (
	"context"
	"sync"
	"sync/atomic"
	"unsafe"

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
	row   unsafe.Pointer
}

// primedSet holds a request's primedKeys: written by the prefetch walk,
// read by the resolvers after it.
type primedSet struct {
	mu   sync.RWMutex
	keys map[primedKey]struct{}
}

func (p *primedSet) has(k primedKey) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.keys[k]
	return ok
}

// allPrimed reports whether field of every row is in the set, under one
// read lock for the whole list.
func allPrimed[T any](p *primedSet, field *ast.Field, rows []*T) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, r := range rows {
		if _, ok := p.keys[primedKey{field, unsafe.Pointer(r)}]; !ok {
			return false
		}
	}
	return true
}

// markPrimed records that field of every row can be resolved without
// waiting.
func markPrimed[T any](l *Loaders, field *ast.Field, rows []*T) {
	p := &l.primed
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.keys == nil {
		p.keys = make(map[primedKey]struct{}, 4*len(rows))
	}
	for _, r := range rows {
		p.keys[primedKey{field, unsafe.Pointer(r)}] = struct{}{}
	}
}

var (
	// inPlaceOff disables resolving in place and inPlaceResolved counts its
	// uses, for the tests that compare it with gqlgen's way.
	inPlaceOff      atomic.Bool
	inPlaceResolved atomic.Int64
)

func resolveObjectField[T any](ctx context.Context, out *graphql.FieldSet, field graphql.CollectedField, row *T,
	oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool,
	resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() || inPlaceOff.Load() || !cannotWaitField(ctx, field, unsafe.Pointer(row)) {
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

func cannotWaitField(ctx context.Context, field graphql.CollectedField, row unsafe.Pointer) bool {
	if field.Name == "id" { // every id resolver only encodes the row's id
		return true
	}
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok || field.Field == nil {
		return false
	}
	return l.primed.has(primedKey{field.Field, row})
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

// deferredGroup is graphql.NewDeferredGroup when one of fields is
// deferred. Otherwise the group's path, field set and map are never read
// (ResolveConcurrently uses them only for a deferred field, and the object
// emits nothing for an empty group), so it holds only ctx.
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{Context: ctx}
}
