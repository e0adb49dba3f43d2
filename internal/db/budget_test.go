package db_test

import (
	"context"
	"testing"
	"unsafe"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestReadsChargeTheRequestBudget checks that rows are charged as they are
// read (JSON columns that decode themselves by the bytes they came from),
// that a read stops at the row over the budget, that no statement runs once
// the budget is spent, and that charging allocates nothing per row.
func TestReadsChargeTheRequestBudget(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		seedTraces(t, store, 1, 50)
		list := func(ctx context.Context) error {
			_, err := db.List[db.Trace](ctx, store, db.Cond{}, db.ProjectOrder, db.Page{Limit: 100})
			return err
		}
		roomy := budget.New(1 << 30)
		if err := list(budget.With(context.Background(), roomy)); err != nil {
			t.Fatal(err)
		}
		perRow := roomy.Used() / 50
		if perRow < 256 || roomy.Used()%50 != 0 {
			t.Fatalf("50 rows charged %d bytes", roomy.Used())
		}

		tight := budget.New(10 * perRow)
		ctx := budget.With(context.Background(), tight)
		if err := list(ctx); apperr.CodeOf(err) != apperr.ResponseTooLarge {
			t.Fatalf("a read over the budget: %v", err)
		}
		if tight.Used() != 11*perRow {
			t.Errorf("charged %d rows, want the scan to stop at the 11th", tight.Used()/perRow)
		}
		ran := 0
		store.OnDirectStatement("test:ran", func(context.Context, db.DirectStatement) { ran++ })
		if err := store.Gorm().Callback().Row().After("gorm:row").Register("test:ran", func(tx *gorm.DB) {
			if tx.Error == nil {
				ran++
			}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Count[db.Trace](ctx, store, db.Cond{}); apperr.CodeOf(err) != apperr.ResponseTooLarge || ran != 0 {
			t.Errorf("a statement after the budget was spent: %v, %d ran", err, ran)
		}
		if err := list(ctx); apperr.CodeOf(err) != apperr.ResponseTooLarge || ran != 0 {
			t.Errorf("a read after the budget was spent: %v, %d ran", err, ran)
		}

		// Tool calls have text and JSON columns (network_calls decodes itself).
		if err := demo.Load(context.Background(), store, 1, demo.DefaultScale()); err != nil {
			t.Fatal(err)
		}
		listTools := func(ctx context.Context) error {
			_, err := db.List[db.ToolCall](ctx, store, db.Cond{}, db.ProjectOrder, db.Page{Limit: 100})
			return err
		}
		roomy = budget.New(1 << 30)
		tools, err := db.List[db.ToolCall](budget.With(context.Background(), roomy), store, db.Cond{}, db.ProjectOrder, db.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		texts, calls := 0, 0
		for _, c := range tools.Rows {
			texts += len(c.Name) + len(deref(c.InputParameters)) + len(deref(c.Output)) + len(deref(c.ExternalID)) + len(deref(c.AgentExternalID))
			calls += len(c.Calls())
		}
		if base := int64(texts) + int64(len(tools.Rows))*(int64(unsafe.Sizeof(db.ToolCall{}))+256); calls == 0 || roomy.Used() <= base {
			t.Errorf("tool calls charged %d, their texts without network_calls %d (%d network calls)", roomy.Used(), base, calls)
		}
		for name, read := range map[string]func(context.Context) error{"traces": list, "tool calls": listTools} {
			// The least of a few rounds: the pool's and the driver's own
			// goroutines allocate now and then, more under the race detector.
			without := leastAllocs(func() { _ = read(context.Background()) })
			with := leastAllocs(func() { _ = read(budget.With(context.Background(), budget.New(1<<40))) })
			if with-without > 8 {
				t.Errorf("%s: charging took %.0f allocations more (%.0f without a budget)", name, with-without, without)
			}
		}
	})
}

// leastAllocs is the fewest allocations of f over a few rounds of runs.
func leastAllocs(f func()) float64 {
	least := testing.AllocsPerRun(5, f)
	for range 3 {
		least = min(least, testing.AllocsPerRun(5, f))
	}
	return least
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
