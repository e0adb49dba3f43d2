package graph

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// Error codes of requests refused for their size or cost; GraphQL over HTTP
// answers them with 400 like any request that cannot run.
const (
	codeTooDeep      = "QUERY_TOO_DEEP"
	codeTooManyAlias = "TOO_MANY_ALIASES"
	codeTooComplex   = "QUERY_TOO_COMPLEX"
	codeNoDefer      = "DEFER_NOT_SUPPORTED"
)

// requestLimitCodes are the codes of requests refused before execution.
var requestLimitCodes = []string{codeTooDeep, codeTooManyAlias, codeTooComplex, codeNoDefer, "COMPLEXITY_LIMIT_EXCEEDED", string(apperr.InvalidArgument)}

func init() {
	// INVALID_ARGUMENT found before execution (page sizes out of range) is
	// a 400 like the limits; raised by resolvers, runOperation makes it one.
	for _, code := range requestLimitCodes {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

// limitBody refuses bodies over max with 413 before GraphQL sees them, and
// bounds every request's time.
func limitBody(max int64, timeout time.Duration, next http.Handler) http.Handler {
	next = httpx.WithTimeout(timeout, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method == http.MethodPost {
			body, refused := httpx.ReadBody(w, r, httpx.Body{Max: max})
			if refused != nil {
				writeError(w, r, refused)
				return
			}
			httpx.Buffer(r, body)
		}
		next.ServeHTTP(w, r)
	})
}

// limitInFlight lets at most n requests through at once (see httpx.Turns).
func limitInFlight(n int, next http.Handler) http.Handler {
	return httpx.Turns(n, 0, WriteDenial)(next)
}

// writeError answers a request refused before GraphQL saw it with e's
// status and a GraphQL-shaped body: e's code, field and the request id.
func writeError(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
	httpx.WriteErrorAs(w, r, e, replyMediaType(r.Header.Get("Accept")))
}

// maxRepeats caps how often one response name or fragment spread appears in
// a selection set: validation compares repeated fields pairwise, so 5,000
// copies of a field would take seconds to validate.
const maxRepeats = 50

// repeatLimit refuses, before validation, documents repeating a field or a
// fragment spread within one selection set more than maxRepeats times.
type repeatLimit struct {
	tokens int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = repeatLimit{}

func (repeatLimit) ExtensionName() string                   { return "RepeatLimit" }
func (repeatLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (l repeatLimit) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: raw.Query}, l.tokens)
	if err != nil {
		return nil // gqlgen reports it
	}
	var worst string
	var check func(set ast.SelectionSet) bool
	check = func(set ast.SelectionSet) bool {
		counts := map[string]int{}
		for _, sel := range set {
			var key string
			var inner ast.SelectionSet
			switch s := sel.(type) {
			case *ast.Field:
				key, inner = "field "+s.Alias, s.SelectionSet
			case *ast.FragmentSpread:
				key = "fragment " + s.Name
			case *ast.InlineFragment:
				inner = s.SelectionSet
			}
			if key != "" {
				if counts[key]++; counts[key] > maxRepeats {
					worst = key
					return false
				}
			}
			if !check(inner) {
				return false
			}
		}
		return true
	}
	ok := true
	for _, op := range doc.Operations {
		ok = ok && check(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		ok = ok && check(f.SelectionSet)
	}
	if ok {
		return nil
	}
	return &gqlerror.Error{Message: fmt.Sprintf("%s is selected more than %d times in one selection set", worst, maxRepeats),
		Extensions: map[string]any{"code": codeTooComplex}}
}

// shapeLimit refuses operations nested too deeply or with too many aliases,
// and those that @defer a fragment: answers go out as one response, so a
// deferred part would silently come back null.
type shapeLimit struct {
	maxDepth, maxAliases int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimit{}

func (shapeLimit) ExtensionName() string                   { return "ShapeLimit" }
func (shapeLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (l shapeLimit) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	op := rc.Doc.Operations.ForName(rc.OperationName)
	if op == nil {
		return nil
	}
	var pageErr *gqlerror.Error
	aliases, deferred := 0, false
	visiting := map[string]bool{}
	var depth func(set ast.SelectionSet, level int) int
	depth = func(set ast.SelectionSet, level int) int {
		deepest := level
		for _, sel := range set {
			var d int
			switch s := sel.(type) {
			case *ast.Field:
				if s.Alias != "" && s.Alias != s.Name {
					aliases++
				}
				if pageErr == nil {
					pageErr = pageBounds(s, rc.Variables)
				}
				d = depth(s.SelectionSet, level+1)
			case *ast.InlineFragment:
				deferred = deferred || defers(s.Directives, rc.Variables)
				d = depth(s.SelectionSet, level)
			case *ast.FragmentSpread:
				deferred = deferred || defers(s.Directives, rc.Variables)
				// Validation refuses fragment cycles; guard anyway.
				if visiting[s.Name] || s.Definition == nil {
					continue
				}
				visiting[s.Name] = true
				d = depth(s.Definition.SelectionSet, level)
				visiting[s.Name] = false
			}
			if d > deepest {
				deepest = d
			}
			if deepest > l.maxDepth {
				return deepest
			}
		}
		return deepest
	}
	if d := depth(op.SelectionSet, 0); d > l.maxDepth {
		return &gqlerror.Error{Message: fmt.Sprintf("the query nests %d levels deep, more than the limit of %d", d, l.maxDepth),
			Extensions: map[string]any{"code": codeTooDeep}}
	}
	if aliases > l.maxAliases {
		return &gqlerror.Error{Message: fmt.Sprintf("the query has %d aliases, more than the limit of %d", aliases, l.maxAliases),
			Extensions: map[string]any{"code": codeTooManyAlias}}
	}
	if deferred {
		return &gqlerror.Error{Message: "@defer is not supported: the answer comes in one response; remove @defer",
			Extensions: map[string]any{"code": codeNoDefer}}
	}
	return pageErr
}

// defers reports whether directives @defer their fragment: @defer with no
// "if" or one that is not false.
func defers(directives ast.DirectiveList, vars map[string]any) bool {
	d := directives.ForName("defer")
	if d == nil {
		return false
	}
	on, ok := d.ArgumentMap(vars)["if"].(bool)
	return !ok || on
}

// pageBounds refuses a page size out of range before anything runs, so
// that first: 2147483647 is a 400 like the other limits, not a 200.
func pageBounds(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if f.Definition == nil || f.Definition.Arguments.ForName("first") == nil {
		return nil
	}
	args := f.ArgumentMap(vars)
	for _, name := range []string{"first", "last"} {
		n, ok := intArg(args[name])
		if ok && n != nil && (*n < 0 || *n > load.MaxPageSize) {
			return &gqlerror.Error{Message: fmt.Sprintf("%s: must be between 0 and %d, got %d (on %s)", name, load.MaxPageSize, *n, f.Alias),
				Locations:  []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}},
				Extensions: map[string]any{"code": string(apperr.InvalidArgument), "field": name}}
		}
	}
	return nil
}

// pageCost is the complexity of a connection: its page size times its selection.
func pageCost(child int, first, last *int) int {
	n := load.DefaultPageSize
	if first != nil {
		n = *first
	} else if last != nil {
		n = *last
	}
	// Out-of-range sizes are refused by the resolvers with INVALID_ARGUMENT;
	// here they only must not overflow.
	n = max(1, min(n, load.MaxPageSize))
	return 1 + n*child
}

// textCost is the complexity of a field of recorded text (@recordedContent)
// or a JSON document, against 1 for other fields: such a value can be a
// megabyte, so a request selecting tens of thousands of them (ten
// projects' hundred traces' hundred prompts and outputs) is refused before
// it runs. It is kept low enough for what a frontend asks (a whole trace
// with every text costs under a tenth of the default limit, a page of 50
// traces with their calls' texts under half); the memory budget bounds
// what runs (README, "Limits").
const textCost = 50

// weighFields makes es price its fields from the schema alone, so that no
// list of fields repeats it: a connection (a field taking first and last)
// costs its page size times its selection, nodes(ids:) the number of its
// ids times its selection, a text field (see textCost) its size.
func weighFields(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	w := fieldWeights{ExecutableSchema: es, kinds: map[string]weight{}}
	for _, def := range es.Schema().Types {
		if def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			if k := weightOf(f); k != plain {
				w.kinds[def.Name+"."+f.Name] = k
			}
		}
	}
	return w
}

type weight int

const (
	plain weight = iota
	text
	page
	idList
)

func weightOf(f *ast.FieldDefinition) weight {
	switch {
	case isText(f):
		return text
	case f.Arguments.ForName("first") != nil && f.Arguments.ForName("last") != nil:
		return page
	case f.Arguments.ForName("ids") != nil && f.Type.Elem != nil:
		return idList
	}
	return plain
}

// fieldWeights is an executable schema whose fields cost what weighFields says.
type fieldWeights struct {
	graphql.ExecutableSchema
	kinds map[string]weight // by "Type.field"
}

func (w fieldWeights) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	switch w.kinds[typeName+"."+field] {
	case text:
		return child + textCost, true
	case page:
		first, _ := intArg(args["first"])
		last, _ := intArg(args["last"])
		return pageCost(child, first, last), true
	case idList:
		ids, _ := args["ids"].([]any)
		return 1 + len(ids)*child, true
	}
	return w.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// isText reports whether f holds recorded text or a JSON document.
func isText(f *ast.FieldDefinition) bool {
	t := f.Type
	for t.Elem != nil {
		t = t.Elem
	}
	return f.Directives.ForName("recordedContent") != nil || t.NamedType == "JSON"
}
