package graph_test

import (
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// listsOf reach many rows of each type that has batch resolvers; %s is
// the selection on those rows.
var listsOf = map[string]string{
	"Project":         `projects(first: 10) { nodes { %s } }`,
	"Trace":           `traces(first: 50) { nodes { %s } }`,
	"AgentCall":       `traces(first: 50) { nodes { agentCalls { nodes { %s } } } }`,
	"LLMCall":         `traces(first: 50) { nodes { llmCalls { nodes { %s } } } }`,
	"ToolCall":        `traces(first: 50) { nodes { toolCalls { nodes { %s } } } }`,
	"UserInteraction": `traces(first: 50) { nodes { userInteractions { nodes { %s } } } }`,
	"TraceError":      `traces(first: 50) { nodes { errors { nodes { %s } } } }`,
	"Metric":          `traces(first: 50) { nodes { metrics { nodes { %s } } } }`,
	"SystemInfo":      `traces(first: 50) { nodes { systemInfo { %s } } }`,
}

// listsExempt are types with batch resolvers that no list of parents
// spreads over levels: an analytics answer is one list of rows.
var listsExempt = map[string]bool{"AnalyticsRow": true}

// TestEveryEdgeBatches takes every batch resolver of gqlgen.yml, selects
// it on many sibling parents spread over several lists, and requires the
// same number of statements on a small data set and on a large one.
func TestEveryEdgeBatches(t *testing.T) {
	cfg, err := config.LoadConfig("../gqlgen.yml")
	if err != nil {
		t.Fatal(err)
	}
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphqls", Input: mustRead(t, "../schema.graphqls")})
	var queries []string
	for typeName, m := range cfg.Models {
		for field, f := range m.Fields {
			if f.Batch == nil || !*f.Batch {
				continue
			}
			if listsExempt[typeName] {
				continue
			}
			list, ok := listsOf[typeName]
			if !ok {
				t.Errorf("%s.%s is a batch resolver, but the test has no list of %s: add one to listsOf", typeName, field, typeName)
				continue
			}
			queries = append(queries, "{ "+fmt.Sprintf(list, field+selectionOf(schema, typeName, field))+" }")
		}
	}
	sort.Strings(queries)
	t.Logf("%d batch resolvers", len(queries))
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		small, large := demo.DefaultScale(), demo.DefaultScale()
		small.Projects, small.TracesPerProject, small.ErrorEvery = 1, 2, 1
		large.Projects, large.TracesPerProject, large.ErrorEvery = 4, 12, 1
		statements := map[string][]int64{}
		for _, scale := range []demo.Scale{small, large} {
			e := newEnv(t, b, scale)
			n := countStatements(t, e.store)
			for _, q := range queries {
				before := n.Load()
				var data map[string]any
				e.mustData(t, q, nil, &data)
				statements[q] = append(statements[q], n.Load()-before)
			}
		}
		for _, q := range queries {
			if c := statements[q]; c[0] != c[1] {
				t.Errorf("%s: %d statements on %d traces, %d on %d", q, c[0], small.Projects*small.TracesPerProject, c[1], large.Projects*large.TracesPerProject)
			}
		}
	})
}

// selectionOf is a minimal selection of a field's value.
func selectionOf(schema *ast.Schema, typeName, field string) string {
	def := schema.Types[schema.Types[typeName].Fields.ForName(field).Type.Name()]
	switch {
	case def.Kind == ast.Scalar || def.Kind == ast.Enum:
		return ""
	case def.Fields.ForName("nodes") != nil:
		return " { totalCount nodes { __typename } }"
	}
	return " { __typename }"
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
