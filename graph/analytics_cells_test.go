package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestAnalyticsCellLimit checks that analytics answers at most 50,000 rows
// (bins × groups, zero rows included): over it, the query is refused
// before its aggregate runs, naming bin, timeRange and groupBy.
func TestAnalyticsCellLimit(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var traces []map[string]any
		for i := range 20 {
			at := from.Add(time.Duration(i) * 2 * time.Hour).Add(30 * time.Second).Format(time.RFC3339)
			traces = append(traces, map[string]any{"project": "p", "externalId": fmt.Sprintf("t%d", i), "startTime": at,
				"llmCalls": list(map[string]any{"name": "chat", "model": "m", "startTime": at})})
		}
		e.ingestTraces(t, traces...)
		var p struct{ ProjectByName struct{ ID string } }
		e.mustData(t, `{ projectByName(name: "p") { id } }`, nil, &p)
		query := func(to time.Time, groupBy, bin string) string {
			return fmt.Sprintf(`{ analytics(projectId: %q, source: LLM_CALLS, groupBy: [%s], %s timeRange: {from: %q, to: %q}) { bucket count } }`,
				p.ProjectByName.ID, groupBy, bin, from.Format(time.RFC3339), to.Format(time.RFC3339))
		}
		statements := countStatements(t, e.store)

		// At the limit: 2,500 minutes × 20 traces, every bin of every
		// trace answered, one of them with its call.
		var got struct {
			Analytics []struct {
				Bucket time.Time
				Count  int
			}
		}
		before := statements.Load()
		e.mustData(t, query(from.Add(2500*time.Minute), "TRACE", "bin: MINUTE,"), nil, &got)
		answered := statements.Load() - before
		if len(got.Analytics) != 50_000 {
			t.Fatalf("%d rows at the limit, want 50,000", len(got.Analytics))
		}
		calls := 0
		for i, r := range got.Analytics {
			if want := from.Add(time.Duration(i/20) * time.Minute); !r.Bucket.Equal(want) {
				t.Fatalf("row %d is of bin %s, want %s (each bin once per trace, in order)", i, r.Bucket, want)
			}
			calls += r.Count
		}
		if calls != 20 {
			t.Errorf("the rows count %d calls, want 20", calls)
		}

		// Nearly 3.5 days of minutes (within the 5,000-bin limit) for each
		// of 20 traces: 99,600 cells. Then just over the limit.
		for _, c := range []struct {
			to      time.Time
			groupBy string
			want    string
		}{
			{from.Add(83 * time.Hour), "TRACE", "4,980 bins × 20 groups = 99,600 cells, more than 50,000"},
			{from.Add(2501 * time.Minute), "TRACE", "2,501 bins × 20 groups = 50,020 cells, more than 50,000"},
			{from.Add(2501 * time.Minute), "TRACE, MODEL", "2,501 bins × 20 groups = 50,020 cells, more than 50,000"},
		} {
			before := statements.Load()
			r := e.do(t, query(c.to, c.groupBy, "bin: MINUTE,"), nil)
			if r.codeOf() != "INVALID_ARGUMENT" || !strings.Contains(string(r.body), c.want) {
				t.Fatalf("%s by %s: want INVALID_ARGUMENT saying %q, got %d %s", c.to, c.groupBy, c.want, r.status, r.body)
			}
			msg := r.Errors[0].Message
			for _, word := range []string{"bin", "timeRange", "groupBy"} {
				if !strings.Contains(msg, word) {
					t.Errorf("the message does not name %s: %s", word, msg)
				}
			}
			if f := r.Errors[0].Extensions["field"]; f != "bin" {
				t.Errorf("extensions.field %v, want bin", f)
			}
			// 400 with no data once errors raised during execution take
			// their code's status (CONTRACT); 200 with null data before.
			if r.status != http.StatusBadRequest && r.status != http.StatusOK || string(r.Data) != "" && string(r.Data) != "null" {
				t.Errorf("status %d, data %s; want 400 (or 200) without data", r.status, r.Data)
			}
			// Refused before the aggregate: one statement fewer than answering.
			if n := statements.Load() - before; n != answered-1 {
				t.Errorf("%d statements ran; want %d, all but the aggregate of an answered query", n, answered-1)
			}
		}

		// Without bin, groups are the cells; a coarser bin makes the first
		// query fine.
		e.mustData(t, query(from.Add(83*time.Hour), "TRACE", ""), nil, &got)
		if len(got.Analytics) != 20 {
			t.Errorf("%d rows without bin, want 20", len(got.Analytics))
		}
		e.mustData(t, query(from.Add(83*time.Hour), "TRACE", "bin: HOUR,"), nil, &got)
		if len(got.Analytics) != 83*20 {
			t.Errorf("%d rows by hour, want %d", len(got.Analytics), 83*20)
		}
	})
}
