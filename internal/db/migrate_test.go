package db_test

import (
	"context"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestMigrateUpgradesVersion1 builds a database at the first schema version
// (AgentNeo's JSON token and cost columns), fills it the way AgentNeo does,
// and checks that upgrading keeps every row and backfills the numeric columns.
func TestMigrateUpgradesVersion1(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		url := b.NewURL(t)
		old := dbtest.MustOpenURL(t, url, db.Options{SkipMigrations: true})
		if err := old.Migrate(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if v, err := old.SchemaVersion(ctx); err != nil || v != 1 {
			t.Fatalf("version = %d, %v; want 1", v, err)
		}
		g := old.Gorm()
		mustExec(t, g.Exec(`INSERT INTO project_info (id, project_name) VALUES (1, 'legacy')`).Error)
		mustExec(t, g.Exec(`INSERT INTO traces (id, project_id, start_time) VALUES (1, 1, ?)`, "2025-03-01 10:00:00+00:00").Error)
		rows := []struct {
			id          int
			usage, cost any
		}{
			{1, `{"input": 100, "completion": 40, "reasoning": 10}`, `{"input": 0.001, "output": 0.004, "reasoning": 0.002}`},
			{2, `{"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 12}`, `{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 1}`},
			{3, `42`, `0.125`},
			{4, nil, nil},
		}
		for _, r := range rows {
			mustExec(t, g.Exec(`INSERT INTO llm_call (id, project_id, trace_id, name, start_time, token_usage, cost) VALUES (?, 1, 1, 'chat', ?, ?, ?)`,
				r.id, "2025-03-01 10:00:01+00:00", r.usage, r.cost).Error)
		}

		if err := old.Migrate(ctx, db.LatestVersion()); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		upgraded := dbtest.MustOpenURL(t, url, db.Options{}) // a second start migrates nothing
		calls, err := db.FindByIDs[db.LLMCall](ctx, upgraded, []int64{1, 2, 3, 4})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			tokens db.TokenUsage
			cost   db.Cost
		}{
			{db.TokenUsage{Input: 100, Completion: 40, Reasoning: 10, Total: 150}, db.Cost{Input: 0.001, Output: 0.004, Reasoning: 0.002, Total: 0.007}},
			{db.TokenUsage{Input: 7, Completion: 3, Total: 12}, db.Cost{Input: 0.5, Output: 0.25, Total: 1}},
			{db.TokenUsage{Total: 42}, db.Cost{Total: 0.125}},
			{db.TokenUsage{}, db.Cost{}},
		}
		for i, c := range calls {
			if c == nil {
				t.Fatalf("llm_call %d lost in the upgrade", i+1)
			}
			if c.Tokens != want[i].tokens {
				t.Errorf("llm_call %d tokens = %+v, want %+v", i+1, c.Tokens, want[i].tokens)
			}
			if !closeCost(c.Cost, want[i].cost) {
				t.Errorf("llm_call %d cost = %+v, want %+v", i+1, c.Cost, want[i].cost)
			}
		}
		if calls[0].TokenUsageJSON == nil || calls[3].TokenUsageJSON != nil {
			t.Errorf("original token_usage column not kept: %q, %q", calls[0].TokenUsageJSON, calls[3].TokenUsageJSON)
		}
		if v, err := upgraded.SchemaVersion(ctx); err != nil || v != db.LatestVersion() {
			t.Fatalf("version = %d, %v; want %d", v, err, db.LatestVersion())
		}
		if p, err := upgraded.FindProjectByName(ctx, "legacy"); err != nil || p.ID != 1 {
			t.Fatalf("project after upgrade = %+v, %v", p, err)
		}
	})
}

func closeCost(a, b db.Cost) bool {
	near := func(x, y float64) bool { return x-y < 1e-12 && y-x < 1e-12 }
	return near(a.Input, b.Input) && near(a.Output, b.Output) && near(a.Reasoning, b.Reasoning) && near(a.Total, b.Total)
}

func mustExec(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
