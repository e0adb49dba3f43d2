package graph_test

import (
	"encoding/base64"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestCraftedCursorsAreRefused sends cursors a client made up: values of the
// wrong kind for the list's order, numbers out of range, bad times, bad ids,
// NUL, broken encodings. Each is INVALID_ARGUMENT naming after or before on
// both databases (PostgreSQL binds a cursor's value as the column's type);
// odd but well-formed ones page normally.
func TestCraftedCursorsAreRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{Projects: 1, TracesPerProject: 6, AgentsPerTrace: 1, LLMCallsPerTrace: 2, ToolCallsPerTrace: 1, ErrorEvery: 2})
		var projects struct {
			Projects struct {
				Nodes []struct{ ProjectName string }
			}
		}
		e.mustData(t, `{ projects { nodes { projectName } } }`, nil, &projects)
		name := projects.Projects.Nodes[0].ProjectName
		const (
			byStart    = `query($c: String) { traces(first: 2, after: $c) { nodes { id } } }`
			byTokens   = `query($c: String) { traces(first: 2, after: $c, orderBy: {field: TOKENS}) { nodes { id } pageInfo { endCursor } } }`
			byTokensUp = `query($c: String) { traces(last: 2, before: $c, orderBy: {field: TOKENS}) { nodes { id } } }`
			byDuration = `query($c: String) { traces(first: 2, after: $c, orderBy: {field: DURATION}) { nodes { id } } }`
			byID       = `query($c: String) { projects(first: 2, after: $c) { nodes { id } } }`
			llmByCost  = `query($c: String) { traces(first: 1) { nodes { llmCalls(first: 1, after: $c, orderBy: {field: COST}) { nodes { id } } } } }`
		)
		groups := `query($c: String) { projectByName(name: "` + name + `") { errorGroups(first: 2, after: $c) { nodes { fingerprint } } } }`
		cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		refused := []struct{ query, field, cursor string }{
			{byStart, "after", cursor(`{"c":"start_time","n":1.5,"i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","n":1,"i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"yesterday","i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-13-01T00:00:00Z","i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","i":0}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","i":1e30}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","i":"1"}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","k":"a\u0000","i":1}`)},
			{byStart, "after", cursor(`{"c":"total_tokens","n":5,"i":1}`)},
			{byStart, "after", cursor(`{"c":"start_time","t":"2026-01-01T00:00:00Z","i":1`)},
			{byStart, "after", cursor(`null`)},
			{byStart, "after", cursor(`[1]`)},
			{byStart, "after", "not a cursor!"},
			{byTokens, "after", cursor(`{"c":"total_tokens","n":1.5,"i":1}`)},
			{byTokens, "after", cursor(`{"c":"total_tokens","n":1e300,"i":1}`)},
			{byTokens, "after", cursor(`{"c":"total_tokens","n":-1e19,"i":1}`)},
			{byTokens, "after", cursor(`{"c":"total_tokens","t":"2026-01-01T00:00:00Z","i":1}`)},
			{byTokensUp, "before", cursor(`{"c":"total_tokens","n":1e19,"i":1}`)},
			{byDuration, "after", cursor(`{"c":"duration","t":"2026-01-01T00:00:00Z","i":1}`)},
			{byDuration, "after", cursor(`{"c":"duration","n":1e400,"i":1}`)},
			{byID, "after", cursor(`{"c":"id","n":1,"i":1}`)},
			{byID, "after", cursor(`{"c":"id","t":"2026-01-01T00:00:00Z","i":1}`)},
			{llmByCost, "after", cursor(`{"c":"total_cost","t":"2026-01-01T00:00:00Z","i":1}`)},
			{groups, "after", cursor(`{"c":"last_seen","n":5,"i":1}`)},
			{groups, "after", cursor(`{"c":"last_seen","t":"2026-01-01T00:00:00Z","k":"x\u0000","i":1}`)},
		}
		for _, c := range refused {
			r := e.do(t, c.query, map[string]any{"c": c.cursor})
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != c.field {
				t.Errorf("cursor %s on %.60s: %s", c.cursor, c.query, truncate(r.body))
			}
		}
		accepted := []struct{ query, cursor string }{
			{byTokens, cursor(`{"c":"total_tokens","n":9223372036854775807,"i":1}`)}, // 2^63 stands for the largest
			{byTokens, cursor(`{"c":"total_tokens","n":-5,"i":9223372036854775807}`)},
			{byTokensUp, cursor(`{"c":"total_tokens","n":0,"i":1}`)},
			{byStart, cursor(`{"c":"start_time","t":"0001-01-01T00:00:00Z","i":1}`)},
			{byStart, cursor(`{"c":"start_time","t":"9999-12-31T23:59:59+14:00","i":1}`)},
			{byDuration, cursor(`{"c":"duration","n":-1e308,"i":1}`)},
			{byID, cursor(`{"c":"id","i":1}`)},
			{groups, cursor(`{"c":"last_seen","t":"2026-01-01T00:00:00Z","k":"zz","i":1}`)},
		}
		for _, c := range accepted {
			if r := e.do(t, c.query, map[string]any{"c": c.cursor}); len(r.Errors) > 0 {
				t.Errorf("cursor %s on %.60s: %s", c.cursor, c.query, truncate(r.body))
			}
		}

		// The cursors the server makes page through the whole list.
		seen := map[string]bool{}
		var after any
		for page := 0; page < 10; page++ {
			var data struct {
				Traces struct {
					Nodes    []struct{ ID string }
					PageInfo struct{ EndCursor *string }
				}
			}
			e.mustData(t, byTokens, map[string]any{"c": after}, &data)
			for _, n := range data.Traces.Nodes {
				if seen[n.ID] {
					t.Fatalf("trace %s on two pages", n.ID)
				}
				seen[n.ID] = true
			}
			if len(data.Traces.Nodes) == 0 || data.Traces.PageInfo.EndCursor == nil {
				break
			}
			after = *data.Traces.PageInfo.EndCursor
		}
		if len(seen) != 6 {
			t.Errorf("paged through %d traces, want 6", len(seen))
		}
	})
}
