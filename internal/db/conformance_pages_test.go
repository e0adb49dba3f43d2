package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// conformPagesEveryRowOnce: paging forward and backward, first/after and
// last/before, in pages of any size over ties of the sort column, visits
// every row once, in the order of the whole list.
func conformPagesEveryRowOnce(t *testing.T, store *db.DB) {
	ctx := context.Background()
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
}

// conformPagesPerParent: a page per parent, in the order asked, with empty
// parents empty; counts and FindByIDs in key order too.
func conformPagesPerParent(t *testing.T, store *db.DB) {
	ctx := context.Background()
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
}

// conformPagesManyParents covers every way a statement reads pages:
// more parents than SQLite's per-parent subqueries allow, and parents
// asked twice.
func conformPagesManyParents(t *testing.T, store *db.DB) {
	ctx := context.Background()
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
}

// conformProjectScope checks that a context limited to some
// projects (an API key's) reads nothing of the others, through every way a
// list statement is built: a few parents, and more than SQLite's
// per-parent subqueries allow.
func conformProjectScope(t *testing.T, store *db.DB) {
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
}

// conformListWindows: List's first/after and last/before windows over a
// sort column with ties, and their page flags.
func conformListWindows(t *testing.T, store *db.DB) {
	ctx := context.Background()
	seedTraces(t, store, 1, 9) // start times tie in pairs
	all, err := db.List[db.Trace](ctx, store, db.Cond{}, db.TraceOrder, db.Page{Limit: 100})
	if err != nil || len(all.Rows) != 9 {
		t.Fatalf("whole list: %d rows, %v", len(all.Rows), err)
	}
	cur := func(i int) *db.Cursor {
		c, err := db.CursorOf(ctx, store, all.Rows[i], db.TraceOrder)
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	ids := func(rows []*db.Trace) []int64 {
		out := make([]int64, len(rows))
		for i, r := range rows {
			out[i] = r.ID
		}
		return out
	}
	for _, c := range []struct {
		name       string
		page       db.Page
		from, to   int // the window is all.Rows[from:to]
		next, prev bool
	}{
		{"first 3", db.Page{Limit: 3}, 0, 3, true, false},
		{"first 3 after 1", db.Page{Limit: 3, After: cur(1)}, 2, 5, true, true},
		// Forward with before: the rows past before are not looked at (Relay
		// allows false there).
		{"after 1 before 5", db.Page{Limit: 10, After: cur(1), Before: cur(5)}, 2, 5, false, true},
		{"last 2 before 5", db.Page{Limit: 2, Backward: true, Before: cur(5)}, 3, 5, true, true},
		{"last 4", db.Page{Limit: 4, Backward: true}, 5, 9, false, true},
		{"first 20", db.Page{Limit: 20}, 0, 9, false, false},
	} {
		got, err := db.List[db.Trace](ctx, store, db.Cond{}, db.TraceOrder, c.page)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if want := ids(all.Rows[c.from:c.to]); !slices.Equal(ids(got.Rows), want) || got.HasNextPage != c.next || got.HasPreviousPage != c.prev {
			t.Errorf("%s: %v next=%v prev=%v; want %v next=%v prev=%v", c.name, ids(got.Rows), got.HasNextPage, got.HasPreviousPage, want, c.next, c.prev)
		}
	}
}

// conformCursorRejection: a cursor of another order, of another kind of
// value or not made by Encode is refused; one of the list's order is taken.
func conformCursorRejection(t *testing.T, _ *db.DB) {
	c := db.Cursor{Column: "id", ID: 4}
	if _, err := db.DecodeCursor("after", c.Encode(), db.TraceOrder); apperr.CodeOf(err) != apperr.InvalidArgument {
		t.Errorf("a project cursor given to a trace list: %v", err)
	}
	if _, err := db.DecodeCursor("after", "not a cursor", db.TraceOrder); apperr.CodeOf(err) != apperr.InvalidArgument {
		t.Errorf("garbage as a cursor: %v", err)
	}
	when := t0
	timed := db.Cursor{Column: "duration", Time: &when, ID: 4}
	if _, err := db.DecodeCursor("after", timed.Encode(), db.DurationOrder); apperr.CodeOf(err) != apperr.InvalidArgument {
		t.Errorf("a time in a cursor of a list sorted by a number: %v", err)
	}
	half := 2.5
	frac := db.Cursor{Column: "total_tokens", Num: &half, ID: 4}
	if _, err := db.DecodeCursor("after", frac.Encode(), db.TokensOrder); apperr.CodeOf(err) != apperr.InvalidArgument {
		t.Errorf("a fraction in a cursor of a list sorted by an integer: %v", err)
	}
	got, err := db.DecodeCursor("after", c.Encode(), db.ProjectOrder)
	if err != nil || got.ID != 4 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
}
