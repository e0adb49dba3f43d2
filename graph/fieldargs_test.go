package graph_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestFieldArgumentsPerSelection resolves the same list field on many
// traces under aliases with different arguments, literal and from
// variables, and through a fragment: each trace's lists must equal those
// of the trace read alone, so arguments parsed once per request are never
// handed to another selection.
func TestFieldArgumentsPerSelection(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.Projects, scale.TracesPerProject = 1, 4
		e := newEnv(t, b, scale)
		const lists = `one: llmCalls(first: 1) { nodes { id } }
			two: llmCalls(first: $two) { nodes { id } }
			last: llmCalls(last: 2) { nodes { id } }
			...F`
		const fragment = `fragment F on Trace { frag: llmCalls(first: 3) { nodes { id } } tools: toolCalls(first: $two) { nodes { id } } }`
		var all struct {
			Traces struct{ Nodes []map[string]json.RawMessage }
		}
		e.mustData(t, `query($two: Int) { traces(first: 4) { nodes { id `+lists+` } } } `+fragment, map[string]any{"two": 2}, &all)
		if len(all.Traces.Nodes) != 4 {
			t.Fatalf("%d traces", len(all.Traces.Nodes))
		}
		for _, tr := range all.Traces.Nodes {
			var id string
			mustNil(t, json.Unmarshal(tr["id"], &id))
			var alone struct{ Trace map[string]json.RawMessage }
			e.mustData(t, `query($id: ID!, $two: Int) { trace(id: $id) { id `+lists+` } } `+fragment, map[string]any{"id": id, "two": 2}, &alone)
			for _, alias := range []string{"one", "two", "last", "frag", "tools"} {
				if got, want := string(tr[alias]), string(alone.Trace[alias]); got != want {
					t.Errorf("%s %s: %s among others, %s alone", id, alias, got, want)
				}
			}
			var sizes []int
			for _, alias := range []string{"one", "two", "last", "frag"} {
				var l struct{ Nodes []any }
				mustNil(t, json.Unmarshal(tr[alias], &l))
				sizes = append(sizes, len(l.Nodes))
			}
			if fmt.Sprint(sizes) != "[1 2 2 3]" {
				t.Errorf("%s: list sizes %v, want [1 2 2 3]", id, sizes)
			}
		}
	})
}
