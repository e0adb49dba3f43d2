package db_test

import (
	"context"
	"fmt"
	"slices"
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

func TestListByParentPagesEveryRowOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		parents := seedTraces(t, store, 3, 11)

		// The whole list in one page is the reference order: newest first, ties by id descending.
		all, err := db.ListByParent[db.Trace](ctx, store, db.ByProject, parents, db.Cond{}, db.TraceOrder, db.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for i, page := range all {
			if len(page.Rows) != 11 || page.HasNextPage || page.HasPreviousPage {
				t.Fatalf("parent %d: %d rows, next=%v prev=%v", i, len(page.Rows), page.HasNextPage, page.HasPreviousPage)
			}
			for j := 1; j < len(page.Rows); j++ {
				a, b := page.Rows[j-1], page.Rows[j]
				if a.StartTime.Before(b.StartTime) || (a.StartTime.Equal(b.StartTime) && a.ID < b.ID) {
					t.Fatalf("parent %d out of order at %d: %v/%d then %v/%d", i, j, a.StartTime, a.ID, b.StartTime, b.ID)
				}
				if a.ProjectID != parents[i] {
					t.Fatalf("row of project %d in page of %d", a.ProjectID, parents[i])
				}
			}
		}
		for _, size := range []int{1, 3, 4, 11} {
			for _, backward := range []bool{false, true} {
				got := walk(t, store, parents, size, backward)
				for i := range parents {
					want := make([]int64, len(all[i].Rows))
					for j, r := range all[i].Rows {
						want[j] = r.ID
					}
					if !slices.Equal(got[i], want) {
						t.Errorf("size %d backward %v parent %d: got %v, want %v", size, backward, i, got[i], want)
					}
				}
			}
		}
	})
}

func TestListByParentWindowIsPerParent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		parents := seedTraces(t, store, 4, 5)
		// Ask in a different order than created, with a parent that has no rows.
		keys := []int64{parents[2], 999999, parents[0]}
		pages, err := db.ListByParent[db.Trace](ctx, store, db.ByProject, keys, db.Cond{}, db.TraceOrder, db.Page{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			wantRows := 2
			if k == 999999 {
				wantRows = 0
			}
			if len(pages[i].Rows) != wantRows || pages[i].HasNextPage != (wantRows > 0) {
				t.Fatalf("key %d: %d rows, next=%v", k, len(pages[i].Rows), pages[i].HasNextPage)
			}
			for _, r := range pages[i].Rows {
				if r.ProjectID != k {
					t.Fatalf("key %d got a row of project %d", k, r.ProjectID)
				}
			}
		}
		counts, err := db.CountByParent[db.Trace](ctx, store, db.ByProject, keys, db.Cond{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(counts, []int64{5, 0, 5}) {
			t.Fatalf("counts = %v, want [5 0 5]", counts)
		}
		found, err := db.FindByIDs[db.Project](ctx, store, []int64{parents[3], 424242, parents[1]})
		if err != nil {
			t.Fatal(err)
		}
		if found[0] == nil || found[0].ID != parents[3] || found[1] != nil || found[2] == nil || found[2].ID != parents[1] {
			t.Fatalf("FindByIDs not in key order: %+v", found)
		}
	})
}

func TestCursorOfAnotherOrderIsRejected(t *testing.T) {
	c := db.Cursor{Column: "id", ID: 4}
	if _, err := db.DecodeCursor("after", c.Encode(), db.TraceOrder); err == nil {
		t.Fatal("a project cursor was accepted by a trace list")
	}
	if _, err := db.DecodeCursor("after", "not a cursor", db.TraceOrder); err == nil {
		t.Fatal("garbage was accepted as a cursor")
	}
	got, err := db.DecodeCursor("after", c.Encode(), db.ProjectOrder)
	if err != nil || got.ID != 4 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
}

// TestListByParentManyParents covers every way a statement reads pages:
// more parents than SQLite's per-parent subqueries allow, and parents
// asked twice.
func TestListByParentManyParents(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		parents := seedTraces(t, store, 230, 3)
		for _, keys := range [][]int64{parents[:5], parents, append(append([]int64{}, parents[:3]...), parents[:3]...)} {
			pages, err := db.ListByParent[db.Trace](ctx, store, db.ByProject, keys, db.Cond{}, db.TraceOrder, db.Page{Limit: 2, Backward: true})
			if err != nil {
				t.Fatal(err)
			}
			for i, page := range pages {
				if len(page.Rows) != 2 || !page.HasPreviousPage {
					t.Fatalf("%d parents: page %d has %d rows, previous=%v", len(keys), i, len(page.Rows), page.HasPreviousPage)
				}
				// The last two of the list (the oldest), in list order: newest first.
				if page.Rows[0].ProjectID != keys[i] || page.Rows[1].ProjectID != keys[i] || page.Rows[0].StartTime.Before(page.Rows[1].StartTime) {
					t.Fatalf("%d parents: page %d holds other rows or is out of order", len(keys), i)
				}
			}
		}
	})
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
