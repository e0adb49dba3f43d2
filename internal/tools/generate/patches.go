package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"regexp"
	"sort"
)

// The rewrites kept after measuring each (docs/benchmarks.md, "Executor
// rewrites"). Each names the text gqlgen writes and what replaces it, and
// applies to the functions plugin.go found in gqlgen's own model: every
// site must hold the text exactly as often as expected, and the text may
// appear nowhere else, or generation fails.
type rewrite struct {
	name  string
	funcs []string // the functions it applies to
	each  int      // occurrences in each of them
	old   *regexp.Regexp
	new   []byte
	// withinOnly: old is anchored to a function's body, so it is not
	// counted in the whole file.
	withinOnly bool
}

func rewrites(s sites) []rewrite {
	exec := make([]string, 0, 1)
	if s.roots > 0 {
		exec = append(exec, "Exec")
	}
	return []rewrite{
		// Lists are marshalled in order on the calling goroutine (graph/lists.go).
		{name: "sequential lists", funcs: s.lists, each: 1,
			old: regexp.MustCompile(`ret := graphql\.MarshalSliceConcurrently\(`), new: []byte("ret := marshalList(")},
		// Lists of rows selected for their own columns are written by
		// graph/fastlist (graph/lists.go), first thing: before gqlgen
		// records the list's rows as the parents of batch resolvers.
		{name: "fast row lists", funcs: s.rowLists, each: 1, withinOnly: true,
			old: regexp.MustCompile(`\A\{\n`), new: []byte("{\n\tif m, ok := fastList(ctx, sel, v); ok {\n\t\treturn m\n\t}\n")},
		// A field's arguments are parsed once per request (graph/fieldargs.go).
		{name: "shared field arguments", funcs: s.argsOf, each: 1,
			old: regexp.MustCompile(`if fc\.Args, err = ec\.(field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\); err != nil \{`),
			new: []byte("if fc.Args, err = fieldArgs(ctx, field, ec.Variables, ec.${1}); err != nil {")},
		// An object builds its @defer group only when a field is deferred (graph/inline.go).
		{name: "lazy deferred groups", funcs: s.objects, each: 1,
			old: regexp.MustCompile(`deferred := graphql\.NewDeferredGroup\(ctx\)`), new: []byte("deferred := deferredGroup(ctx, fields)")},
		// Answers go into pooled buffers charged to the request's memory budget (graph/answerbuf.go).
		{name: "charged answer buffer", funcs: exec, each: s.roots,
			old: regexp.MustCompile(`var buf bytes\.Buffer\n(\t+)data\.MarshalGQL\(&buf\)`),
			new: []byte("buf := bytes.NewBuffer(answerBuffer())\n${1}data.MarshalGQL(chargedAnswer(ctx, buf))")},
	}
}

// applyPatches applies every rewrite of s to src, the generated executor,
// but those named in skip (for measuring what one gains; see
// docs/benchmarks.md).
func applyPatches(src []byte, s sites, skip map[string]bool) ([]byte, error) {
	bodies, err := funcBodies(src)
	if err != nil {
		return nil, err
	}
	type edit struct {
		from, to int
		text     []byte
	}
	var edits []edit
	expected := map[string]int{} // pattern -> occurrences in the whole file
	for _, rw := range rewrites(s) {
		if len(rw.funcs) == 0 {
			return nil, fmt.Errorf("%s: gqlgen's model names no function to rewrite", rw.name)
		}
		if !rw.withinOnly {
			expected[rw.old.String()] += len(rw.funcs) * rw.each
		}
		if skip[rw.name] {
			continue
		}
		for _, name := range rw.funcs {
			span, ok := bodies[name]
			if !ok {
				return nil, fmt.Errorf("%s: no function %s in the generated code", rw.name, name)
			}
			body := src[span[0]:span[1]]
			found := rw.old.FindAllSubmatchIndex(body, -1)
			if len(found) != rw.each {
				return nil, fmt.Errorf("%s: %s holds the text %d times, want %d", rw.name, name, len(found), rw.each)
			}
			for _, m := range found {
				text := rw.old.Expand(nil, rw.new, body, m)
				edits = append(edits, edit{span[0] + m[0], span[0] + m[1], text})
			}
		}
	}
	for pattern, n := range expected {
		if got := len(regexp.MustCompile(pattern).FindAllIndex(src, -1)); got != n {
			return nil, fmt.Errorf("the text %q appears %d times, but gqlgen's model accounts for %d", pattern, got, n)
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].from > edits[j].from })
	out := bytes.Clone(src)
	for _, e := range edits {
		out = append(out[:e.from:e.from], append(e.text, out[e.to:]...)...)
	}
	return format.Source(out)
}

// funcBodies maps each function and method name of src to its byte span.
func funcBodies(src []byte) (map[string][2]int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	spans := map[string][2]int{}
	dups := map[string]bool{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if _, dup := spans[name]; dup {
			dups[name] = true
		}
		spans[name] = [2]int{fset.Position(fn.Body.Pos()).Offset, fset.Position(fn.Body.End()).Offset}
	}
	for name := range dups {
		delete(spans, name) // ambiguous: a rewrite naming it fails
	}
	return spans, nil
}
