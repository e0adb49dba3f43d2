package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestRequestIDsAndMetrics checks that requests carry ids into error
// answers and that /metrics reports requests, SQL statements, loader
// batches, ingestion and the connection pool.
func TestRequestIDsAndMetrics(t *testing.T) {
	b := dbtest.Backends()[0]
	p := startAPI(t, b.NewURL(t), "--demo")

	req, _ := http.NewRequest(http.MethodPost, p.URL+"/graphql", strings.NewReader(`{"query": "{ trace(id: \"nope\") { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "req-42")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("X-Request-Id") != "req-42" || !strings.Contains(string(body), `"requestId":"req-42"`) {
		t.Fatalf("request id not echoed: header %q, body %s", res.Header.Get("X-Request-Id"), body)
	}
	res, _ = get(t, p.URL+"/export/projects.csv")
	if id := res.Header.Get("X-Request-Id"); len(id) != 16 {
		t.Fatalf("generated request id %q", id)
	}

	mutation := `{"query": "mutation { ingestTraces(input: [{project: \"m\", startTime: \"2026-01-01T00:00:00Z\"}]) { traces { id } } }"}`
	res, err = http.Post(p.URL+"/graphql", "application/json", bytes.NewReader([]byte(mutation)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	q, _ := json.Marshal(map[string]string{"query": "{ projects { nodes { traces { nodes { llmCalls { nodes { id } } } } } } }"})
	res, err = http.Post(p.URL+"/graphql", "application/json", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	_, metrics := get(t, p.URL+"/metrics")
	for _, want := range []string{
		`agentgraph_http_requests_total{route="graphql",status="200"}`,
		`agentgraph_http_request_duration_seconds_bucket{route="graphql"`,
		`agentgraph_sql_statements_per_request_count`,
		`agentgraph_graphql_operations_total{operation="anonymous",outcome="INVALID_ARGUMENT"} 1`,
		`agentgraph_ingested_traces_total{source="graphql"} 1`,
		`agentgraph_dataloader_batch_size_count{loader="tracesByProjectID"}`,
		`go_sql_open_connections{db_name="agentgraph"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
