package main

import (
	"bytes"
	"fmt"
)

var (
	// An object's group of @defer'd fields, built (a path, a field set and
	// a map) before knowing whether any field is deferred.
	eagerDeferred = []byte("out := graphql.NewFieldSet(fields)\n\tdeferred := graphql.NewDeferredGroup(ctx)\n")
	lazyDeferred  = []byte("out := graphql.NewFieldSet(fields)\n\tdeferred := deferredGroup(ctx, fields)\n")
)

// lazyDeferredGroups has objects build their deferred group through
// graph.deferredGroup, which builds it only when a field is deferred: a
// page of 50 traces with their lists builds hundreds of objects, and the
// groups were 4% of its CPU.
func lazyDeferredGroups(src []byte) ([]byte, error) {
	n := bytes.Count(src, eagerDeferred)
	if n == 0 || n != bytes.Count(src, []byte("graphql.NewDeferredGroup(")) {
		return nil, fmt.Errorf("%d deferred groups of %d in the expected form - has gqlgen changed?", n, bytes.Count(src, []byte("graphql.NewDeferredGroup(")))
	}
	return bytes.ReplaceAll(src, eagerDeferred, lazyDeferred), nil
}
