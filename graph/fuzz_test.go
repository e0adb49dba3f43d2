package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// FuzzGraphQLHandler posts arbitrary bodies to the GraphQL handler: whatever
// arrives, the server answers JSON, never a 500, and never panics.
func FuzzGraphQLHandler(f *testing.F) {
	for _, seed := range []string{
		`{"query": "{ projects { totalCount nodes { projectName traces(first: 2) { nodes { id stats { errorCount } } } } } }"}`,
		`{"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": "VHJhY2U6MQ"}}`,
		`{"query": "mutation { ingestTraces(input: [{project: \"f\", startTime: \"2026-01-01T00:00:00Z\"}]) { traces { id } } }"}`,
		`{"query": "{ traces(filter: {search: \"refund\", cost: {min: 0.1}}, orderBy: {field: COST}) { nodes { id } } }"}`,
		`[{"query": "{ projects { totalCount } }"}]`,
		`{"query": "{ projects(first: -1) { nodes { id } } }"}`,
		``,
	} {
		f.Add([]byte(seed))
	}
	store := dbtest.MustOpen(f, dbtest.Backends()[0])
	if err := demo.Load(context.Background(), store, 1, demo.Scale{Projects: 1, TracesPerProject: 2, AgentsPerTrace: 1, LLMCallsPerTrace: 2, ToolCallsPerTrace: 1, InteractionsPerTrace: 2, MetricsPerTrace: 1, ErrorEvery: 2, PromptChars: 50}); err != nil {
		f.Fatal(err)
	}
	h := graph.NewHandler(store, graph.DefaultOptions())
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("answer is not JSON for %q: %s", body, rec.Body.Bytes())
		}
	})
}
