package db_test

import (
	"context"
	"testing"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestProjectScopeInEveryRead checks that a context limited to some
// projects (an API key's) reads nothing of the others, through every way a
// list statement is built: a few parents, and more than SQLite's
// per-parent subqueries allow.
func TestProjectScopeInEveryRead(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		parents := seedTraces(t, store, 230, 3)
		allowed := map[int64]bool{parents[1]: true, parents[200]: true}
		ctx := db.WithProjectScope(context.Background(), []int64{parents[1], parents[200]})

		for _, keys := range [][]int64{parents[:5], parents} {
			pages, err := db.ListByParent[db.Trace](ctx, store, db.ByProject, keys, db.Cond{}, db.TraceOrder, db.Page{Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			counts, err := db.CountByParent[db.Trace](ctx, store, db.ByProject, keys, db.Cond{})
			if err != nil {
				t.Fatal(err)
			}
			for i, page := range pages {
				want := 0
				if allowed[keys[i]] {
					want = 2
				}
				if len(page.Rows) != want || (want == 0 && counts[i] != 0) || (want > 0 && counts[i] != 3) {
					t.Fatalf("%d parents: project %d has %d rows, count %d; want %d rows", len(keys), keys[i], len(page.Rows), counts[i], want)
				}
			}
		}

		projects, err := db.FindByIDs[db.Project](ctx, store, []int64{parents[0], parents[1], parents[2]})
		if err != nil || projects[0] != nil || projects[1] == nil || projects[2] != nil {
			t.Fatalf("FindByIDs across the scope: %v, %v", projects, err)
		}
		list, err := db.List[db.Trace](ctx, store, db.Cond{}, db.TraceOrder, db.Page{Limit: 100})
		if err != nil || len(list.Rows) != 6 {
			t.Fatalf("List: %d rows, %v; want the 6 traces of 2 projects", len(list.Rows), err)
		}
		for _, tr := range list.Rows {
			if !allowed[tr.ProjectID] {
				t.Fatalf("List returned a trace of project %d", tr.ProjectID)
			}
		}
		if n, err := db.Count[db.Project](ctx, store, db.Cond{}); err != nil || n != 2 {
			t.Fatalf("Count of projects: %d, %v", n, err)
		}
		if _, err := store.FindProjectByName(ctx, "p0"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("FindProjectByName outside the scope: %v", err)
		}
		if err := store.DeleteProject(ctx, parents[0]); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("DeleteProject outside the scope: %v", err)
		}
		if n, _ := db.Count[db.Project](context.Background(), store, db.Cond{}); n != 230 {
			t.Fatalf("%d projects left, want 230", n)
		}

		none := db.WithProjectScope(context.Background(), nil)
		if n, err := db.Count[db.Trace](none, store, db.Cond{}); err != nil || n != 0 {
			t.Fatalf("an empty scope counts %d traces, %v", n, err)
		}
	})
}
