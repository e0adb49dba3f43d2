package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// goTypeWords are what messages naming Go types contain.
var goTypeWords = []string{"Go struct", "Go value", "map[string]interface", "interface {}", "RawParams", "json:", "graphql."}

// TestEveryRefusalIsCoded sends /graphql what it cannot serve, every way a
// client can get it wrong, and requires each answer to be a 4xx with a
// JSON body whose every error has a code and the request id, and no
// message naming Go types.
func TestEveryRefusalIsCoded(t *testing.T) {
	store := dbtest.MustOpen(t, dbtest.Backends()[0])
	srv := httptest.NewServer(observe.NewMetrics(nil, 0).Middleware("graphql", graph.NewHandler(store, graph.Options{})))
	t.Cleanup(srv.Close)
	mutation := url.QueryEscape(`mutation { createProject(input: {name: "x"}) { id } }`)
	const q = `{"query": "{ projects { totalCount } }"`
	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		code, field, allow                    string
	}{
		{"body is not JSON", "POST", "", "application/json", `{"query": `, 400, "INVALID_ARGUMENT", "", ""},
		{"syntax error in the body", "POST", "", "application/json", `{"query": "{ x }" "variables": {}}`, 400, "INVALID_ARGUMENT", "", ""},
		{"variables not an object", "POST", "", "application/json", q + `, "variables": "x"}`, 400, "INVALID_ARGUMENT", "variables", ""},
		{"query not a string", "POST", "", "application/json", `{"query": 5}`, 400, "INVALID_ARGUMENT", "query", ""},
		{"extensions not an object", "POST", "", "application/json", q + `, "extensions": [1]}`, 400, "INVALID_ARGUMENT", "extensions", ""},
		{"a batch", "POST", "", "application/json", `[` + q + `}]`, 400, "INVALID_ARGUMENT", "", ""},
		{"a JSON string", "POST", "", "application/json", `"{ projects { totalCount } }"`, 400, "INVALID_ARGUMENT", "", ""},
		{"an empty body", "POST", "", "application/json", ``, 400, "INVALID_ARGUMENT", "", ""},
		{"a body over the limit", "POST", "", "application/json", q + strings.Repeat(" ", 8<<20) + `}`, 413, "PAYLOAD_TOO_LARGE", "", ""},
		{"text/plain", "POST", "", "text/plain", q + `}`, 415, "UNSUPPORTED_MEDIA_TYPE", "", ""},
		{"a form", "POST", "", "application/x-www-form-urlencoded", "query=" + mutation, 415, "UNSUPPORTED_MEDIA_TYPE", "", ""},
		{"no content type", "POST", "", "", q + `}`, 415, "UNSUPPORTED_MEDIA_TYPE", "", ""},
		{"application/graphql", "POST", "", "application/graphql", `{ projects { totalCount } }`, 415, "UNSUPPORTED_MEDIA_TYPE", "", ""},
		{"PUT", "PUT", "", "application/json", q + `}`, 405, "METHOD_NOT_ALLOWED", "", "POST"},
		{"DELETE", "DELETE", "", "", "", 405, "METHOD_NOT_ALLOWED", "", "POST"},
		{"PATCH", "PATCH", "", "application/json", q + `}`, 405, "METHOD_NOT_ALLOWED", "", "POST"},
		{"a mutation over GET", "GET", "?query=" + mutation, "", "", 405, "METHOD_NOT_ALLOWED", "", "POST"},
		{"GET without a query", "GET", "", "", "", 400, "INVALID_ARGUMENT", "query", ""},
		{"GET with variables not an object", "GET", "?query=%7B__typename%7D&variables=%5B1%5D", "", "", 400, "INVALID_ARGUMENT", "variables", ""},
		{"GET with variables not JSON", "GET", "?query=%7B__typename%7D&variables=%7Bx", "", "", 400, "INVALID_ARGUMENT", "variables", ""},
		{"GET with a broken query string", "GET", "?query=%zz", "", "", 400, "INVALID_ARGUMENT", "", ""},
		{"GET asking for a WebSocket", "GET", "?query=%7B__typename%7D", "", "", 400, "INVALID_ARGUMENT", "", ""},
		{"GET parse error", "GET", "?query=%7B", "", "", 400, "GRAPHQL_PARSE_FAILED", "", ""},
		{"POST validation error", "POST", "", "application/json", `{"query": "{ nope }"}`, 400, "GRAPHQL_VALIDATION_FAILED", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.name == "GET asking for a WebSocket" {
				req.Header.Set("Connection", "Upgrade")
				req.Header.Set("Upgrade", "websocket")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, c.status, raw)
			}
			if c.allow != "" && !strings.Contains(res.Header.Get("Allow"), c.allow) {
				t.Errorf("Allow %q, want it to name %s", res.Header.Get("Allow"), c.allow)
			}
			var body struct {
				Data   json.RawMessage `json:"data"`
				Errors []gqlError      `json:"errors"`
			}
			if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) == 0 || body.Data != nil {
				t.Fatalf("want a JSON body with errors and no data: %.300s", raw)
			}
			id := res.Header.Get("X-Request-Id")
			for _, e := range body.Errors {
				if e.Extensions["requestId"] != id || id == "" {
					t.Errorf("requestId %v, header %q: %s", e.Extensions["requestId"], id, raw)
				}
				for _, word := range goTypeWords {
					if strings.Contains(e.Message, word) {
						t.Errorf("message names Go types (%q): %s", word, e.Message)
					}
				}
			}
			e := body.Errors[0]
			if e.Extensions["code"] != c.code {
				t.Errorf("code %v, want %s: %s", e.Extensions["code"], c.code, raw)
			}
			if field, _ := e.Extensions["field"].(string); field != c.field {
				t.Errorf("field %q, want %q: %s", field, c.field, raw)
			}
		})
	}

	t.Run("OPTIONS", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Allow"), "POST") {
			t.Errorf("OPTIONS: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
	})
}
