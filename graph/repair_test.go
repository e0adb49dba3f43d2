package graph_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestMigrationRepairsOverflowedTotals builds, by SQL at schema version 8,
// what token counts near 2^63 left behind before ingestion refused them
// (on SQLite totals turned REAL; on PostgreSQL they sit at the edge of
// bigint), migrates, and checks that projects and traces read again, the
// values are in their ranges, the totals are recounted, an untouched
// project keeps its totals, and the project takes new traces.
func TestMigrationRepairsOverflowedTotals(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		url := b.NewURL(t)
		store := dbtest.MustOpenURL(t, url, db.Options{SkipMigrations: true})
		mustNil(t, store.Migrate(ctx, 8))
		g := store.Gorm()
		at := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		exec := func(sql string, args ...any) { t.Helper(); mustNil(t, g.Exec(sql, args...).Error) }
		exec(`INSERT INTO project_info (id, project_name, start_time, end_time) VALUES (1, 'checkout-bot', ?, ?), (2, 'healthy', ?, ?)`, at, at, at, at)
		exec(`INSERT INTO traces (id, project_id, external_id, start_time) VALUES (1, 1, 'old', ?), (2, 2, 'fine', ?)`, at, at)
		exec(`INSERT INTO llm_call (id, project_id, trace_id, name, start_time, input_tokens, total_tokens, total_cost, memory_used)
			VALUES (1, 1, 1, 'huge', ?, ?, ?, 1e300, ?), (2, 1, 1, 'small', ?, 60, 100, 0.5, 10), (3, 2, 2, 'fine', ?, 40, 42, 0.25, 10)`,
			at, int64(1)<<62, int64(1)<<62, int64(1)<<62, at, at)
		exec(`INSERT INTO tool_call (project_id, trace_id, name, start_time, memory_used) VALUES (1, 1, 'search', ?, ?)`, at, -(int64(1) << 62))
		exec(`INSERT INTO metrics (project_id, trace_id, metric_name, score, timestamp) VALUES (1, 1, 'm', 1e300, ?)`, at)
		exec(`UPDATE traces SET total_tokens = 42, total_cost = 0.25 WHERE id = 2`)
		exec(`UPDATE project_info SET total_tokens = 42, total_cost = 0.25 WHERE id = 2`)
		if b.Name == "sqlite" {
			// What SQLite did: an integer total pushed past 2^63 turned REAL.
			exec(`UPDATE traces SET total_tokens = 9223372036854775807, total_cost = 1e300 WHERE id = 1`)
			exec(`UPDATE traces SET total_tokens = total_tokens + 100 WHERE id = 1`)
			exec(`UPDATE project_info SET total_tokens = (SELECT total_tokens FROM traces WHERE id = 1), total_cost = 1e300 WHERE id = 1`)
			var ty string
			mustNil(t, g.Raw(`SELECT typeof(total_tokens) FROM project_info WHERE id = 1`).Scan(&ty).Error)
			if ty != "real" {
				t.Fatalf("the broken state has a %s total, want real", ty)
			}
		} else {
			// What PostgreSQL kept: totals at the edge, which no write could add to.
			exec(`UPDATE traces SET total_tokens = ?, total_cost = 1e300 WHERE id = 1`, int64(1)<<62+100)
			exec(`UPDATE project_info SET total_tokens = ?, total_cost = 1e300 WHERE id = 1`, int64(1)<<62+100)
		}

		if b.Name == "postgres" {
			// Rows inserted with their ids leave the identity sequences behind.
			for _, table := range []string{"project_info", "traces", "llm_call", "tool_call", "metrics"} {
				exec(`SELECT setval(pg_get_serial_sequence('` + table + `', 'id'), (SELECT MAX(id) FROM ` + table + `))`)
			}
		}
		mustNil(t, store.Migrate(ctx, db.LatestVersion()))
		srv := httptest.NewServer(graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait}))
		t.Cleanup(srv.Close)
		e := &env{store: store, url: srv.URL}

		type project struct {
			ProjectName string
			TotalTokens int64
			TotalCost   float64
			Traces      struct {
				Nodes []struct {
					ExternalID  string
					TotalTokens int64
					TotalCost   float64
					LLMCalls    struct {
						Nodes []struct {
							Name       string
							MemoryUsed int64
							TokenUsage struct{ Input, Total int64 }
						}
					}
					ToolCalls struct{ Nodes []struct{ MemoryUsed int64 } }
					Metrics   struct{ Nodes []struct{ Score float64 } }
				}
			}
		}
		read := func() map[string]project {
			var data struct{ Projects struct{ Nodes []project } }
			e.mustData(t, `{ projects { nodes { projectName totalTokens totalCost traces(orderBy: {field: START_TIME, direction: ASC}) { nodes {
				externalId totalTokens totalCost llmCalls { nodes { name memoryUsed tokenUsage { input total } } }
				toolCalls { nodes { memoryUsed } } metrics { nodes { score } } } } } } }`, nil, &data)
			out := map[string]project{}
			for _, p := range data.Projects.Nodes {
				out[p.ProjectName] = p
			}
			return out
		}
		const repairedTokens, repairedCost = 3_000_000_000 + 100, 3_000_000 + 0.5
		p := read()
		broken, healthy := p["checkout-bot"], p["healthy"]
		if broken.TotalTokens != repairedTokens || broken.TotalCost != repairedCost {
			t.Errorf("repaired project totals %d, %v; want %d, %v", broken.TotalTokens, broken.TotalCost, int64(repairedTokens), repairedCost)
		}
		if healthy.TotalTokens != 42 || healthy.TotalCost != 0.25 {
			t.Errorf("untouched project totals %d, %v; want 42, 0.25", healthy.TotalTokens, healthy.TotalCost)
		}
		if tr := broken.Traces.Nodes; len(tr) != 1 || tr[0].TotalTokens != repairedTokens || tr[0].TotalCost != repairedCost {
			t.Fatalf("repaired trace %+v", tr)
		}
		tr := broken.Traces.Nodes[0]
		for _, c := range tr.LLMCalls.Nodes {
			if c.Name == "huge" && (c.TokenUsage.Input != 1_000_000_000 || c.TokenUsage.Total != 3_000_000_000 || c.MemoryUsed != 1<<50) {
				t.Errorf("clamped call %+v", c)
			}
		}
		if m := tr.ToolCalls.Nodes; len(m) != 1 || m[0].MemoryUsed != -(1<<50) {
			t.Errorf("clamped tool call %+v", m)
		}
		if m := tr.Metrics.Nodes; len(m) != 1 || m[0].Score != 1e12 {
			t.Errorf("clamped metric %+v", m)
		}
		if b.Name == "sqlite" {
			var types []string
			mustNil(t, g.Raw(`SELECT typeof(total_tokens) FROM project_info UNION ALL SELECT typeof(total_tokens) FROM traces`).Scan(&types).Error)
			for _, ty := range types {
				if ty != "integer" {
					t.Errorf("a total is %s after the repair: %v", ty, types)
				}
			}
		}

		// The project takes traces again: 1200 tokens, priced, on top.
		e.ingestTraces(t, runningTrace(true))
		if got := read()["checkout-bot"]; got.TotalTokens != repairedTokens+1200 || got.TotalCost <= repairedCost {
			t.Errorf("after a new trace: %d tokens, %v USD", got.TotalTokens, got.TotalCost)
		}
	})
}
