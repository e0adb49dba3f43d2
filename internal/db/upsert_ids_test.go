package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Ids come back to the rows of an upsert by key: rows returned in another
// order than written (neither engine promises RETURNING's order) still get
// their own ids, which mapping by position would swap.
func TestAssignReturnedMapsByKeyNotPosition(t *testing.T) {
	store, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "ids.db"), Options{SkipMigrations: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	plan, err := planOf[LLMCall](store)
	if err != nil {
		t.Fatal(err)
	}
	keyCols := []fieldPlan{plan.fields["project_id"], plan.fields["external_id"]}
	str := func(s string) *string { return &s }
	rows := []*LLMCall{
		{ID: 101, ProjectID: 1, ExternalID: str("b")}, // merges with stored row 7
		{ID: 102, ProjectID: 2, ExternalID: str("b")}, // same key text, other project: new
		{ID: 103, ProjectID: 1},                       // unkeyed: keeps its id
		{ID: 104, ProjectID: 1, ExternalID: str("a")}, // merges with stored row 9
		{ID: 105, ProjectID: 1},
	}
	ret := func(id int64, key ...*string) returnedRow {
		r := returnedRow{id: id}
		for _, k := range key {
			if k == nil {
				r.key = append(r.key, sql.NullString{})
			} else {
				r.key = append(r.key, sql.NullString{String: *k, Valid: true})
			}
		}
		return r
	}
	// Reversed: position mapping would give row 0 the id 105.
	returned := []returnedRow{
		ret(105, str("1"), nil), ret(9, str("1"), str("a")), ret(103, str("1"), nil),
		ret(102, str("2"), str("b")), ret(7, str("1"), str("b")),
	}
	if err := assignReturned(plan, keyCols, rows, returned); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{7, 102, 103, 9, 105} {
		if rows[i].ID != want {
			t.Errorf("row %d got id %d, want %d", i, rows[i].ID, want)
		}
	}

	for name, bad := range map[string][]returnedRow{
		"unknown key":        {ret(1, str("3"), str("b"))},
		"unknown id":         {ret(999, str("1"), nil)},
		"missing rows":       {},
		"one key twice back": {ret(7, str("1"), str("b")), ret(7, str("1"), str("b"))},
	} {
		rows := []*LLMCall{{ID: 103, ProjectID: 1, ExternalID: str("b")}}
		if name == "unknown id" {
			rows[0].ExternalID = nil
		}
		if name == "one key twice back" {
			rows = append(rows, &LLMCall{ID: 104, ProjectID: 1})
		}
		if err := assignReturned(plan, keyCols, rows, bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
