package agentneo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// copyFixture copies the database at path and runs scripts on the copy.
func copyFixture(t *testing.T, path string, scripts ...string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "copy.db")
	if err := agentneotest.Copy(path, to); err != nil {
		t.Fatal(err)
	}
	if err := agentneotest.Exec(to, scripts...); err != nil {
		t.Fatal(err)
	}
	return to
}

func mustImport(t *testing.T, svc *ingest.Service, path string, opts Options) string {
	t.Helper()
	var out bytes.Buffer
	if opts.Location == nil {
		opts.Location = zone(t)
	}
	if _, err := Import(context.Background(), path, svc, &out, opts); err != nil {
		t.Fatalf("import %s: %v\n%s", filepath.Base(path), err, out.String())
	}
	return out.String()
}

// refused imports path, expecting a refusal that says want and writes nothing.
func refused(t *testing.T, svc *ingest.Service, path string, opts Options, want string) {
	t.Helper()
	before := snapshot(t, svc.Store())
	var out bytes.Buffer
	_, err := Import(context.Background(), path, svc, &out, opts)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("import = %v, want a refusal saying %q\n%s", err, want, out.String())
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message spans lines: %q", err)
	}
	if after := snapshot(t, svc.Store()); !maps2Equal(before, after) {
		t.Errorf("a refused import wrote to the store")
	}
}

// snapshot returns every row of every table of the store, as JSON by
// table and id, project totals included.
func snapshot(t *testing.T, store *db.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range Tables {
		var rows []map[string]any
		if err := store.Gorm().Table(table).Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%s %v", table, r["id"])] = string(b)
		}
	}
	return out
}

func maps2Equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
