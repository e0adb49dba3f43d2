package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestOptionalColumnsServeTheirFields selects every field whose column a
// list reads only on demand, alone beside a lean alias of the same list,
// and compares each row's value with the same row read whole through
// Query.nodes: a column left out must never leave its field empty.
func TestOptionalColumnsServeTheirFields(t *testing.T) {
	lists := map[string]string{"LLMCall": "llmCalls", "ToolCall": "toolCalls", "AgentCall": "agentCalls",
		"TraceError": "errors", "Metric": "metrics", "UserInteraction": "userInteractions"}
	sub := map[string]string{"networkCalls": " { method url statusCode }"}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.Projects, scale.TracesPerProject = 1, 20 // every tenth trace has errors
		e := newEnv(t, b, scale)
		for typeName, fields := range graph.OptionalFields() {
			list, ok := lists[typeName]
			if !ok {
				t.Fatalf("no list of %s in this test", typeName)
			}
			for _, field := range fields {
				t.Run(typeName+"."+field, func(t *testing.T) {
					sel := field + sub[field]
					q := fmt.Sprintf(`{ traces(first: 20) { nodes { lean: %[1]s(first: 100) { nodes { id } } one: %[1]s(first: 100) { nodes { id %[2]s } } } } }`, list, sel)
					var listed struct {
						Traces struct {
							Nodes []struct {
								One struct{ Nodes []map[string]json.RawMessage }
							}
						}
					}
					e.mustData(t, q, nil, &listed)
					var ids []string
					got := map[string]json.RawMessage{}
					for _, tr := range listed.Traces.Nodes {
						for _, n := range tr.One.Nodes {
							var id string
							mustNil(t, json.Unmarshal(n["id"], &id))
							ids = append(ids, id)
							got[id] = n[field]
						}
					}
					if len(ids) == 0 {
						t.Fatal("no rows")
					}
					var whole struct{ Nodes []map[string]json.RawMessage }
					e.mustData(t, fmt.Sprintf(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on %s { %s } } }`, typeName, sel), map[string]any{"ids": ids}, &whole)
					set := 0
					for _, n := range whole.Nodes {
						var id string
						mustNil(t, json.Unmarshal(n["id"], &id))
						if !bytes.Equal(got[id], n[field]) {
							t.Fatalf("%s: listed %s, whole %s", id, got[id], n[field])
						}
						if string(n[field]) != "null" {
							set++
						}
					}
					if len(whole.Nodes) != len(ids) || set == 0 {
						t.Fatalf("%d rows read whole of %d, %d with a value: the test proves nothing", len(whole.Nodes), len(ids), set)
					}
				})
			}
		}
	})
}
