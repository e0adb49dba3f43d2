package graph_test

import (
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestLargeColumnsReadOnlyWhenSelected asks for the same lists twice under
// aliases, once without their texts and once with them (and once through
// a fragment on Node): lists read without their large columns must never
// serve a selection that needs them.
func TestLargeColumnsReadOnlyWhenSelected(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.Projects, scale.TracesPerProject = 1, 3
		e := newEnv(t, b, scale)
		const query = `{ projects(first: 1) { nodes { traces(first: 3) { nodes {
			lean: llmCalls(first: 100) { nodes { id model } }
			full: llmCalls(first: 100) { nodes { id inputPrompt output } }
			frag: llmCalls(first: 100) { edges { node { ... on LLMCall { output } } } }
			leanTools: toolCalls(first: 100) { nodes { id } }
			fullTools: toolCalls(first: 100) { nodes { id output networkCalls { method } } }
			agentCalls(first: 100) { nodes { id } }
			agentIds: agentCalls(first: 100) { nodes { llmCallIds } }
			metrics(first: 100) { nodes { resultDetail } }
		} } } } }`
		type call struct {
			ID          string
			InputPrompt *string
			Output      *string
		}
		var data struct {
			Projects struct {
				Nodes []struct {
					Traces struct {
						Nodes []struct {
							Lean struct{ Nodes []call }
							Full struct{ Nodes []call }
							Frag struct {
								Edges []struct{ Node call }
							}
							FullTools struct {
								Nodes []struct {
									Output       *string
									NetworkCalls []struct{ Method string }
								}
							}
							AgentIDs struct {
								Nodes []struct{ LlmCallIds []string }
							} `json:"agentIds"`
							Metrics struct {
								Nodes []struct{ ResultDetail any }
							}
						}
					}
				}
			}
		}
		e.mustData(t, query, nil, &data)
		traces := data.Projects.Nodes[0].Traces.Nodes
		if len(traces) != 3 {
			t.Fatalf("%d traces", len(traces))
		}
		texts, ids, details := 0, 0, 0
		for _, tr := range traces {
			if len(tr.Full.Nodes) == 0 || len(tr.Full.Nodes) != len(tr.Lean.Nodes) || len(tr.Frag.Edges) != len(tr.Full.Nodes) {
				t.Fatalf("lists differ: %d lean, %d full, %d by fragment", len(tr.Lean.Nodes), len(tr.Full.Nodes), len(tr.Frag.Edges))
			}
			for i, c := range tr.Full.Nodes {
				if c.InputPrompt != nil && c.Output != nil {
					texts++
				}
				if (c.Output == nil) != (tr.Frag.Edges[i].Node.Output == nil) {
					t.Errorf("the fragment's output differs from the full list's")
				}
			}
			for _, c := range tr.FullTools.Nodes {
				if c.Output != nil {
					texts++
				}
			}
			for _, a := range tr.AgentIDs.Nodes {
				ids += len(a.LlmCallIds)
			}
			for _, m := range tr.Metrics.Nodes {
				if m.ResultDetail != nil {
					details++
				}
			}
		}
		if texts == 0 || ids == 0 || details == 0 {
			t.Fatalf("large columns missing where selected: %d texts, %d id list entries, %d metric details", texts, ids, details)
		}
	})
}
