package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// deferredGroup is graphql.NewDeferredGroup when one of fields is
// deferred; go generate puts it in every object marshaller
// (internal/tools/generate). Otherwise the group's path, field set and
// map are never read (the object emits nothing for an empty group), so it
// holds only ctx: a page of 50 traces with their lists builds hundreds of
// objects.
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{Context: ctx}
}
