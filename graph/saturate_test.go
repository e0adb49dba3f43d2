package graph_test

import (
	"math"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestTokenRollupsSaturate stores calls whose tokens sum past 2^63 (written
// by SQL: ingestion refuses such counts) and totals next to the top of the
// range. Every sum read (trace, agent and project stats, analytics) and
// every total written (new traces, merged ones, a recount after a delete)
// stops at the largest 64-bit integer, on both databases, instead of
// failing or, on SQLite, turning REAL.
func TestTokenRollupsSaturate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		e.ingestTraces(t, runningTrace(true))
		g := e.store.Gorm()
		var ids struct{ Project, Trace, Agent int64 }
		mustNil(t, g.Raw(`SELECT t.project_id AS project, t.id AS trace, a.id AS agent FROM traces t JOIN agent_call a ON a.trace_id = t.id`).Scan(&ids).Error)
		at := time.Date(2026, 2, 1, 10, 0, 1, 0, time.UTC)
		for i := 0; i < 3; i++ {
			mustNil(t, g.Exec(`INSERT INTO llm_call (project_id, trace_id, agent_id, name, start_time, input_tokens, total_tokens) VALUES (?, ?, ?, 'huge', ?, ?, ?)`,
				ids.Project, ids.Trace, ids.Agent, at, int64(1)<<62, int64(1)<<62).Error)
		}
		const most = int64(math.MaxInt64)

		var read struct {
			ProjectByName struct {
				ID     string
				Stats  struct{ Tokens struct{ Input, Total int64 } }
				Traces struct {
					Nodes []struct {
						Stats      struct{ Tokens struct{ Input, Total int64 } }
						AgentCalls struct {
							Nodes []struct {
								Stats struct{ Tokens struct{ Input, Total int64 } }
							}
						}
					}
				}
			}
		}
		e.mustData(t, `{ projectByName(name: "checkout-bot") { id stats { tokens { input total } }
			traces { nodes { stats { tokens { input total } } agentCalls { nodes { stats { tokens { input total } } } } } } } }`, nil, &read)
		p := read.ProjectByName
		if p.Stats.Tokens.Input != most || p.Stats.Tokens.Total != most {
			t.Errorf("project stats %+v, want both at 2^63-1", p.Stats.Tokens)
		}
		if len(p.Traces.Nodes) != 1 || p.Traces.Nodes[0].Stats.Tokens.Total != most || p.Traces.Nodes[0].Stats.Tokens.Input != most {
			t.Fatalf("trace stats %+v, want totals at 2^63-1", p.Traces.Nodes)
		}
		if a := p.Traces.Nodes[0].AgentCalls.Nodes; len(a) != 1 || a[0].Stats.Tokens.Total != most {
			t.Errorf("agent stats %+v, want totals at 2^63-1", a)
		}
		var analytics struct {
			Analytics []struct{ Tokens struct{ Input, Total int64 } }
		}
		e.mustData(t, `query($p: ID!) { analytics(projectId: $p, source: LLM_CALLS, timeRange: {from: "2026-02-01T00:00:00Z", to: "2026-02-02T00:00:00Z"}) { tokens { input total } } }`,
			map[string]any{"p": p.ID}, &analytics)
		if len(analytics.Analytics) != 1 || analytics.Analytics[0].Tokens.Total != most || analytics.Analytics[0].Tokens.Input != most {
			t.Errorf("analytics %+v, want totals at 2^63-1", analytics.Analytics)
		}

		// Totals next to the top take more without failing.
		mustNil(t, g.Exec(`UPDATE project_info SET total_tokens = ?`, most-10).Error)
		mustNil(t, g.Exec(`UPDATE traces SET total_tokens = ?`, most-10).Error)
		merged := runningTrace(true)
		agentLLM(merged)["tokenUsage"] = map[string]any{"input": 5000, "completion": 200}
		e.ingestTraces(t, merged) // the stored call grows by 4000 tokens
		other := runningTrace(true)
		other["externalId"], other["errors"] = "run-43", nil
		other["agentCalls"].([]any)[0].(map[string]any)["externalId"] = "agent-b"
		agentLLM(other)["externalId"] = "llm-2"
		other["agentCalls"].([]any)[0].(map[string]any)["toolCalls"].([]any)[0].(map[string]any)["externalId"] = "tool-2"
		var written struct {
			IngestTraces struct {
				Traces []struct {
					ID          string
					TotalTokens int64
				}
			}
		}
		e.mustData(t, `mutation($in: [TraceInput!]!) { ingestTraces(input: $in) { traces { id totalTokens } } }`, map[string]any{"in": []any{other}}, &written)
		checkTotals := func(when string, wantTrace int64) {
			t.Helper()
			var totals struct {
				Projects struct{ Nodes []struct{ TotalTokens int64 } }
				Traces   struct{ Nodes []struct{ TotalTokens int64 } }
			}
			e.mustData(t, `{ projects { nodes { totalTokens } } traces(orderBy: {field: TOKENS}) { nodes { totalTokens } } }`, nil, &totals)
			if n := totals.Projects.Nodes; len(n) != 1 || n[0].TotalTokens != most {
				t.Errorf("%s: project totals %+v, want 2^63-1", when, n)
			}
			if n := totals.Traces.Nodes; len(n) == 0 || n[0].TotalTokens != wantTrace { // largest first
				t.Errorf("%s: trace totals %+v, want the largest %d", when, n, wantTrace)
			}
			if b.Name == "sqlite" {
				var types []string
				mustNil(t, g.Raw(`SELECT typeof(total_tokens) FROM project_info UNION ALL SELECT typeof(total_tokens) FROM traces`).Scan(&types).Error)
				for _, ty := range types {
					if ty != "integer" {
						t.Errorf("%s: a total is %s: %v", when, ty, types)
					}
				}
			}
		}
		checkTotals("after two writes", most)
		if tr := written.IngestTraces.Traces; len(tr) != 1 || tr[0].TotalTokens != 1200 {
			t.Errorf("new trace %+v, want 1200 tokens", tr)
		}

		// Deleting a trace recounts the project from its calls.
		var deleted struct{ DeleteTrace struct{ DeletedID string } }
		e.mustData(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": written.IngestTraces.Traces[0].ID}, &deleted)
		checkTotals("after a delete", most)
	})
}
