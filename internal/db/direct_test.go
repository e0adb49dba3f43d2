package db_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// Page reads outside transactions go straight through pgx on PostgreSQL;
// inside one they go through GORM and database/sql. Both must read the
// same rows, NULLs, texts, JSON documents and times alike, and the direct
// ones must reach the store's statement observers.
func TestDirectReadsReadWhatGormReads(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		project, err := store.EnsureProject(ctx, "direct")
		if err != nil {
			t.Fatal(err)
		}
		str := func(s string) *string { return &s }
		num := func(f float64) *float64 { return &f }
		start := time.Date(2026, 2, 1, 10, 0, 0, 123456000, time.FixedZone("CET", 3600))
		end := start.Add(1500 * time.Millisecond)
		w := &db.TraceWrite{
			Trace: db.Trace{StartTime: start, EndTime: &end, ExternalID: str("t-1")},
			Agents: []db.AgentWrite{{Agent: db.AgentCall{Name: "a", StartTime: start, ExternalID: str("a-1")},
				LLMCalls: []db.LLMCall{
					{Name: "full", Model: str("gpt-4o"), InputPrompt: str("é \"q\" \\ \u2028 <&>"), Output: str(""), StartTime: start, EndTime: &end,
						Tokens: db.TokenUsage{Input: 1 << 40, Completion: 2, Total: 1<<40 + 2}, Cost: db.Cost{Input: 0.1, Output: 0.2, Total: 0.30000000000000004}},
					{Name: "bare", StartTime: end},
				},
				ToolCalls: []db.ToolCall{{Name: "tool", StartTime: start, NetworkCalls: db.NewJSON([]db.NetworkCall{{URL: "https://x.example", StatusCode: new(int)}})}},
			}},
			Errors:  []db.TraceError{{ErrorType: "Tool", ErrorMessage: str("boom"), Timestamp: end}},
			Metrics: []db.Metric{{MetricName: "m", Score: num(-0.5), ResultDetail: db.RawJSON(`{"a":[1,"x",null]}`), Timestamp: end}, {MetricName: "n", Timestamp: start}},
		}
		if err := store.UpsertTraces(ctx, []db.ProjectTrace{{ProjectID: project.ID, Write: w}}); err != nil {
			t.Fatal(err)
		}
		var direct atomic.Int64
		store.OnDirectStatement("test:direct", func(_ context.Context, s db.DirectStatement) {
			if s.Table == "" || s.SQL == "" {
				t.Errorf("direct statement without its table or SQL: %+v", s)
			}
			direct.Add(1)
		})
		traces := []int64{w.Trace.ID}
		page := db.Page{Limit: 10}
		compare := func(name string, read func(d *db.DB) (any, error)) {
			t.Helper()
			before := direct.Load()
			outside, err := read(store)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			readsDirect := direct.Load() > before
			if readsDirect != (store.Dialect() == db.Postgres) {
				t.Errorf("%s: read directly = %v on %s", name, readsDirect, store.Dialect())
			}
			var inside any
			err = store.Transaction(ctx, func(tx *db.DB) error {
				before := direct.Load()
				inside, err = read(tx)
				if direct.Load() != before {
					t.Errorf("%s: a read inside a transaction went around it", name)
				}
				return err
			})
			if err != nil {
				t.Fatalf("%s in a transaction: %v", name, err)
			}
			if !reflect.DeepEqual(outside, inside) {
				t.Errorf("%s: read outside a transaction\n%+v\ninside one\n%+v", name, outside, inside)
			}
		}
		compare("llm calls", func(d *db.DB) (any, error) {
			return db.ListByParent[db.LLMCall](ctx, d, db.ByTrace, traces, db.Cond{}, db.StartTimeOrder, page)
		})
		compare("tool calls", func(d *db.DB) (any, error) {
			return db.ListByParent[db.ToolCall](ctx, d, db.ByTrace, traces, db.Cond{}, db.StartTimeOrder, page)
		})
		compare("agent calls", func(d *db.DB) (any, error) {
			return db.ListByParent[db.AgentCall](ctx, d, db.ByTrace, traces, db.Cond{}, db.StartTimeOrder, page)
		})
		compare("errors", func(d *db.DB) (any, error) {
			return db.ListByParent[db.TraceError](ctx, d, db.ByTrace, traces, db.Cond{}, db.TimestampOrder, page)
		})
		compare("metrics", func(d *db.DB) (any, error) {
			return db.ListByParent[db.Metric](ctx, d, db.ByTrace, traces, db.Cond{}, db.ScoreOrder, page)
		})
		compare("traces", func(d *db.DB) (any, error) {
			return db.ListByParent[db.Trace](ctx, d, db.ByProject, []int64{project.ID}, db.Cond{}, db.TraceOrder, page)
		})
	})
}
