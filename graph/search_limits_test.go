package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// words returns "wordFROM ... wordTO".
func words(from, to int) string {
	var w []string
	for i := from; i <= to; i++ {
		w = append(w, fmt.Sprintf("word%02d", i))
	}
	return strings.Join(w, " ")
}

// TestSearchLimits checks a search at its limits, 32 words and 1,024
// bytes, on every GraphQL filter with a search: answered at them, refused
// with the field named beyond them.
func TestSearchLimits(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		// spread has its words over calls, and over two writes: on
		// PostgreSQL over two documents, on SQLite over three rows.
		e.ingestTraces(t,
			trace("p", "one", map[string]any{"llmCalls": list(llm("", words(1, 32), ""))}),
			trace("p", "spread", map[string]any{"llmCalls": list(llm("c1", words(1, 10), "")), "toolCalls": list(tool("", words(11, 20), ""))}),
			trace("p", "part", map[string]any{"llmCalls": list(llm("", words(1, 31), "")), "errors": list(map[string]any{
				"errorType": "LLM", "errorMessage": "failed", "timestamp": searchTime})}),
		)
		e.ingestTraces(t, trace("p", "spread", map[string]any{"llmCalls": list(llm("c2", words(21, 32), ""))}))
		if b.Name == "postgres" {
			var docs int
			mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM trace_search s JOIN traces t ON t.id = s.trace_id WHERE t.external_id = 'spread'`).Scan(&docs).Error)
			if docs != 2 {
				t.Fatalf("spread has %d search documents, want 2", docs)
			}
		}
		e.expectSearch(t, map[string]string{
			words(1, 32):                        "one spread",
			words(1, 31):                        "one part spread",
			words(1, 31) + " word3":             "one part spread",
			"WORD32 " + words(1, 30) + " word3": "one spread",
			words(2, 32) + " nosuchword":        "",
			strings.Repeat("w", 1024):           "",
		})

		queries := map[string]string{
			"traces":      `query($s: String) { traces(filter: {search: $s}) { nodes { id } } }`,
			"project":     `query($s: String) { projectByName(name: "p") { traces(filter: {search: $s}) { nodes { id } } } }`,
			"errorGroups": `query($s: String) { projectByName(name: "p") { errorGroups(filter: {search: $s}) { nodes { count } } } }`,
		}
		for _, c := range []struct{ search, want string }{
			{words(1, 33), "33 words, more than 32"},
			{words(1, 32) + " word01", "33 words, more than 32"},
			{strings.Repeat("w", 1025), "1025 bytes, more than 1024"},
			{strings.Repeat("w ", 512) + " ", "1025 bytes, more than 1024"},
		} {
			for name, q := range queries {
				r := e.do(t, q, map[string]any{"s": c.search})
				if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "filter.search" || !strings.Contains(r.Errors[0].Message, c.want) {
					t.Errorf("%s, %d bytes: want INVALID_ARGUMENT on filter.search saying %q, got %d %s", name, len(c.search), c.want, r.status, r.body)
				}
				// 400 with no data once errors raised during execution take
				// their code's status (CONTRACT); 200 before.
				if r.status != http.StatusOK && (r.status != http.StatusBadRequest || len(r.Data) > 0 && string(r.Data) != "null") {
					t.Errorf("%s: status %d, data %s; want 400 without data (or 200)", name, r.status, r.Data)
				}
			}
		}
		var groups struct {
			ProjectByName struct {
				ErrorGroups struct{ Nodes []struct{ Count int } }
			}
		}
		e.mustData(t, queries["errorGroups"], map[string]any{"s": "fail"}, &groups)
		if n := len(groups.ProjectByName.ErrorGroups.Nodes); n != 1 {
			t.Errorf("error groups with fail: %d, want 1", n)
		}
	})
}
