package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

func TestForeignKeysAreEnforced(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		parents := seedTraces(t, store, 1, 2)
		g := store.Gorm()

		err := g.Exec(`INSERT INTO llm_call (project_id, trace_id, name, start_time) VALUES (?, 987654, 'orphan', ?)`, parents[0], t0).Error
		if err == nil {
			t.Fatal("an llm_call referencing a missing trace was stored")
		}
		mustExec(t, g.Exec(`DELETE FROM project_info WHERE id = ?`, parents[0]).Error)
		if n, err := db.Count[db.Trace](ctx, store, db.Cond{}); err != nil || n != 0 {
			t.Fatalf("traces after deleting their project: %d, %v", n, err)
		}
	})
}

func TestOpenURLs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, u := range []string{
		"sqlite:" + filepath.Join(dir, "a", "one.db"),
		filepath.Join(dir, "b", "two.db"),
	} {
		store, err := db.Open(ctx, u, db.Options{})
		if err != nil {
			t.Fatalf("open %s: %v", u, err)
		}
		if store.Dialect() != db.SQLite {
			t.Errorf("%s opened as %s", u, store.Dialect())
		}
		_ = store.Close()
	}
	for _, f := range []string{"a/one.db", "b/two.db"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("database file %s not created: %v", f, err)
		}
	}
	_, err := db.Open(ctx, "mysql://root:secret@localhost/x", db.Options{})
	if err == nil || !strings.Contains(err.Error(), "unsupported scheme") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unsupported scheme error = %v", err)
	}
}

// Ingestion reserves ids from the identity sequences by their default
// names; the migrations must keep making them under those names.
func TestIdentitySequenceNames(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		if store.Dialect() != db.Postgres {
			t.Skip("SQLite assigns ids without sequences")
		}
		for _, table := range []string{"system_info", "agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"} {
			var seq string
			mustExec(t, store.Gorm().Raw(`SELECT pg_get_serial_sequence(?, 'id')`, table).Scan(&seq).Error)
			if want := "public." + db.IdentitySequence(table); seq != want && seq != db.IdentitySequence(table) {
				t.Errorf("%s's id sequence is %q, ingestion uses %q", table, seq, db.IdentitySequence(table))
			}
		}
	})
}
