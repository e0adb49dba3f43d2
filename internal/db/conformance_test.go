package db_test

import (
	"context"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// The storage conformance suite: the guarantees every backend keeps, each
// a named case run on SQLite and PostgreSQL, on a fresh database. Run it
// alone with go test ./internal/db -run TestConformance (a case:
// -run 'TestConformance/postgres/Upsert/PartialMerge').
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, store *db.DB)
	}{
		{"Pages/EveryRowOnce", conformPagesEveryRowOnce},
		{"Pages/PerParent", conformPagesPerParent},
		{"Pages/ManyParents", conformPagesManyParents},
		{"Pages/ListWindows", conformListWindows},
		{"CursorRejection", conformCursorRejection},
		{"ProjectScope", conformProjectScope},
		{"Upsert/IdempotentResend", conformIdempotentResend},
		{"Upsert/PartialMerge", conformPartialMerge},
		{"Upsert/IDMapping", conformIDMapping},
		{"Rollups", conformRollups},
		{"Search", conformSearch},
		{"AnalyticsBins", conformAnalyticsBins},
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.fn(t, dbtest.MustOpen(t, b)) })
		}
	})
}

func str(s string) *string { return &s }

func mustIngest(t *testing.T, store *db.DB, batch ...db.ProjectTrace) {
	t.Helper()
	if err := store.UpsertTraces(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

func mustProject(t *testing.T, store *db.DB, name string) int64 {
	t.Helper()
	p, err := store.EnsureProject(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// conformIDMapping: ids written back into a batch are the stored rows'
// ids, for new and merged rows mixed in one statement, keys out of order,
// the same key in two projects, and unkeyed rows beside keyed ones.
func conformIDMapping(t *testing.T, store *db.DB) {
	ctx := context.Background()
	pa, pb := mustProject(t, store, "a"), mustProject(t, store, "b")
	call := func(name string, key *string) db.LLMCall {
		return db.LLMCall{Name: name, StartTime: t0, ExternalID: key}
	}
	first := &db.TraceWrite{Trace: db.Trace{StartTime: t0, ExternalID: str("t")},
		LLMCalls: []db.LLMCall{call("c2", str("c2")), call("c1", str("c1"))}}
	mustIngest(t, store, db.ProjectTrace{ProjectID: pa, Write: first})

	// Existing keys between new ones, in reverse key order, with unkeyed
	// calls, and the same keys in another project's trace.
	again := &db.TraceWrite{Trace: db.Trace{StartTime: t0, ExternalID: str("t")},
		SystemInfo: &db.SystemInfo{OsName: str("linux")},
		Agents:     []db.AgentWrite{{Agent: db.AgentCall{Name: "agent", StartTime: t0, ExternalID: str("ag")}}},
		LLMCalls: []db.LLMCall{call("c3", str("c3")), call("c2 again", str("c2")), call("u1", nil),
			call("c0", str("c0")), call("c1 again", str("c1")), call("u2", nil)}}
	other := &db.TraceWrite{Trace: db.Trace{StartTime: t0, ExternalID: str("t")},
		LLMCalls: []db.LLMCall{call("b-c2", str("c2")), call("b-u", nil), call("b-c1", str("c1"))}}
	mustIngest(t, store, db.ProjectTrace{ProjectID: pa, Write: again}, db.ProjectTrace{ProjectID: pb, Write: other})

	for _, w := range []*db.TraceWrite{first, again, other} {
		pages, err := db.ListByParent[db.LLMCall](ctx, store, db.ByTrace, []int64{w.Trace.ID}, db.Cond{}, db.StartTimeOrder, db.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		stored := map[int64]*db.LLMCall{}
		for _, c := range pages[0].Rows {
			stored[c.ID] = c
		}
		for _, c := range w.LLMCalls {
			s := stored[c.ID]
			if s == nil {
				t.Errorf("call %q was given id %d, which no call of its trace has", c.Name, c.ID)
				continue
			}
			if !samePtr(s.ExternalID, c.ExternalID) || (c.ExternalID == nil && s.Name != c.Name) {
				t.Errorf("call %q (key %v) was given the id of stored call %q (key %v)", c.Name, deref(c.ExternalID), s.Name, deref(s.ExternalID))
			}
		}
	}
	if first.LLMCalls[0].ID != again.LLMCalls[1].ID || first.LLMCalls[1].ID != again.LLMCalls[4].ID {
		t.Errorf("re-sent keys got new ids: %d,%d then %d,%d", first.LLMCalls[0].ID, first.LLMCalls[1].ID, again.LLMCalls[1].ID, again.LLMCalls[4].ID)
	}
	infos, err := db.ListByParent[db.SystemInfo](ctx, store, db.ByTrace, []int64{again.Trace.ID}, db.Cond{}, db.ProjectOrder, db.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(infos[0].Rows) != 1 || infos[0].Rows[0].ID != again.SystemInfo.ID {
		t.Errorf("system info id %d, stored %+v", again.SystemInfo.ID, infos[0].Rows)
	}
	agents, err := db.FindByIDs[db.AgentCall](ctx, store, []int64{again.Agents[0].Agent.ID})
	if err != nil || agents[0] == nil || *agents[0].ExternalID != "ag" {
		t.Errorf("agent id %d reads %+v, %v", again.Agents[0].Agent.ID, agents, err)
	}
}

func samePtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
