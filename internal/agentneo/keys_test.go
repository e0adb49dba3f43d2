package agentneo

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// These tests import into real stores, on every backend, files that
// could be mistaken for one another: another recording with the same
// project names and row ids, a grown copy, a copy that recorded apart, and
// stores holding rows under the keys of imports without a source.

func otherFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "other.db")
	if err := agentneotest.WriteOther(path); err != nil {
		t.Fatal(err)
	}
	return path
}

type totals struct {
	traces, tokens int64
	cost           float64
}

func projectTotals(t *testing.T, store *db.DB) map[string]totals {
	t.Helper()
	var projects []db.Project
	if err := store.Gorm().Find(&projects).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]totals{}
	for _, p := range projects {
		var n int64
		if err := store.Gorm().Model(&db.Trace{}).Where("project_id = ?", p.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[p.ProjectName] = totals{traces: n, tokens: p.TotalTokens, cost: p.TotalCost}
	}
	return out
}

func storeTraceStart(t *testing.T, store *db.DB, key string) (db.Trace, bool) {
	t.Helper()
	var tr []db.Trace
	if err := store.Gorm().Where("external_id = ?", key).Find(&tr).Error; err != nil {
		t.Fatal(err)
	}
	if len(tr) == 0 {
		return db.Trace{}, false
	}
	return tr[0], true
}

// TestTwoFilesNeverMerge imports two unrelated AgentNeo files with the same
// project names and overlapping row ids, one after the other, without a
// source: the second adds its own rows and changes none of the first's.
func TestTwoFilesNeverMerge(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		first, second := fixture(t), otherFixture(t)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, first, Options{})
		before := snapshot(t, store)
		totalsFirst := projectTotals(t, store)

		mustImport(t, svc, second, Options{})
		after := snapshot(t, store)
		for k, v := range before {
			if strings.HasPrefix(k, TableProjects+" ") {
				continue // their totals and span grow, checked below
			}
			if after[k] != v {
				t.Errorf("importing another file changed %s:\n  before %s\n  after  %s", k, v, after[k])
			}
		}
		counts := storeCounts(t, store)
		for table, n := range agentneotest.Counts {
			want := int64(n + agentneotest.OtherCounts[table])
			if table == TableProjects {
				want = 3 // the same names: the same projects
			}
			if counts[table] != want {
				t.Errorf("%s: %d rows after both files, want %d", table, counts[table], want)
			}
		}

		// Each project sums both files' traces: what the first file gave it
		// plus what the second gives a store of its own.
		alone := dbtest.MustOpen(t, b)
		mustImport(t, ingest.New(alone, ingest.Options{}), second, Options{})
		totalsSecond := projectTotals(t, alone)
		for name, got := range projectTotals(t, store) {
			a, s := totalsFirst[name], totalsSecond[name]
			if got.traces != a.traces+s.traces || got.tokens != a.tokens+s.tokens || math.Abs(got.cost-(a.cost+s.cost)) > 1e-12 {
				t.Errorf("project %s totals %+v, want %+v plus %+v", name, got, a, s)
			}
		}

		// Both again: nothing changes.
		mustImport(t, svc, first, Options{})
		mustImport(t, svc, second, Options{})
		if again := snapshot(t, store); !maps2Equal(after, again) {
			t.Error("importing both files again changed the store")
		}
	})
}

// TestGrownCopyUpdatesInPlace imports a file, then a later copy of it with
// more rows: its rows are updated in place and the new ones added.
func TestGrownCopyUpdatesInPlace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		path := fixture(t)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, path, Options{})
		source, err := FileSource(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		trace2, ok := storeTraceStart(t, store, ExternalID(source, TableTraces, 2))
		if !ok || trace2.EndTime != nil {
			t.Fatalf("trace 2 before: %+v, %v", trace2, ok)
		}

		grown := copyFixture(t, path, agentneotest.Growth)
		mustImport(t, svc, grown, Options{})
		counts := storeCounts(t, store)
		for table, n := range agentneotest.Counts {
			if want := int64(n + agentneotest.GrowthCounts[table]); counts[table] != want {
				t.Errorf("%s: %d rows after the grown copy, want %d", table, counts[table], want)
			}
		}
		after, _ := storeTraceStart(t, store, ExternalID(source, TableTraces, 2))
		if want := time.Date(2024, 1, 11, 4, 30, 9, 0, time.UTC); after.ID != trace2.ID || after.EndTime == nil || !after.EndTime.Equal(want) {
			t.Errorf("trace 2 after: id %d (was %d), end %v, want %v", after.ID, trace2.ID, after.EndTime, want)
		}
		if _, ok := storeTraceStart(t, store, ExternalID(source, TableTraces, 5)); !ok {
			t.Error("trace 5 of the grown copy was not imported under the file's source")
		}

		snap := snapshot(t, store)
		mustImport(t, svc, grown, Options{})
		if again := snapshot(t, store); !maps2Equal(snap, again) {
			t.Error("importing the grown copy again changed the store")
		}
	})
}

// TestKeyClashStopsImport imports, over a file, one whose keys would land on
// its traces: under the same --source, and a copy that recorded apart (the
// same first project and trace, so the same derived source). Both are
// refused before anything is written. The same file read in another time
// zone is no clash.
func TestKeyClashStopsImport(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		path := fixture(t)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, path, Options{Source: "lab"})
		refused(t, svc, otherFixture(t), Options{Source: "lab", Location: zone(t)}, "imported with the same --source")
		// Traces of other ids, whose agent, calls, interaction and metric
		// have the ids of the first file's, in the same projects.
		renumbered := copyFixture(t, otherFixture(t), `UPDATE traces SET id = id + 10;
			UPDATE system_info SET trace_id = trace_id + 10; UPDATE agent_call SET trace_id = trace_id + 10;
			UPDATE llm_call SET trace_id = trace_id + 10; UPDATE tool_call SET trace_id = trace_id + 10;
			UPDATE user_interactions SET trace_id = trace_id + 10; UPDATE errors SET trace_id = trace_id + 10;
			UPDATE metrics SET trace_id = trace_id + 10;`)
		refused(t, svc, renumbered, Options{Source: "lab", Location: zone(t)}, "agent_call 1 is in trace 11, the row agentneo:lab:agent_call:1")

		mustImport(t, svc, path, Options{})
		fork := copyFixture(t, path, `UPDATE traces SET start_time = '2024-11-05 14:16:00.000000' WHERE id = 3;`)
		refused(t, svc, fork, Options{Location: zone(t)}, "a copy that recorded apart")

		counts := storeCounts(t, store)
		mustImport(t, svc, path, Options{Location: time.FixedZone("+05:30", 5*3600+1800)})
		if again := storeCounts(t, store); !mapsEqual(counts, again) {
			t.Errorf("the same file in another time zone changed the counts: %v, then %v", counts, again)
		}
	})
}

// TestLegacyKeys imports into a store that holds a file under the keys of
// imports made without a source: that file keeps its keys, another file
// gets its own, and a store where the two were merged is refused.
func TestLegacyKeys(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		path := fixture(t)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, path, Options{LegacyKeys: true})
		legacy := snapshot(t, store)
		counts := storeCounts(t, store)

		out := mustImport(t, svc, path, Options{})
		if want := "keys: agentneo:<table>:<id> (without a source, as this file was imported before)"; !strings.Contains(out, want) {
			t.Errorf("progress does not say %q:\n%s", want, out)
		}
		if again := storeCounts(t, store); !mapsEqual(counts, again) {
			t.Errorf("re-importing a file imported without a source changed the counts: %v, then %v", counts, again)
		}
		if _, ok := storeTraceStart(t, store, "agentneo:traces:1"); !ok {
			t.Error("legacy trace 1 is gone")
		}

		mustImport(t, svc, copyFixture(t, path, agentneotest.Growth), Options{})
		if _, ok := storeTraceStart(t, store, "agentneo:traces:5"); !ok {
			t.Error("the grown copy's new trace is not under the legacy keys")
		}
		grown := snapshot(t, store)

		mustImport(t, svc, otherFixture(t), Options{})
		after := snapshot(t, store)
		for k, v := range grown {
			if !strings.HasPrefix(k, TableProjects+" ") && after[k] != v {
				t.Errorf("importing another file changed %s", k)
			}
		}
		if len(after) <= len(legacy) {
			t.Error("the other file added nothing")
		}

		// An earlier version merged another file's trace 3 into this one's.
		if err := store.Gorm().Exec(`UPDATE traces SET start_time = ? WHERE external_id = ?`,
			time.Date(2025, 3, 3, 14, 5, 0, 0, time.UTC), "agentneo:traces:3").Error; err != nil {
			t.Fatal(err)
		}
		refused(t, svc, path, Options{Location: zone(t)}, "pass --source NAME to import this file apart")
		refused(t, svc, path, Options{Location: zone(t), LegacyKeys: true}, "imported without a source")
	})
}
