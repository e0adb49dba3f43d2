package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// A request that never executes (it does not parse, validate or fit the
// limits) is answered without a data entry, and so is one whose execution
// met bad input (a 4xx); one that executes otherwise keeps it, null or
// not. graphql-http's audit checks the former (D586, 5E5B).
func TestRequestErrorsHaveNoData(t *testing.T) {
	e := newEnv(t, dbtest.Backends()[0], demo.Scale{Projects: 1, TracesPerProject: 1})
	deep := "id"
	for range 20 {
		deep = "project { traces(first: 1) { nodes { " + deep + " } } }"
	}
	for _, c := range []struct {
		name, method, accept, query string
		status                      int
		data                        bool
	}{
		{"parse error", http.MethodPost, "application/graphql-response+json", "{", 400, false},
		{"validation error", http.MethodPost, "application/graphql-response+json", "{ nope }", 400, false},
		{"parse error, legacy JSON", http.MethodPost, "application/json", "{", 422, false},
		{"too deep", http.MethodPost, "", "{ traces(first: 1) { nodes { " + deep + " } } }", 400, false},
		{"parse error over GET", http.MethodGet, "", "{", 400, false},
		{"executed, a field error", http.MethodPost, "", `{ trace(id: "VHJhY2U6OTk5OTk5") { id } }`, 200, true},
		{"executed, bad input", http.MethodPost, "", `{ trace(id: "nope") { id } }`, 400, false},
		{"executed", http.MethodPost, "", "{ projects { totalCount } }", 200, true},
	} {
		var req *http.Request
		if c.method == http.MethodGet {
			req, _ = http.NewRequest(c.method, e.url+"?query="+url.QueryEscape(c.query), nil)
		} else {
			body, _ := json.Marshal(map[string]string{"query": c.query})
			req, _ = http.NewRequest(c.method, e.url, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
		}
		if c.accept != "" {
			req.Header.Set("Accept", c.accept)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out map[string]json.RawMessage
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Errorf("%s: body %q: %v", c.name, raw, err)
			continue
		}
		_, hasData := out["data"]
		if res.StatusCode != c.status || hasData != c.data || (!c.data && out["errors"] == nil) {
			t.Errorf("%s: %d %s; want status %d, data entry %v", c.name, res.StatusCode, raw, c.status, c.data)
		}
	}
}
