package graph_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

func TestErrorsCarryCodes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		projectCursor := base64.RawURLEncoding.EncodeToString([]byte(`{"c":"id","i":1}`))
		manyIDs := `"` + strings.Repeat(`UHJvamVjdDox", "`, 100) + `UHJvamVjdDox"`
		cases := []struct {
			name, query string
			code        string
			field       string // extensions.field, when the error is about an argument
			nullPath    string // a field that must be null in data
		}{
			{"first above the cap", `{ traces(first: 101) { nodes { id } } }`, "INVALID_ARGUMENT", "first", ""},
			{"huge first", `{ traces(first: 2147483647) { nodes { id } } }`, "INVALID_ARGUMENT", "first", ""},
			{"negative first", `{ projects(first: -1) { nodes { id } } }`, "INVALID_ARGUMENT", "first", ""},
			{"last above the cap", `{ projects(last: 101) { nodes { id } } }`, "INVALID_ARGUMENT", "last", ""},
			{"first and last", `{ projects(first: 1, last: 1) { nodes { id } } }`, "INVALID_ARGUMENT", "first", ""},
			{"nested first above the cap", `{ projects { nodes { traces(first: 1000) { nodes { id } } } } }`, "INVALID_ARGUMENT", "first", ""},
			{"malformed cursor", `{ traces(after: "garbage!") { nodes { id } } }`, "INVALID_ARGUMENT", "after", ""},
			{"cursor of another list", fmt.Sprintf(`{ traces(before: %q) { nodes { id } } }`, projectCursor), "INVALID_ARGUMENT", "before", ""},
			{"malformed id", `{ trace(id: "nope") { id } }`, "INVALID_ARGUMENT", "id", ""},
			{"id of another type", `{ trace(id: "UHJvamVjdDox") { id } }`, "INVALID_ARGUMENT", "id", ""},
			{"missing trace", `{ trace(id: "VHJhY2U6OTk5OTk5") { id } }`, "NOT_FOUND", "", "trace"},
			{"missing project", `{ project(id: "UHJvamVjdDo5OTk5") { id } }`, "NOT_FOUND", "", "project"},
			{"missing project name", `{ projectByName(name: "no-such-project") { id } }`, "NOT_FOUND", "", "projectByName"},
			{"too many node ids", `{ nodes(ids: [` + manyIDs + `]) { id } }`, "INVALID_ARGUMENT", "ids", ""},
			{"node id of no type", `{ node(id: "` + base64.RawURLEncoding.EncodeToString([]byte("Bogus:1")) + `") { id } }`, "INVALID_ARGUMENT", "id", ""},
			{"syntax error", `{ projects { nodes { id }`, "GRAPHQL_PARSE_FAILED", "", ""},
			{"unknown field", `{ projects { nodes { secret } } }`, "GRAPHQL_VALIDATION_FAILED", "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(t, c.query, nil)
				if len(r.Errors) == 0 {
					t.Fatalf("no error: %s", r.body)
				}
				if got := r.codeOf(); got != c.code {
					t.Fatalf("code %q, want %q: %s", got, c.code, r.body)
				}
				// Bad input is a 4xx without data, found before execution or during it.
				if c.code == "INVALID_ARGUMENT" && (r.status != http.StatusBadRequest || r.Data != nil) {
					t.Errorf("status %d, data %s; want 400 and no data", r.status, r.Data)
				}
				if c.field != "" {
					if got, _ := r.Errors[0].Extensions["field"].(string); got != c.field || !strings.Contains(r.Errors[0].Message, c.field) {
						t.Errorf("error does not name field %q: %s", c.field, r.body)
					}
				}
				if c.nullPath != "" && !strings.Contains(string(r.Data), `"`+c.nullPath+`":null`) {
					t.Errorf("data.%s is not null: %s", c.nullPath, r.Data)
				}
			})
		}

		// A node that does not exist is null, not an error (Relay).
		var data struct{ Node *struct{ ID string } }
		e.mustData(t, `{ node(id: "VHJhY2U6OTk5OTk5") { id } }`, nil, &data)
		if data.Node != nil {
			t.Errorf("missing node = %+v, want null", data.Node)
		}
	})
}

// TestDatabaseErrorsStayInternal breaks a table under the server and checks
// that clients get a coded, generic error without SQL or table names.
func TestDatabaseErrorsStayInternal(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		if err := e.store.Gorm().Exec(`ALTER TABLE metrics RENAME TO metrics_gone`).Error; err != nil {
			t.Fatal(err)
		}
		r := e.do(t, `{ traces(first: 2) { nodes { id metrics { nodes { score } } } } }`, nil)
		if r.codeOf() != "INTERNAL" || r.Errors[0].Message != "internal error" {
			t.Fatalf("want a generic INTERNAL error, got %s", r.body)
		}
		body := strings.ToLower(string(r.body))
		for _, leak := range []string{"metrics", "select", "sqlstate", "no such table", "relation", "from "} {
			if strings.Contains(strings.ReplaceAll(body, `"metrics"`, ""), leak) {
				t.Errorf("response leaks %q: %s", leak, r.body)
			}
		}
	})
}

// TestPanicsBecomeInternalErrors panics inside a batch function and inside a
// resolver, and checks that each becomes an INTERNAL error while the server
// keeps answering.
func TestPanicsBecomeInternalErrors(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		var panicOn atomic.Value
		panicOn.Store("")
		err := e.store.Gorm().Callback().Row().Before("gorm:row").Register("test:panic", func(g *gorm.DB) {
			if table := panicOn.Load().(string); table != "" && strings.Contains(g.Statement.SQL.String(), "FROM "+table+" t") {
				panic("injected fault on " + table)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		// Page reads on PostgreSQL skip GORM; the store's hook sees them.
		e.store.OnDirectStatement("test:panic", func(_ context.Context, s db.DirectStatement) {
			if table := panicOn.Load().(string); table != "" && strings.Contains(s.SQL, "FROM "+table+" t") {
				panic("injected fault on " + table)
			}
		})
		cases := []struct{ where, table, query string }{
			{"batch function", "tool_call", `{ traces(first: 3) { nodes { id toolCalls { nodes { name } } } } }`},
			{"resolver", "project_info", `{ projects { nodes { id } } }`},
		}
		for _, c := range cases {
			panicOn.Store(c.table)
			r := e.do(t, c.query, nil)
			panicOn.Store("")
			if r.codeOf() != "INTERNAL" || strings.Contains(string(r.body), "injected") {
				t.Errorf("panic in %s: want a generic INTERNAL error, got %s", c.where, r.body)
			}
			var ok struct {
				Projects struct{ Nodes []struct{ ID string } }
			}
			e.mustData(t, `{ projects { nodes { id } } }`, nil, &ok)
			if len(ok.Projects.Nodes) != 3 {
				t.Fatalf("server not answering after a panic in %s", c.where)
			}
		}
	})
}

// TestHTTPTransport checks GET for queries and the GraphQL-over-HTTP media type.
func TestHTTPTransport(t *testing.T) {
	e := newEnv(t, dbtest.Backends()[0], demo.DefaultScale())
	status, header, body := httpGet(t, e.url+"?query="+url.QueryEscape(`{ projects { totalCount } }`), nil)
	if status != http.StatusOK || !strings.Contains(string(body), `"totalCount":3`) {
		t.Fatalf("GET query: %d %s", status, body)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Errorf("Content-Type %q, want application/graphql-response+json", ct)
	}
	_, header, _ = httpGet(t, e.url+"?query="+url.QueryEscape(`{ projects { totalCount } }`), http.Header{"Accept": {"application/json"}})
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("with Accept: application/json, Content-Type %q", ct)
	}
	status, _, body = httpGet(t, e.url+"?query="+url.QueryEscape(`{ projects { `), nil)
	if status != http.StatusBadRequest {
		t.Errorf("GET with a syntax error: %d %s, want 400", status, body)
	}
}
