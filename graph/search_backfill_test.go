package graph_test

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestMigrationBackfillsSearch stores traces at schema version 7 with
// plain SQL, upgrades, and checks that the search finds every word of
// them as it finds words of ingested traces: on PostgreSQL, the upgrade
// writes the documents of traces stored before they existed.
func TestMigrationBackfillsSearch(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := t.Context()
		url := b.NewURL(t)
		old := dbtest.MustOpenURL(t, url, db.Options{SkipMigrations: true})
		mustNil(t, old.Migrate(ctx, 7))
		g := old.Gorm()
		mustNil(t, g.Exec(`INSERT INTO project_info (project_name) VALUES ('legacy')`).Error)
		long := "long" + strings.Repeat("é", 1500)
		const traces = 450 // more than one backfill batch
		texts := map[string][]string{}
		at := "2025-03-01 10:00:00+00:00"
		for i := range traces {
			key := fmt.Sprintf("t%d", i)
			mustNil(t, g.Exec(`INSERT INTO traces (project_id, external_id, start_time) SELECT id, ?, ? FROM project_info`, key, at).Error)
			insert := func(sql string, values ...any) {
				values = append(values, key)
				mustNil(t, g.Exec(sql+` FROM traces WHERE external_id = ?`, values...).Error)
				for _, v := range values[:len(values)-1] {
					if s, ok := v.(string); ok {
						texts[key] = append(texts[key], s)
					}
				}
			}
			if i == 1 {
				continue // a trace without text
			}
			insert(`INSERT INTO llm_call (project_id, trace_id, name, start_time, input_prompt, output) SELECT project_id, id, 'chat', start_time, ?, ?`,
				fmt.Sprintf("Row%d common", i), "ok")
			if i%3 == 0 {
				insert(`INSERT INTO tool_call (project_id, trace_id, name, start_time, input_parameters, output) SELECT project_id, id, 'fetch', start_time, ?, ?`,
					`{"url": "https://foo.bar.com/x-y"}`, "200 OK")
			}
			if i%5 == 0 {
				insert(`INSERT INTO user_interactions (project_id, trace_id, interaction_type, content, timestamp) SELECT project_id, id, 'input', ?, start_time`,
					"Grüße an O'Brien")
			}
			if i == 7 {
				insert(`INSERT INTO llm_call (project_id, trace_id, name, start_time, output) SELECT project_id, id, 'chat', start_time, ?`, long)
			}
		}

		store := dbtest.MustOpenURL(t, url, db.Options{}) // migrates to the latest version
		srv := httptest.NewServer(graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait}))
		t.Cleanup(srv.Close)
		e := &env{store: store, url: srv.URL}

		// What each search must find, by the search's rule over the stored texts.
		expect := func(search string) []string {
			var keys []string
			for key, ts := range texts {
				all := strings.Join(ts, " ")
				if !slices.ContainsFunc(strings.Fields(search), func(w string) bool { return !hasWordPrefix(all, w) }) {
					keys = append(keys, key)
				}
			}
			slices.Sort(keys)
			return keys
		}
		for _, search := range []string{"row4", "row449", "row1", "common", "bar", "com", "grüß", "brien", "common bar brien", "ok", long[:db.MaxSearchBytes], "longéé", "row7 long"} {
			want := expect(search)
			if len(want) == 0 || len(want) == traces {
				t.Fatalf("search %q: expected %d traces; pick one that discriminates", search, len(want))
			}
			var data struct{ Traces struct{ TotalCount int } }
			e.mustData(t, `query($s: String) { traces(filter: {search: $s}) { totalCount } }`, map[string]any{"s": search}, &data)
			if data.Traces.TotalCount != len(want) {
				t.Errorf("search %q: %d traces, want %d", search, data.Traces.TotalCount, len(want))
			}
			if len(want) <= 100 {
				if got := e.searchKeys(t, search); !slices.Equal(got, want) {
					t.Errorf("search %q found %v, want %v", search, got, want)
				}
			}
		}

		// Writes after the upgrade add to the backfilled documents.
		e.ingestTraces(t, trace("legacy", "t7", map[string]any{"llmCalls": list(llm("late", "afterwards", ""))}))
		e.expectSearch(t, map[string]string{"afterwards": "t7", "row7 afterwards": "t7", "row8 afterwards": ""})

		if b.Name == "postgres" {
			var indexes []string
			mustNil(t, store.Gorm().Raw(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search%' ORDER BY indexname`).Scan(&indexes).Error)
			if want := []string{"trace_search_document", "trace_search_trace_id"}; !slices.Equal(indexes, want) {
				t.Errorf("search indexes %v, want %v", indexes, want)
			}
		}
	})
}
