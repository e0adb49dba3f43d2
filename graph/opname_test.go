package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// TestOperationNameBounded: an operationName over 256 bytes is refused
// before parsing, over POST and GET; at 256 bytes it runs.
func TestOperationNameBounded(t *testing.T) {
	store := dbtest.MustOpen(t, dbtest.Backends()[0])
	srv := httptest.NewServer(graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait}))
	t.Cleanup(srv.Close)
	post := func(name string) response {
		body, _ := json.Marshal(map[string]any{"query": "query " + name + " { __typename }", "operationName": name})
		res, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var r response
		_ = json.Unmarshal(raw, &r)
		r.status, r.body = res.StatusCode, raw
		return r
	}
	if r := post(strings.Repeat("a", graph.MaxOperationNameBytes)); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("operationName of 256 bytes: %d %s", r.status, r.body)
	}
	long := strings.Repeat("b", graph.MaxOperationNameBytes+1)
	r := post(long)
	if r.status != http.StatusBadRequest || r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "operationName" {
		t.Errorf("operationName of 257 bytes: %d %s, want 400 INVALID_ARGUMENT field operationName", r.status, r.body)
	}
	if strings.Contains(string(r.body), long) || r.Data != nil {
		t.Errorf("refusal echoes the name or carries data: %s", r.body)
	}
	status, _, body := httpGet(t, srv.URL+"?"+url.Values{"query": {"query " + long + " { __typename }"}, "operationName": {long}}.Encode(),
		http.Header{"Accept": {"application/graphql-response+json"}})
	if status != http.StatusBadRequest || !strings.Contains(string(body), `"field":"operationName"`) {
		t.Errorf("GET with a 257-byte operationName: %d %s", status, body)
	}
}

// TestOperationLabelsBounded: 500 operations under distinct names leave at
// most 100 operation label values and "other" in /metrics, which stays small.
func TestOperationLabelsBounded(t *testing.T) {
	store := dbtest.MustOpen(t, dbtest.Backends()[0])
	metrics := observe.NewMetrics(nil, 0)
	srv := httptest.NewServer(graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait, Observer: metrics}))
	t.Cleanup(srv.Close)
	for i := range 500 {
		name := fmt.Sprintf("op%03d_%s", i, strings.Repeat("x", graph.MaxOperationNameBytes-6))
		body, _ := json.Marshal(map[string]any{"query": "query " + name + " { __typename }", "operationName": name})
		res, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("operation %d: %d", i, res.StatusCode)
		}
	}
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	out := rec.Body.String()
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`agentgraph_graphql_operations_total\{operation="([^"]*)",outcome="([^"]*)"\} (\d+)`).FindAllStringSubmatch(out, -1) {
		names[m[1]] = true
		if m[1] == "other" && m[3] != "400" {
			t.Errorf("other counted %s operations, want 400", m[3])
		}
	}
	if len(names) != observe.MaxOperationNames+1 || !names["other"] {
		t.Errorf("%d operation label values (other: %v), want %d and other", len(names), names["other"], observe.MaxOperationNames)
	}
	if len(out) > 256<<10 {
		t.Errorf("/metrics is %d bytes", len(out))
	}
}
