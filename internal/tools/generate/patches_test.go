package main

import (
	"strings"
	"testing"
)

// executor is a miniature of gqlgen's output with one site of each rewrite.
const executor = `package graph

func (e *executableSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	var buf bytes.Buffer
	data.MarshalGQL(&buf)
}

func (ec *executionContext) marshalNRow(ctx context.Context, sel ast.SelectionSet, v []*Row) graphql.Marshaler {
	ctx = graphql.WithBatchParents(ctx, "Row", v, nil)
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, nil)
	return ret
}

func (ec *executionContext) marshalNName(ctx context.Context, sel ast.SelectionSet, v []Name) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, nil)
	return ret
}

func (ec *executionContext) fieldContext_Row_children(ctx context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	if fc.Args, err = ec.field_Row_children_args(ctx, field.ArgumentMap(ec.Variables)); err != nil {
		return fc, err
	}
	return fc, nil
}

func (ec *executionContext) _Row(ctx context.Context, sel ast.SelectionSet, obj *Row) graphql.Marshaler {
	deferred := graphql.NewDeferredGroup(ctx)
	return out
}
`

var miniSites = sites{
	lists:    []string{"marshalNRow", "marshalNName"},
	rowLists: []string{"marshalNRow"},
	argsOf:   []string{"fieldContext_Row_children"},
	objects:  []string{"_Row"},
	roots:    1,
}

func TestPatchesRewriteEverySite(t *testing.T) {
	out, err := applyPatches([]byte(executor), miniSites, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"buf := bytes.NewBuffer(answerBuffer())", "data.MarshalGQL(chargedAnswer(ctx, buf))",
		"if m, ok := fastList(ctx, sel, v); ok {", "fieldArgs(ctx, field, ec.Variables, ec.field_Row_children_args)",
		"deferred := deferredGroup(ctx, fields)",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if n := strings.Count(string(out), "ret := marshalList("); n != 2 {
		t.Errorf("%d lists rewritten, want 2", n)
	}
	if strings.Contains(string(out), "MarshalSliceConcurrently") {
		t.Errorf("a list was left to gqlgen:\n%s", out)
	}
}

func TestPatchesFailRatherThanMissASite(t *testing.T) {
	cases := map[string]struct {
		src   string
		sites sites
	}{
		"a site in another form": {strings.Replace(executor, "deferred := graphql.NewDeferredGroup(ctx)", "deferred := graphql.NewDeferredGroup(ctx, fields)", 1), miniSites},
		"a site the model does not know": {executor + `
func (ec *executionContext) marshalNOther(ctx context.Context, sel ast.SelectionSet, v []Other) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, nil)
	return ret
}
`, miniSites},
		"a function the model names but gqlgen did not write": {executor, sites{lists: append([]string{"marshalNOther"}, miniSites.lists...),
			rowLists: miniSites.rowLists, argsOf: miniSites.argsOf, objects: miniSites.objects, roots: 1}},
		"no function for a rewrite": {executor, sites{lists: miniSites.lists, rowLists: miniSites.rowLists, objects: miniSites.objects, roots: 1}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := applyPatches([]byte(c.src), c.sites, nil); err == nil {
				t.Fatal("patched without an error")
			} else {
				t.Log(err)
			}
		})
	}
}
