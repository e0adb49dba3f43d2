package export_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/export"
)

func serve(t *testing.T, store *db.DB) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /export/{file}", export.Handler(store))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), body
}

func ids(t *testing.T, store *db.DB, query string, args ...any) []int64 {
	t.Helper()
	var out []int64
	if err := store.Gorm().Raw(query, args...).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportFormatsAndFilters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		if err := demo.Load(context.Background(), store, 1, demo.DefaultScale()); err != nil {
			t.Fatal(err)
		}
		base := serve(t, store)

		// CSV of one project's LLM calls of one model.
		var model string
		mustNil(t, store.Gorm().Raw(`SELECT model FROM llm_call WHERE project_id = 1 ORDER BY id LIMIT 1`).Scan(&model).Error)
		status, ctype, body := get(t, base+"/export/llm_calls.csv?project=support-assistant&model="+model)
		if status != http.StatusOK || !strings.HasPrefix(ctype, "text/csv") {
			t.Fatalf("csv export: %d %s %s", status, ctype, body)
		}
		records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := records[0]
		idCol, costCol := slices.Index(header, "id"), slices.Index(header, "total_cost")
		if idCol < 0 || costCol < 0 || !slices.Contains(header, "input_prompt") || !slices.Contains(header, "start_time") {
			t.Fatalf("csv header %v", header)
		}
		var got []int64
		for _, r := range records[1:] {
			id, _ := strconv.ParseInt(r[idCol], 10, 64)
			got = append(got, id)
			if _, err := time.Parse(time.RFC3339Nano, r[slices.Index(header, "start_time")]); err != nil {
				t.Errorf("start_time %q is not RFC 3339", r[slices.Index(header, "start_time")])
			}
		}
		want := ids(t, store, `SELECT id FROM llm_call WHERE project_id = 1 AND model = ? ORDER BY id`, model)
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("csv ids %v, want %v", got, want)
		}

		// NDJSON of traces with errors, with a time range.
		status, ctype, body = get(t, base+"/export/traces.ndjson?hasErrors=true&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")
		if status != http.StatusOK || ctype != "application/x-ndjson" {
			t.Fatalf("ndjson export: %d %s", status, ctype)
		}
		got = nil
		for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
			var row struct {
				ID        int64     `json:"id"`
				StartTime time.Time `json:"start_time"`
			}
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			got = append(got, row.ID)
		}
		want = ids(t, store, `SELECT id FROM traces t WHERE EXISTS (SELECT 1 FROM errors e WHERE e.trace_id = t.id) ORDER BY id`)
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("ndjson ids %v, want %v", got, want)
		}

		// JSON columns are documents, not strings.
		_, _, body = get(t, base+"/export/agent_calls.ndjson?projectId=1")
		var agent map[string]any
		mustNil(t, json.Unmarshal([]byte(strings.SplitN(string(body), "\n", 2)[0]), &agent))
		if _, ok := agent["llm_call_ids"].([]any); !ok {
			t.Fatalf("llm_call_ids exported as %T", agent["llm_call_ids"])
		}

		for _, c := range []struct {
			path   string
			status int
			names  string
		}{
			{"/export/llm_calls.csv?colour=blue", 400, "colour"},
			{"/export/traces.csv?minCost=cheap", 400, "minCost"},
			{"/export/traces.csv?from=yesterday", 400, "from"},
			{"/export/system_info.csv?from=2026-01-01T00:00:00Z", 400, "from"},
			{"/export/traces.csv?project=nope", 404, "nope"},
			{"/export/secrets.csv", 404, "secrets"},
			{"/export/traces.xml", 404, "traces.xml"},
		} {
			status, _, body := get(t, base+c.path)
			if status != c.status || !strings.Contains(string(body), c.names) {
				t.Errorf("%s: %d %s", c.path, status, body)
			}
		}
	})
}

// TestExportMemoryStaysFlat exports far more data than the server may hold
// and samples the heap while it streams.
func TestExportMemoryStaysFlat(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large export; memory under the race detector is not representative")
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		ctx := context.Background()
		if err := demo.Load(ctx, store, 1, demo.Scale{Projects: 1, TracesPerProject: 1}); err != nil {
			t.Fatal(err)
		}
		const rows = 40_000
		prompt := strings.Repeat("a long prompt about observability ", 36) // ~1.2 KB
		series := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n`
		if b.Name == "postgres" {
			series = `SELECT generate_series(1, ?) AS i`
		}
		// Metrics, whose texts are not indexed for search: the rows are cheap
		// to make, and the export is what is measured.
		mustNil(t, store.Gorm().Exec(`INSERT INTO metrics (project_id, trace_id, metric_name, score, reason, timestamp)
			SELECT 1, 1, 'faithfulness', 0.5, ?, ? FROM (`+series+`) s`, prompt+prompt, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), rows).Error)
		base := serve(t, store)

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			var m runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		})
		res, err := http.Get(base + "/export/metrics.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		lines, size := 0, 0
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines++
			size += len(sc.Bytes()) + 1
		}
		res.Body.Close()
		close(done)
		wg.Wait()
		if lines < rows {
			t.Fatalf("exported %d lines, want at least %d", lines, rows)
		}
		growth := int64(peak.Load()) - int64(before.HeapInuse)
		t.Logf("exported %d rows, %d MiB; heap in use grew by at most %d MiB", lines, size>>20, growth>>20)
		if growth > 48<<20 || growth > int64(size)/3 {
			t.Fatalf("heap grew by %d MiB while exporting %d MiB: the export is not streaming", growth>>20, size>>20)
		}
	})
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
