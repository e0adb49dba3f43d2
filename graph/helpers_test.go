package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// testLoaderWait is generous so that batches never split on a slow, loaded
// CI machine: statement counts must not depend on scheduling.
const testLoaderWait = 20 * time.Millisecond

// env is a GraphQL server over a fresh database.
type env struct {
	store *db.DB
	url   string
}

// newEnv starts a GraphQL server on a new database of backend b loaded with
// the demo data at the given scale.
func newEnv(t *testing.T, b dbtest.Backend, scale demo.Scale) *env {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	if err := demo.Load(context.Background(), store, 1, scale); err != nil {
		t.Fatalf("load demo data: %v", err)
	}
	srv := httptest.NewServer(graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait}))
	t.Cleanup(srv.Close)
	return &env{store: store, url: srv.URL}
}

// gqlError is one entry of a response's errors.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is a GraphQL response body.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	status int
	body   []byte
}

// do posts a query and returns the decoded response.
func (e *env) do(t *testing.T, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return e.postAccepting(t, body, "application/graphql-response+json")
}

// postRaw posts a raw GraphQL body.
func (e *env) postRaw(t *testing.T, body []byte) response {
	t.Helper()
	return e.postAccepting(t, body, "application/graphql-response+json")
}

// postAccepting posts body asking for the accept media type and decodes the answer.
func (e *env) postAccepting(t *testing.T, body []byte, accept string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON (%d): %.300s", res.StatusCode, raw)
	}
	r.status, r.body = res.StatusCode, raw
	return r
}

// mustData runs a query that must succeed and decodes its data into out.
func (e *env) mustData(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	r := e.do(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %s", r.body)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// countStatements counts every SQL statement the store runs from now on.
func countStatements(t *testing.T, store *db.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	store.OnDirectStatement("test:count", func(context.Context, db.DirectStatement) { n.Add(1) })
	cb := store.Gorm().Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("test:count", count),
		cb.Row().After("gorm:row").Register("test:count", count),
		cb.Raw().After("gorm:raw").Register("test:count", count),
		cb.Create().After("gorm:create").Register("test:count", count),
		cb.Update().After("gorm:update").Register("test:count", count),
		cb.Delete().After("gorm:delete").Register("test:count", count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &n
}

// codeOf returns the extensions.code of the first error.
func (r response) codeOf() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// httpGet fetches a URL and returns status and body.
func httpGet(t *testing.T, url string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}
