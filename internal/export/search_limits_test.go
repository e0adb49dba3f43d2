package export_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestExportSearchLimits checks the search parameter at its limits, 32
// words and 1,024 bytes: answered at them, refused naming it beyond.
func TestExportSearchLimits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		var words []string
		for i := range 33 {
			words = append(words, fmt.Sprintf("word%02d", i))
		}
		text := func(s string) *string { return &s }
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := ingest.New(store, ingest.Options{}).Ingest(context.Background(), []ingest.Trace{
			{Project: "p", ExternalID: "hit", StartTime: at, LLMCalls: []ingest.LLMCall{
				{Name: "chat", StartTime: at, InputPrompt: text(strings.Join(words[:16], " ")), Output: text(strings.Join(words[16:32], " "))}}},
			{Project: "p", ExternalID: "miss", StartTime: at, LLMCalls: []ingest.LLMCall{
				{Name: "chat", StartTime: at, InputPrompt: text(strings.Join(words[:31], " "))}}},
		})
		mustNil(t, err)
		base := serve(t, store)
		export := func(search string) (int, string) {
			status, _, body := get(t, base+"/export/traces.ndjson?project=p&search="+url.QueryEscape(search))
			return status, string(body)
		}
		if status, body := export(strings.Join(words[:32], " ")); status != http.StatusOK || strings.Count(body, "\n") != 1 || !strings.Contains(body, `"hit"`) {
			t.Errorf("32 words: %d %s; want the one trace with all of them", status, body)
		}
		if status, body := export(strings.Repeat("w", 1024)); status != http.StatusOK || body != "" {
			t.Errorf("1,024 bytes: %d %s; want no rows", status, body)
		}
		for search, want := range map[string]string{
			strings.Join(words, " "):  "33 words, more than 32",
			strings.Repeat("w", 1025): "1025 bytes, more than 1024",
		} {
			if status, body := export(search); status != http.StatusBadRequest || !strings.Contains(body, "search") || !strings.Contains(body, want) {
				t.Errorf("%d bytes: %d %s; want 400 naming search, saying %q", len(search), status, body, want)
			}
		}
	})
}
