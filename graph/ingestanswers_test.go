package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// answerDepth bounds the fields walked below a mutation's root field: deep
// enough to pass every payload and reach past the written objects' edges.
const answerDepth = 3

// answerTime is the time of everything the tests below write.
const answerTime = "2026-01-01T00:00:00Z"

// as serves e's store to requests made by p.
func (e *env) as(t *testing.T, p *auth.Principal) *env {
	t.Helper()
	h := graph.NewHandler(e.store, graph.Options{LoaderWait: testLoaderWait})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.With(r.Context(), p)))
	}))
	t.Cleanup(srv.Close)
	return &env{store: e.store, url: srv.URL}
}

// answerFixture is a project with one trace, an ingest key limited to the
// project and an admin key.
type answerFixture struct {
	admin, ingester *env
	traceID         string
	projectID       string
	calls           int // makes every external id written unique
}

func newAnswerFixture(t *testing.T, b dbtest.Backend) *answerFixture {
	e := newEnv(t, b, demo.Scale{})
	var seeded struct {
		IngestTraces struct {
			Traces []struct {
				ID      string
				Project struct{ ID string }
			}
		}
	}
	e.mustData(t, `mutation { ingestTraces(input: [{project: "p", externalId: "seed", startTime: "`+answerTime+`"}]) { traces { id project { id } } } }`, nil, &seeded)
	p, err := e.store.FindProjectByName(t.Context(), "p")
	mustNil(t, err)
	tr := seeded.IngestTraces.Traces[0]
	return &answerFixture{
		admin:     e.as(t, &auth.Principal{Role: auth.Admin, AllProjects: true}),
		ingester:  e.as(t, &auth.Principal{Role: auth.Ingest, Projects: []int64{p.ID}}),
		traceID:   tr.ID,
		projectID: tr.Project.ID,
	}
}

// args returns the arguments of a call of the named mutation; each call of
// those the ingest role may run writes a new object.
func (f *answerFixture) args(t *testing.T, mutation string) string {
	f.calls++
	n := f.calls
	switch mutation {
	case "ingestTraces":
		return fmt.Sprintf(`(input: [{project: "p", externalId: "answer-%d", startTime: %q}])`, n, answerTime)
	case "recordMetric":
		return fmt.Sprintf(`(input: {traceId: %q, externalId: "answer-%d", metricName: "m", score: 1, timestamp: %q})`, f.traceID, n, answerTime)
	case "createProject":
		return fmt.Sprintf(`(input: {name: "new-%d"})`, n)
	case "setProjectRetention":
		return fmt.Sprintf(`(projectId: %q, days: 1)`, f.projectID)
	case "deleteTrace":
		return fmt.Sprintf(`(id: %q)`, f.traceID)
	case "deleteProject":
		return fmt.Sprintf(`(id: %q)`, f.projectID)
	}
	t.Fatalf("mutation %s is new: say whether the ingest role may run it (ingestMutations) and give it arguments here", mutation)
	return ""
}

// written counts the traces and metrics of the fixture's project, as the admin.
func (f *answerFixture) written(t *testing.T) int {
	t.Helper()
	var data struct {
		ProjectByName struct{ Traces struct{ TotalCount int } }
		Trace         struct{ Metrics struct{ TotalCount int } }
	}
	f.admin.mustData(t, `query($t: ID!) { projectByName(name: "p") { traces { totalCount } } trace(id: $t) { metrics { totalCount } } }`,
		map[string]any{"t": f.traceID}, &data)
	return data.ProjectByName.Traces.TotalCount + data.Trace.Metrics.TotalCount
}

// ingestMutations are the mutations the ingest role may run.
var ingestMutations = []string{"ingestTraces", "recordMetric"}

// ingestAnswerPaths are all an ingest key may select in their answers: the
// ids of the written objects and the payload fields leading to them.
var ingestAnswerPaths = map[string]bool{
	"ingestTraces.__typename":        true,
	"ingestTraces.traces":            true,
	"ingestTraces.traces.__typename": true,
	"ingestTraces.traces.id":         true,
	"ingestTraces.traces.externalId": true,
	"ingestTraces.traces.databaseId": true,
	"recordMetric.__typename":        true,
	"recordMetric.id":                true,
	"recordMetric.externalId":        true,
	"recordMetric.databaseId":        true,
}

// answerPath is a chain of fields below a mutation's root field.
type answerPath []*ast.FieldDefinition

func (p answerPath) String(root string) string {
	s := root
	for _, f := range p {
		s += "." + f.Name
	}
	return s
}

// walkAnswers calls visit with every path of at most depth fields below a
// field of type typ, __typename included.
func walkAnswers(s *ast.Schema, typ *ast.Type, prefix answerPath, depth int, visit func(answerPath)) {
	def := s.Types[typ.Name()]
	if depth == 0 || def == nil || !def.IsCompositeType() {
		return
	}
	fields := []*ast.FieldDefinition{{Name: "__typename", Type: ast.NonNullNamedType("String", nil)}}
	for _, f := range def.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		p := append(slices.Clip(prefix), f)
		visit(p)
		walkAnswers(s, f.Type, p, depth-1, visit)
	}
}

// selectionTree renders the selections of many paths merged into one.
type selectionTree struct {
	field    *ast.FieldDefinition
	children []*selectionTree
}

func (n *selectionTree) add(p answerPath) {
	if len(p) == 0 {
		return
	}
	for _, c := range n.children {
		if c.field.Name == p[0].Name {
			c.add(p[1:])
			return
		}
	}
	c := &selectionTree{field: p[0]}
	n.children = append(n.children, c)
	c.add(p[1:])
}

// render writes the selection set of n's children; a composite field
// without any gets __typename, so that the document validates.
func (n *selectionTree) render(t *testing.T, s *ast.Schema, fixture *answerFixture) string {
	if len(n.children) == 0 {
		if def := s.Types[n.field.Type.Name()]; def != nil && def.IsCompositeType() {
			return " { __typename }"
		}
		return ""
	}
	var b strings.Builder
	b.WriteString(" {")
	for _, c := range n.children {
		b.WriteString(" " + c.field.Name + requiredArgs(t, s, c.field, fixture) + c.render(t, s, fixture))
	}
	b.WriteString(" }")
	return b.String()
}

func pathTree(paths ...answerPath) *selectionTree {
	root := &selectionTree{}
	for _, p := range paths {
		root.add(p)
	}
	return root
}

// requiredArgs gives f's required arguments a valid value.
func requiredArgs(t *testing.T, s *ast.Schema, f *ast.FieldDefinition, fixture *answerFixture) string {
	var args []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+argValue(t, s, a.Type, fixture))
		}
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func argValue(t *testing.T, s *ast.Schema, typ *ast.Type, fixture *answerFixture) string {
	if typ.Elem != nil {
		return "[" + argValue(t, s, typ.Elem, fixture) + "]"
	}
	def := s.Types[typ.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+argValue(t, s, f.Type, fixture))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch def.Name {
	case "ID":
		return fmt.Sprintf("%q", fixture.traceID)
	case "String":
		return `"x"`
	case "Int", "BigInt", "Float":
		return "1"
	case "Boolean":
		return "true"
	case "DateTime":
		return fmt.Sprintf("%q", answerTime)
	}
	t.Fatalf("no test value for an argument of type %s", def.Name)
	return ""
}

// lookup follows the response path of p in data, through the first item of
// lists; missing reports a key absent from its object (null or empty
// parents hide nothing).
func lookup(data json.RawMessage, root string, p answerPath) (v any, missing bool) {
	_ = json.Unmarshal(data, &v)
	for _, key := range append([]string{root}, strings.Split(p.String(""), ".")[1:]...) {
		if list, ok := v.([]any); ok && len(list) > 0 {
			v = list[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[key]; !ok {
			return nil, true
		}
	}
	return v, false
}

// TestIngestAnswersSelectOnlyIDs walks every path from the answers of the
// mutations the ingest role may run into the schema: an ingest key gets the
// ids of what it wrote and is refused anything else, before anything is
// written; the admin gets everything.
func TestIngestAnswersSelectOnlyIDs(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		f := newAnswerFixture(t, b)
		for _, m := range schema.Mutation.Fields {
			if strings.HasPrefix(m.Name, "__") {
				continue
			}
			if !slices.Contains(ingestMutations, m.Name) {
				// The role cannot run it at all; nothing else is asked of its answer.
				before := f.written(t)
				doc := "mutation { " + m.Name + f.args(t, m.Name) + " { __typename } }"
				if r := f.ingester.do(t, doc, nil); r.codeOf() != "FORBIDDEN" {
					t.Errorf("%s with an ingest key: %s, want FORBIDDEN", m.Name, r.body)
				}
				if after := f.written(t); after != before {
					t.Errorf("%s refused to an ingest key changed the store: %d -> %d traces and metrics", m.Name, before, after)
				}
				continue
			}
			var paths []answerPath
			walkAnswers(schema, m.Type, nil, answerDepth, func(p answerPath) { paths = append(paths, p) })
			written := f.written(t)
			for _, p := range paths {
				path := p.String(m.Name)
				want := ""
				for i := range p {
					if prefix := p[:i+1].String(m.Name); !ingestAnswerPaths[prefix] {
						want = prefix
						break
					}
				}
				doc := "mutation { " + m.Name + f.args(t, m.Name) + pathTree(p).render(t, schema, f) + " }"
				before := written
				r := f.ingester.do(t, doc, nil)
				after := f.written(t)
				written = after
				if want == "" {
					if id, _ := lookup(r.Data, m.Name, p); r.status != http.StatusOK || len(r.Errors) > 0 || id == nil {
						t.Errorf("%s: an ingest key may select it: %d %s", path, r.status, r.body)
					}
					if after != before+1 {
						t.Errorf("%s: %d -> %d traces and metrics, want one more", path, before, after)
					}
					continue
				}
				if r.status != http.StatusForbidden || r.codeOf() != "FORBIDDEN" || len(r.Errors) != 1 ||
					r.Errors[0].Extensions["field"] != want || r.Data != nil || !strings.Contains(r.Errors[0].Message, "only ids") {
					t.Errorf("%s: want 403 FORBIDDEN naming %s and no data, got %d %s", path, want, r.status, r.body)
				}
				if after != before {
					t.Errorf("%s: refused, yet %d -> %d traces and metrics", path, before, after)
				}
			}

			// The admin selects all of it at once.
			doc := "mutation { " + m.Name + f.args(t, m.Name) + pathTree(paths...).render(t, schema, f) + " }"
			r := f.admin.do(t, doc, nil)
			if r.status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("%s: the admin selecting every path: %d %.2000s", m.Name, r.status, r.body)
			}
			for _, p := range paths {
				if _, missing := lookup(r.Data, m.Name, p); missing {
					t.Errorf("%s: missing from the admin's answer: %.2000s", p.String(m.Name), r.body)
				}
			}
		}
	})
}

// TestIngestAnswersSeeThroughFragments checks that fragments, inline
// fragments, aliases, directives and repeated fields neither smuggle a read
// past the check nor get an allowed selection refused.
func TestIngestAnswersSeeThroughFragments(t *testing.T) {
	cases := []struct {
		name, doc, operation string
		vars                 map[string]any
		writes               int    // objects the call writes when it runs
		refused              string // the field named to an ingest key, "" when allowed
	}{
		{name: "named fragments of ids", writes: 1,
			doc: `mutation { ingestTraces(IN) { ...P } } fragment P on IngestTracesPayload { __typename traces { ...T } } fragment T on Trace { id externalId databaseId __typename }`},
		{name: "a named fragment reading the project", writes: 1, refused: "ingestTraces.traces.project",
			doc: `mutation { ingestTraces(IN) { ...P } } fragment P on IngestTracesPayload { traces { ...T } } fragment T on Trace { id project { id } }`},
		{name: "a fragment on Node", writes: 1,
			doc: `mutation { recordMetric(MET) { ...N } } fragment N on Node { id }`},
		{name: "an inline fragment on Node", writes: 1,
			doc: `mutation { ingestTraces(IN) { traces { ... on Node { id __typename } } } }`},
		{name: "an inline fragment on Trace after one on Node", writes: 1, refused: "ingestTraces.traces.totalCost",
			doc: `mutation { ingestTraces(IN) { traces { ... on Node { id } ... on Trace { totalCost } } } }`},
		{name: "an inline fragment without a type", writes: 1, refused: "ingestTraces.traces.stats",
			doc: `mutation { ingestTraces(IN) { traces { ... { stats { __typename } } } } }`},
		{name: "nested inline fragments", writes: 1, refused: "recordMetric.trace",
			doc: `mutation { recordMetric(MET) { ... on Node { ... on Metric { trace { id } } } } }`},
		{name: "recorded content", writes: 1, refused: "recordMetric.reason",
			doc: `mutation { recordMetric(MET) { id reason } }`},
		{name: "aliases of ids", writes: 1,
			doc: `mutation { i: ingestTraces(IN) { t: traces { key: externalId row: databaseId kind: __typename } } }`},
		{name: "aliases of a read", writes: 1, refused: "i.t.p",
			doc: `mutation { i: ingestTraces(IN) { t: traces { key: externalId p: project { id } } } }`},
		{name: "a read aliased as an id", writes: 1, refused: "ingestTraces.traces.id",
			doc: `mutation { ingestTraces(IN) { traces { id: totalCost } } }`},
		{name: "a field selected twice", writes: 1, refused: "ingestTraces.traces.project",
			doc: `mutation { ingestTraces(IN) { traces { id } traces { project { __typename } } } }`},
		{name: "a skipped read", writes: 1,
			doc: `mutation { ingestTraces(IN) { traces { id project @skip(if: true) { projectName } } } }`},
		{name: "an included read", writes: 1, refused: "ingestTraces.traces.project", vars: map[string]any{"v": true},
			doc: `mutation($v: Boolean!) { ingestTraces(IN) { traces { id project @include(if: $v) { projectName } } } }`},
		{name: "__typename at the root", writes: 1,
			doc: `mutation { __typename ingestTraces(IN) { __typename } }`},
		{name: "two mutations, the second reading", writes: 2, refused: "recordMetric.score",
			doc: `mutation { ingestTraces(IN) { traces { id } } recordMetric(MET) { id score } }`},
		{name: "two mutations of ids", writes: 2,
			doc: `mutation { ingestTraces(IN) { traces { id } } recordMetric(MET) { id externalId } }`},
		{name: "the chosen operation reads", writes: 1, refused: "ingestTraces.traces.duration", operation: "B",
			doc: `mutation A { ingestTraces(IN) { traces { id } } } mutation B { ingestTraces(IN) { traces { duration } } }`},
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		f := newAnswerFixture(t, b)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, caller := range []*env{f.ingester, f.admin} {
					doc := strings.ReplaceAll(c.doc, "(IN)", f.args(t, "ingestTraces"))
					doc = strings.ReplaceAll(doc, "(MET)", f.args(t, "recordMetric"))
					before := f.written(t)
					r := caller.doOperation(t, doc, c.operation, c.vars)
					after := f.written(t)
					if caller == f.admin || c.refused == "" {
						if r.status != http.StatusOK || len(r.Errors) > 0 || after != before+c.writes {
							t.Errorf("%s: want 200 and %d written, got %d -> %d: %d %s", caller.url, c.writes, before, after, r.status, r.body)
						}
						continue
					}
					if r.status != http.StatusForbidden || r.codeOf() != "FORBIDDEN" || r.Errors[0].Extensions["field"] != c.refused || r.Data != nil || after != before {
						t.Errorf("ingest key: want 403 FORBIDDEN naming %s, nothing written; got %d -> %d: %d %s", c.refused, before, after, r.status, r.body)
					}
				}
			})
		}
	})
}

// doOperation is do naming the operation to run, when there is one, and
// asking for plain JSON.
func (e *env) doOperation(t *testing.T, query, operation string, vars map[string]any) response {
	t.Helper()
	if operation == "" {
		return e.do(t, query, vars)
	}
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": operation, "variables": vars})
	return e.postAccepting(t, body, "application/json") // refusals keep their status with either media type
}
