package main

import (
	"encoding/json"
	"io"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestImportAgentNeoTwoFiles imports two unrelated AgentNeo files with the
// same project names and row ids, without --source: the second adds its own
// traces and leaves every trace of the first as it was; both again change
// nothing.
func TestImportAgentNeoTwoFiles(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		first := writeFixture(t)
		second := filepath.Join(t.TempDir(), "other.db")
		if err := agentneotest.WriteOther(second); err != nil {
			t.Fatal(err)
		}
		url := b.NewURL(t)
		env := []string{"TZ=" + agentneotest.Zone, "DATABASE_URL=" + url}
		importOK := func(path string) string {
			t.Helper()
			code, stdout, stderr := runImport(t, env, path)
			if code != 0 {
				t.Fatalf("import %s: exit %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(path), code, stdout, stderr)
			}
			return stdout
		}
		if out := importOK(first); !strings.Contains(out, "keys: agentneo:file-") {
			t.Errorf("the output does not say the keys:\n%s", out)
		}
		store := dbtest.MustOpenURL(t, url, db.Options{})
		traces := func() map[int64]string {
			out := map[int64]string{}
			for _, p := range queryImport(t, store) {
				for _, tr := range p.Traces.Nodes {
					j, _ := json.Marshal(tr)
					out[tr.DatabaseID] = string(j)
				}
			}
			return out
		}
		before := traces()

		importOK(second)
		after := traces()
		if len(after) != len(before)+3 {
			t.Errorf("%d traces after the second file, want %d", len(after), len(before)+3)
		}
		for id, tr := range before {
			if after[id] != tr {
				t.Errorf("trace %d changed:\n  before %s\n  after  %s", id, tr, after[id])
			}
		}
		projects := queryImport(t, store)
		if n := projects["travel-planner"].Traces.TotalCount; n != 3 {
			t.Errorf("travel-planner has %d traces, want 2 + 1", n)
		}
		if n := projects["support-bot"].Traces.TotalCount; n != 4 {
			t.Errorf("support-bot has %d traces, want 2 + 2", n)
		}

		counts := rowCounts(t, store)
		importOK(first)
		importOK(second)
		if again := rowCounts(t, store); !equalCounts(counts, again) {
			t.Errorf("importing both again changed row counts: %v, then %v", counts, again)
		}
		if again := traces(); !maps.Equal(after, again) {
			t.Error("importing both again changed traces")
		}
	})
}

func TestImportAgentNeoSourceFlag(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		source string
		legacy bool
	}{
		{"none", []string{"a.db"}, nil, "", false},
		{"named", []string{"--source", "laptop", "a.db"}, nil, "laptop", false},
		{"from the environment", []string{"a.db"}, map[string]string{"AGENTNEO_SOURCE": "laptop"}, "laptop", false},
		{"empty flag: legacy keys", []string{"a.db", "--source", ""}, nil, "", true},
		{"empty flag over the environment", []string{"--source=", "a.db"}, map[string]string{"AGENTNEO_SOURCE": "laptop"}, "", true},
		{"empty environment: derived", []string{"a.db"}, map[string]string{"AGENTNEO_SOURCE": ""}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseImportFlags(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Source != tc.source || cfg.LegacyKeys != tc.legacy {
				t.Errorf("source %q, legacy %v; want %q, %v", cfg.Source, cfg.LegacyKeys, tc.source, tc.legacy)
			}
		})
	}
}
