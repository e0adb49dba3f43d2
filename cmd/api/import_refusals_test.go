package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestImportAgentNeoRejectsOtherFiles checks that a file that is not an
// AgentNeo database stops the import with one line and exit code 1, before
// anything is written: no store is created, no table migrated.
func TestImportAgentNeoRejectsOtherFiles(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		dir := t.TempDir()
		text := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(text, []byte("not a database\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other.db")
		if err := agentneotest.Exec(other, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'x');`); err != nil {
			t.Fatal(err)
		}
		url := b.NewURL(t)
		for _, tc := range []struct{ path, want string }{
			{text, "notes.txt is not an AgentNeo database: not a SQLite file"},
			{other, "other.db is not an AgentNeo database: missing table project_info"},
			{filepath.Join(dir, "missing.db"), "missing.db is not an AgentNeo database: no such file"},
		} {
			code, stdout, stderr := runImport(t, nil, "--database-url", url, tc.path)
			if code != 1 {
				t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", tc.path, code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
				t.Errorf("%s: stderr %q, want one line saying %q", tc.path, stderr, tc.want)
			}
		}
		checkNothingWritten(t, b, url)
	})
}

// checkNothingWritten checks that the store at url was never opened for writing.
func checkNothingWritten(t *testing.T, b dbtest.Backend, url string) {
	t.Helper()
	if b.Name == "sqlite" {
		path := strings.TrimPrefix(url, "sqlite:")
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the store %s was created (%v)", path, err)
		}
		return
	}
	store := dbtest.MustOpenURL(t, url, db.Options{SkipMigrations: true})
	var tables int64
	if err := store.Gorm().Raw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables were created in the store", tables)
	}
}

// TestImportAgentNeoRefusals gives the import files it cannot import
// faithfully: each stops with one line and exit code 1, writing nothing,
// into a store that holds an import and into one that does not exist yet.
func TestImportAgentNeoRefusals(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		fixture := writeFixture(t)
		dir := t.TempDir()
		without := func(table, column string) string {
			path := filepath.Join(dir, "no-"+table+"-"+column+".db")
			if err := agentneotest.Copy(fixture, path); err != nil {
				t.Fatal(err)
			}
			if err := agentneotest.DropColumn(path, table, column); err != nil {
				t.Fatal(err)
			}
			return path
		}
		agentgraphDB := filepath.Join(dir, "agentgraph.db")
		code, stdout, stderr := runImport(t, []string{"TZ=UTC"}, "--database-url", "sqlite:"+agentgraphDB, fixture)
		if code != 0 {
			t.Fatalf("import into a SQLite store: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		type refusal struct{ path, want string }
		cases := []refusal{
			{without("llm_call", "cost"), "missing column llm_call.cost, which every AgentNeo version has"},
			{without("llm_call", "token_usage"), "missing column llm_call.token_usage"},
			{without("llm_call", "start_time"), "missing column llm_call.start_time"},
			{without("tool_call", "name"), "missing column tool_call.name"},
			{without("errors", "error_type"), "missing column errors.error_type"},
			{without("traces", "project_id"), "missing column traces.project_id"},
			{agentgraphDB, "agentgraph.db is not an AgentNeo database: it is an agentgraph database"},
		}
		check := func(url string, cases []refusal) {
			t.Helper()
			for _, tc := range cases {
				code, stdout, stderr := runImport(t, nil, "--database-url", url, tc.path)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", filepath.Base(tc.path), code, stdout, stderr)
				}
				if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
					t.Errorf("%s: stderr %q, want one line saying %q", filepath.Base(tc.path), stderr, tc.want)
				}
			}
		}

		fresh := b.NewURL(t)
		check(fresh, cases)
		checkNothingWritten(t, b, fresh)

		url := b.NewURL(t)
		if code, stdout, stderr := runImport(t, []string{"TZ=UTC"}, "--database-url", url, fixture); code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		store := dbtest.MustOpenURL(t, url, db.Options{})
		counts := rowCounts(t, store)
		// A copy of the fixture that went on recording apart: the same
		// derived keys, another trace 3.
		fork := filepath.Join(dir, "fork.db")
		if err := agentneotest.Copy(fixture, fork); err != nil {
			t.Fatal(err)
		}
		if err := agentneotest.Exec(fork, `UPDATE traces SET start_time = '2024-11-05 15:00:00.000000' WHERE id = 3;`); err != nil {
			t.Fatal(err)
		}
		check(url, append(cases, refusal{fork, "a copy that recorded apart?"}))
		if after := rowCounts(t, store); !equalCounts(counts, after) {
			t.Errorf("refused imports changed row counts: %v, then %v", counts, after)
		}
		if b.Name == "sqlite" {
			// The store itself as the input, by another name.
			path := strings.TrimPrefix(url, "sqlite:")
			link := filepath.Join(dir, "link.db")
			if err := os.Symlink(path, link); err != nil {
				t.Fatal(err)
			}
			check(url, []refusal{{link, "link.db is the store being imported into"}})
			if after := rowCounts(t, store); !equalCounts(counts, after) {
				t.Errorf("importing the store into itself changed row counts: %v, then %v", counts, after)
			}
			// An AgentNeo file as the store and the input: opening it as
			// the store would migrate it.
			neo := filepath.Join(dir, "neo.db")
			if err := agentneotest.Copy(fixture, neo); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(neo)
			check("sqlite:"+neo, []refusal{{neo, "neo.db is the store being imported into"}})
			if after, _ := os.ReadFile(neo); !bytes.Equal(before, after) {
				t.Error("the AgentNeo file changed")
			}
		}
	})
}
