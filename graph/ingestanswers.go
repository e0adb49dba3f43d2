package graph

import (
	"context"
	"fmt"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
)

// writtenIDFields are all a caller that may not read (the ingest role) may
// select on the objects its mutation wrote: what identifies them, nothing
// read back from the store. __typename is allowed everywhere.
var writtenIDFields = map[string]bool{"id": true, "externalId": true, "databaseId": true}

// ingestAnswers refuses, before execution, mutation answers of callers that
// may not read which select more than writtenIDFields of the written
// objects. Written objects are the Node types a mutation returns, directly or
// through the fields of its payload type; anything else (edges such as
// project, rollups, recorded fields) would read the store.
type ingestAnswers struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*ingestAnswers)(nil)

func (*ingestAnswers) ExtensionName() string { return "IngestAnswers" }

func (a *ingestAnswers) Validate(s graphql.ExecutableSchema) error {
	a.schema = s.Schema()
	return nil
}

func (a *ingestAnswers) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	p := auth.From(ctx)
	if p.CanRead() || op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return nil
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, []string{a.schema.Mutation.Name}) {
		if perm, ok := mutationNeeds[f.Name]; !ok || !perm.allows(p) {
			continue // authorizeRootField refuses it, running nothing
		}
		if err := a.check(op, p, f.Selections, a.schema.Types[f.Definition.Type.Name()], f.Alias); err != nil {
			return err
		}
	}
	return nil
}

// check returns the refusal of the first field of sel, selected on typ at
// path, that is neither an id of a written object nor leads to one.
func (a *ingestAnswers) check(op *graphql.OperationContext, p *auth.Principal, sel ast.SelectionSet, typ *ast.Definition, path string) *gqlerror.Error {
	for _, t := range a.schema.GetPossibleTypes(typ) {
		written := a.written(t)
		satisfies := []string{t.Name}
		for _, i := range a.schema.GetImplements(t) {
			satisfies = append(satisfies, i.Name)
		}
		for _, f := range graphql.CollectFields(op, sel, satisfies) {
			at := path + "." + f.Alias
			if f.Name == "__typename" || written && writtenIDFields[f.Name] {
				continue
			}
			if child := a.schema.Types[f.Definition.Type.Name()]; !written && a.written(child) {
				if err := a.check(op, p, f.Selections, child, at); err != nil {
					return err
				}
				continue
			}
			return &gqlerror.Error{
				Message: fmt.Sprintf("%s: an API key with the %s role may select only ids in mutation answers "+
					"(__typename, id, externalId, databaseId of what it wrote), not %s.%s", at, p.Role, t.Name, f.Name),
				Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
				Extensions: map[string]any{"code": string(apperr.Forbidden), "field": at},
			}
		}
	}
	return nil
}

// written reports whether objects of typ are what mutations write: objects
// with a global id (Node). A mutation's other return types are payloads.
func (a *ingestAnswers) written(typ *ast.Definition) bool {
	if typ == nil || len(a.schema.GetPossibleTypes(typ)) == 0 {
		return false // a scalar or an enum
	}
	for _, t := range a.schema.GetPossibleTypes(typ) {
		if !slices.ContainsFunc(a.schema.GetImplements(t), func(i *ast.Definition) bool { return i.Name == "Node" }) {
			return false
		}
	}
	return true
}
