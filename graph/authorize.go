package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
)

// What the caller's key must allow for each mutation; queries need read.
// Which projects a caller sees is enforced by the store itself (see
// db.WithProjectScope), on every statement, so resolvers need not.
var mutationNeeds = map[string]permission{
	"ingestTraces":        {(*auth.Principal).CanIngest, "ingest or admin"},
	"recordMetric":        {(*auth.Principal).CanIngest, "ingest or admin"},
	"createProject":       {(*auth.Principal).CanCreateProjects, "admin role on all projects"},
	"setProjectRetention": {(*auth.Principal).CanAdmin, "admin"},
	"deleteTrace":         {(*auth.Principal).CanAdmin, "admin"},
	"deleteProject":       {(*auth.Principal).CanAdmin, "admin"},
}

// permission is a check on the caller and how to name it in errors.
type permission struct {
	allows func(*auth.Principal) bool
	needs  string
}

var readPermission = permission{(*auth.Principal).CanRead, "read or admin"}

// authorizeRootField refuses root fields the caller's role does not allow,
// before anything is read or written.
func authorizeRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	name := fc.Field.Name
	if name == "__schema" || name == "__type" {
		if auth.MayIntrospect(ctx) {
			return next(ctx)
		}
		graphql.AddError(ctx, apperr.New(apperr.Forbidden, "%s: introspection is off for this caller; use an API key with the read or admin role", name))
		return graphql.Null
	}
	p := auth.From(ctx)
	if p == nil || name == "__typename" {
		return next(ctx)
	}
	perm := readPermission
	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
		var ok bool
		if perm, ok = mutationNeeds[name]; !ok {
			perm = permission{(*auth.Principal).CanAdmin, "admin"}
		}
	}
	if perm.allows(p) {
		return next(ctx)
	}
	graphql.AddError(ctx, apperr.New(apperr.Forbidden,
		"%s: an API key with the %s role may not do this; it takes %s", name, p.Role, perm.needs))
	return graphql.Null
}

// recordedContent hides recorded texts from keys that may not read them.
func recordedContent(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if !auth.From(ctx).CanRead() {
		return nil, apperr.New(apperr.Forbidden, "an API key with the ingest role cannot read recorded content")
	}
	return next(ctx)
}

// introspectionPolicy lets a request read the schema when its caller may.
type introspectionPolicy struct{}

func (introspectionPolicy) ExtensionName() string                          { return "IntrospectionPolicy" }
func (introspectionPolicy) Validate(schema graphql.ExecutableSchema) error { return nil }
func (introspectionPolicy) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	op.DisableIntrospection = !auth.MayIntrospect(ctx)
	return nil
}
