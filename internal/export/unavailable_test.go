package export_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestExportWithTheDatabaseDown checks that an export that cannot start
// answers 503 with Retry-After and a message without SQL or table names,
// rather than a cut connection or the driver's text.
func TestExportWithTheDatabaseDown(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		url := serve(t, store)
		_ = store.Close()
		for _, path := range []string{"/export/traces.csv", "/export/llm_calls.ndjson?project=x"} {
			res, err := http.Get(url + path)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Errorf("%s: status %d, Retry-After %q; want 503 with Retry-After", path, res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
		status, _, body := get(t, url+"/export/traces.csv")
		if status != 503 || strings.Contains(string(body), "traces") || strings.Contains(strings.ToLower(string(body)), "sql") {
			t.Errorf("body %q", body)
		}
	})
}
