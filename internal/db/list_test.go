package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// seedTraces creates projects with n traces each; every third trace shares
// its start time with the previous one, so ties must break by id.
func seedTraces(t *testing.T, store *db.DB, projects, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for p := range projects {
		proj, err := store.EnsureProject(ctx, fmt.Sprintf("p%d", p))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, proj.ID)
		for i := range n {
			start := t0.Add(time.Duration(i-i/3) * time.Second)
			end := start.Add(1500 * time.Millisecond)
			tree := &db.TraceWrite{Trace: db.Trace{StartTime: start, EndTime: &end}}
			if err := store.UpsertTraces(ctx, []db.ProjectTrace{{ProjectID: proj.ID, Write: tree}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

// walk pages through every parent's traces with the given page size, forward
// or backward, and returns the ids seen per parent in list order.
func walk(t *testing.T, store *db.DB, parents []int64, size int, backward bool) [][]int64 {
	t.Helper()
	ctx := context.Background()
	seen := make([][]int64, len(parents))
	cursors := make([]*db.Cursor, len(parents))
	done := make([]bool, len(parents))
	for range 100 {
		// Every parent still paging asks with its own cursor; parents at the
		// same cursor state would batch, here each is fetched alone.
		progressed := false
		for i, p := range parents {
			if done[i] {
				continue
			}
			page := db.Page{Limit: size, Backward: backward}
			if backward {
				page.Before = cursors[i]
			} else {
				page.After = cursors[i]
			}
			res, err := db.ListByParent[db.Trace](ctx, store, db.ByProject, []int64{p}, db.Cond{}, db.TraceOrder, page)
			if err != nil {
				t.Fatal(err)
			}
			rows := res[0].Rows
			ids := make([]int64, len(rows))
			for j, r := range rows {
				ids[j] = r.ID
			}
			if backward {
				seen[i] = append(ids, seen[i]...)
			} else {
				seen[i] = append(seen[i], ids...)
			}
			more := res[0].HasNextPage
			if backward {
				more = res[0].HasPreviousPage
			}
			if !more {
				done[i] = true
				continue
			}
			edge := rows[len(rows)-1]
			if backward {
				edge = rows[0]
			}
			c, err := db.CursorOf(ctx, store, edge, db.TraceOrder)
			if err != nil {
				t.Fatal(err)
			}
			cursors[i] = &c
			progressed = true
		}
		if !progressed {
			return seen
		}
	}
	t.Fatal("paging did not finish")
	return nil
}

// A parent column is one of db's constants, and only for tables that
// have it: nothing else reaches the statement.
func TestParentColumnIsChecked(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		if _, err := db.ListByParent[db.Trace](ctx, store, db.ByAgentCall, []int64{1}, db.Cond{}, db.TraceOrder, db.Page{Limit: 1}); err == nil {
			t.Error("traces listed by agent call")
		}
		if _, err := db.CountByParent[db.Trace](ctx, store, db.ParentColumn(99), []int64{1}, db.Cond{}); err == nil {
			t.Error("traces counted by an unknown parent column")
		}
		if _, err := db.CountByParent[db.TraceError](ctx, store, db.ByToolCall, []int64{1}, db.Cond{}); err != nil {
			t.Errorf("errors by tool call: %v", err)
		}
	})
}
