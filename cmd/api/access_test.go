package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// These tests create keys with the real CLI and use them against the real
// binary: what each role may do, and that a key sees only its projects on
// every surface (root queries, nested edges, node(s), analytics, exports,
// OTLP, mutations), with other projects' rows answered as NOT_FOUND.

// newKey runs `api keys create` and returns the key, the last word printed.
func newKey(t *testing.T, databaseURL string, args ...string) string {
	t.Helper()
	code, stdout, stderr := runAPI(t, append([]string{"keys", "create", "--database-url", databaseURL}, args...)...)
	if code != 0 {
		t.Fatalf("keys create %v: exit %d: %s", args, code, stderr)
	}
	words := strings.Fields(stdout)
	key := words[len(words)-1]
	if !strings.HasPrefix(key, "agk_") {
		t.Fatalf("keys create printed %q; want the key as the last word", stdout)
	}
	return key
}

// keyed is a caller of the server with one key ("" for none).
type keyed struct {
	base string
	key  string
}

func (c keyed) request(t *testing.T, method, path, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, out
}

type gqlAnswer struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
	raw    string
}

// codes lists the extensions.code of every error, in order.
func (a gqlAnswer) codes() string {
	var out []string
	for _, e := range a.Errors {
		out = append(out, fmt.Sprint(e.Extensions["code"]))
	}
	return strings.Join(out, ",")
}

func (c keyed) gql(t *testing.T, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	status, _, raw := c.request(t, http.MethodPost, "/graphql", "application/json", body)
	var a gqlAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", status, raw)
	}
	a.status, a.raw = status, string(raw)
	return a
}

// ok runs query and fails on any error.
func (c keyed) ok(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	a := c.gql(t, query, vars)
	if a.status != 200 || len(a.Errors) > 0 {
		t.Fatalf("%s\nstatus %d: %s", query, a.status, a.raw)
	}
	data, _ := json.Marshal(a.Data)
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
}

// wantCode runs query and checks that it fails with code and nothing else.
func (c keyed) wantCode(t *testing.T, query string, vars map[string]any, code string) gqlAnswer {
	t.Helper()
	a := c.gql(t, query, vars)
	if len(a.Errors) == 0 || a.codes() != code {
		t.Errorf("%s\nwant %s, got status %d: %.400s", query, code, a.status, a.raw)
	}
	return a
}

type projectIDs struct {
	Projects struct {
		Nodes []struct {
			ID, ProjectName string
			Traces          struct {
				TotalCount int
				Nodes      []struct {
					ID       string
					LlmCalls struct{ Nodes []struct{ ID string } }
				}
			}
		}
	}
}

const scopedProjectsQuery = `{ projects { nodes { id projectName traces(first: 2) { totalCount nodes { id llmCalls(first: 1) { nodes { id } } } } } } }`

func TestAPIKeysScopeEverySurface(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		url := b.NewURL(t)
		p := startAPI(t, url, "--demo")
		anon := keyed{p.URL, ""}
		var all projectIDs
		anon.ok(t, scopedProjectsQuery, nil, &all)
		if len(all.Projects.Nodes) < 2 {
			t.Fatalf("demo has %d projects, want 2 or more", len(all.Projects.Nodes))
		}
		a, other := all.Projects.Nodes[0], all.Projects.Nodes[1]
		otherTrace, otherCall := other.Traces.Nodes[0].ID, other.Traces.Nodes[0].LlmCalls.Nodes[0].ID
		ownTrace := a.Traces.Nodes[0].ID

		reader := keyed{p.URL, newKey(t, url, "--project", a.ProjectName, "--role", "read")}
		ingester := keyed{p.URL, newKey(t, url, "--project", a.ProjectName, "--role", "ingest")}
		admin := keyed{p.URL, newKey(t, url, "--project", a.ProjectName, "--role", "admin")}
		root := keyed{p.URL, newKey(t, url, "--all-projects", "--role", "admin", "--note", "ops")}

		t.Run("anonymous callers are refused once keys exist", func(t *testing.T) {
			var a gqlAnswer
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if a = anon.gql(t, `{ projects { totalCount } }`, nil); a.status == 401 {
					break
				}
			}
			if a.status != 401 || a.codes() != "UNAUTHENTICATED" {
				t.Fatalf("anonymous: status %d %s, want 401 UNAUTHENTICATED", a.status, a.raw)
			}
			bad := keyed{p.URL, "agk_not-a-key"}
			if a := bad.gql(t, `{ projects { totalCount } }`, nil); a.status != 401 || a.codes() != "UNAUTHENTICATED" {
				t.Errorf("unknown key: status %d %s", a.status, a.raw)
			}
			if status, h, _ := bad.request(t, http.MethodPost, "/v1/traces", "application/json", []byte(`{}`)); status != 401 || h.Get("WWW-Authenticate") == "" {
				t.Errorf("OTLP with an unknown key: %d, WWW-Authenticate %q", status, h.Get("WWW-Authenticate"))
			}
			if status, h, _ := bad.request(t, http.MethodPost, "/v1/ingest", "application/json", ingestJSON("any", "anon")); status != 401 || h.Get("WWW-Authenticate") == "" {
				t.Errorf("/v1/ingest with an unknown key: %d, WWW-Authenticate %q", status, h.Get("WWW-Authenticate"))
			}
			if status, _, _ := anon.request(t, http.MethodGet, "/export/traces.csv", "", nil); status != 401 {
				t.Errorf("anonymous export: %d, want 401", status)
			}
			if status, _, _ := anon.request(t, http.MethodGet, "/healthz", "", nil); status != 200 {
				t.Errorf("health check needs no key, got %d", status)
			}
		})

		t.Run("a read key sees only its project", func(t *testing.T) {
			var seen projectIDs
			reader.ok(t, scopedProjectsQuery, nil, &seen)
			if len(seen.Projects.Nodes) != 1 || seen.Projects.Nodes[0].ID != a.ID {
				t.Fatalf("projects seen: %+v, want only %s", seen.Projects.Nodes, a.ProjectName)
			}
			var traces struct {
				Traces struct {
					TotalCount int
					Nodes      []struct{ Project struct{ ID string } }
				}
			}
			reader.ok(t, `{ traces(first: 100) { totalCount nodes { project { id } } } }`, nil, &traces)
			if traces.Traces.TotalCount != a.Traces.TotalCount || len(traces.Traces.Nodes) != a.Traces.TotalCount {
				t.Errorf("root traces: %d (%d listed), want the %d of its project", traces.Traces.TotalCount, len(traces.Traces.Nodes), a.Traces.TotalCount)
			}
			for _, n := range traces.Traces.Nodes {
				if n.Project.ID != a.ID {
					t.Errorf("root traces list a trace of project %s", n.Project.ID)
				}
			}
			var search struct{ Traces struct{ TotalCount int } }
			reader.ok(t, `{ traces(filter: {hasErrors: true}) { totalCount } }`, nil, &search)
			var searchAll struct{ Traces struct{ TotalCount int } }
			root.ok(t, `{ traces(filter: {hasErrors: true}) { totalCount } }`, nil, &searchAll)
			if search.Traces.TotalCount >= searchAll.Traces.TotalCount {
				t.Errorf("filtered root list: key sees %d of all %d", search.Traces.TotalCount, searchAll.Traces.TotalCount)
			}

			// Another project's rows answer as if they did not exist.
			missing := reader.wantCode(t, `query($id: ID!) { trace(id: $id) { id } }`, map[string]any{"id": otherTrace}, "NOT_FOUND")
			nonexistent := root.wantCode(t, `query($id: ID!) { trace(id: $id) { id } }`, map[string]any{"id": "VHJhY2U6OTk5OTk5"}, "NOT_FOUND")
			if len(missing.Errors) != 1 || len(nonexistent.Errors) != 1 ||
				strings.ReplaceAll(missing.Errors[0].Message, otherTrace, "ID") != strings.ReplaceAll(nonexistent.Errors[0].Message, "VHJhY2U6OTk5OTk5", "ID") {
				t.Errorf("another project's trace must answer like a missing one: %q vs %q", missing.raw, nonexistent.raw)
			}
			var node struct {
				Node  *struct{ ID string }
				Nodes []*struct{ ID string }
			}
			reader.ok(t, `query($t: ID!, $c: ID!, $own: ID!) { node(id: $t) { id } nodes(ids: [$c, $own]) { id } }`,
				map[string]any{"t": otherTrace, "c": otherCall, "own": ownTrace}, &node)
			if node.Node != nil || len(node.Nodes) != 2 || node.Nodes[0] != nil || node.Nodes[1] == nil {
				t.Errorf("node/nodes across projects: %+v %+v", node.Node, node.Nodes)
			}
			reader.wantCode(t, `query($n: String!) { projectByName(name: $n) { id } }`, map[string]any{"n": other.ProjectName}, "NOT_FOUND")
			reader.wantCode(t, `query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": other.ID}, "NOT_FOUND")
			reader.wantCode(t, `query($p: ID!) { analytics(projectId: $p, source: LLM_CALLS, timeRange: {from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"}) { count } }`,
				map[string]any{"p": other.ID}, "NOT_FOUND")
			var own struct{ Analytics []struct{ Count int } }
			reader.ok(t, `query($p: ID!) { analytics(projectId: $p, source: LLM_CALLS, timeRange: {from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"}) { count } }`,
				map[string]any{"p": a.ID}, &own)
			if len(own.Analytics) != 1 || own.Analytics[0].Count == 0 {
				t.Errorf("analytics of its own project: %+v", own.Analytics)
			}

			// Exports keep to the key's project too.
			status, _, body := reader.request(t, http.MethodGet, "/export/traces.ndjson", "", nil)
			if status != 200 || strings.Count(string(body), "\n") != a.Traces.TotalCount {
				t.Errorf("export: %d with %d rows, want %d rows", status, strings.Count(string(body), "\n"), a.Traces.TotalCount)
			}
			if status, _, _ := reader.request(t, http.MethodGet, "/export/traces.csv?project="+other.ProjectName, "", nil); status != 404 {
				t.Errorf("export of another project by name: %d, want 404", status)
			}

			// Read keys write nothing, anywhere.
			reader.wantCode(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": ownTrace}, "FORBIDDEN")
			reader.wantCode(t, `mutation { ingestTraces(input: [{project: "`+a.ProjectName+`", startTime: "2026-01-01T00:00:00Z"}]) { traces { id } } }`, nil, "FORBIDDEN")
			if status, _, _ := reader.request(t, http.MethodPost, "/v1/traces", "application/json", otlpExport(a.ProjectName, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")); status != 403 {
				t.Errorf("OTLP with a read key: %d, want 403", status)
			}
			if status, _, body := reader.request(t, http.MethodPost, "/v1/ingest", "application/json", ingestJSON(a.ProjectName, "r-1")); status != 403 || !strings.Contains(string(body), `"FORBIDDEN"`) {
				t.Errorf("/v1/ingest with a read key: %d %s, want 403 FORBIDDEN", status, body)
			}
			if status, _, _ := reader.request(t, http.MethodGet, "/metrics", "", nil); status != 403 {
				t.Errorf("/metrics with a read key: %d, want 403", status)
			}
			var schema struct {
				Schema struct{ QueryType struct{ Name string } } `json:"__schema"`
			}
			reader.ok(t, `{ __schema { queryType { name } } }`, nil, &schema)
			if schema.Schema.QueryType.Name != "Query" {
				t.Errorf("introspection with a read key: %+v", schema)
			}
		})

		t.Run("an ingest key writes into its project and learns only the ids of what it wrote", func(t *testing.T) {
			ingester.wantCode(t, `{ projects { totalCount } }`, nil, "FORBIDDEN")
			if a := ingester.gql(t, `{ __schema { queryType { name } } }`, nil); len(a.Errors) == 0 {
				t.Errorf("introspection with an ingest key: %s", a.raw)
			}
			if status, _, _ := ingester.request(t, http.MethodGet, "/export/llm_calls.csv", "", nil); status != 403 {
				t.Errorf("export with an ingest key: %d, want 403", status)
			}
			// Its answers hold the ids of what it wrote and nothing read back.
			before := traceCount(t, root, a.ID)
			write := `mutation { ingestTraces(input: [{project: "` + a.ProjectName + `", externalId: "k-1", startTime: "2026-01-01T00:00:00Z",
				llmCalls: [{name: "chat", model: "m", inputPrompt: "secret prompt", startTime: "2026-01-01T00:00:01Z"}]}]) {
				traces { id SELECT } } }`
			res := ingester.wantCode(t, strings.Replace(write, "SELECT", "llmCalls { nodes { model inputPrompt } }", 1), nil, "FORBIDDEN")
			if res.status != 403 || res.Data != nil || res.Errors[0].Extensions["field"] != "ingestTraces.traces.llmCalls" {
				t.Errorf("ingest answer reading the calls: want 403 naming ingestTraces.traces.llmCalls and no data, got %d %s", res.status, res.raw)
			}
			if after := traceCount(t, root, a.ID); after != before {
				t.Errorf("a refused answer wrote: %d -> %d traces", before, after)
			}
			var written struct {
				IngestTraces struct {
					Traces []struct{ ID, ExternalID string }
				}
			}
			ingester.ok(t, strings.Replace(write, "SELECT", "externalId", 1), nil, &written)
			if w := written.IngestTraces.Traces; len(w) != 1 || w[0].ID == "" || w[0].ExternalID != "k-1" {
				t.Errorf("ingest answer of ids: %+v", written)
			}
			if after := traceCount(t, root, a.ID); after != before+1 {
				t.Errorf("traces of its project: %d -> %d, want one more", before, after)
			}

			// Another project, or a new one, is refused as a whole.
			otherBefore := traceCount(t, root, other.ID)
			mixed := ingester.wantCode(t, `mutation { ingestTraces(input: [{project: "`+a.ProjectName+`", startTime: "2026-01-01T00:00:00Z"},
				{project: "`+other.ProjectName+`", startTime: "2026-01-01T00:00:00Z"}]) { traces { id } } }`, nil, "FORBIDDEN")
			if len(mixed.Errors) == 1 && mixed.Errors[0].Extensions["field"] != "input[1].project" {
				t.Errorf("refusal names %v, want input[1].project", mixed.Errors[0].Extensions["field"])
			}
			ingester.wantCode(t, `mutation { ingestTraces(input: [{project: "brand-new", startTime: "2026-01-01T00:00:00Z"}]) { traces { id } } }`, nil, "FORBIDDEN")
			if n := traceCount(t, root, a.ID); n != before+1 {
				t.Errorf("a refused request wrote into the key's project: %d traces, want %d", n, before+1)
			}
			if n := traceCount(t, root, other.ID); n != otherBefore {
				t.Errorf("the other project changed: %d -> %d traces", otherBefore, n)
			}
			// POST /v1/ingest keeps to the rules of ingestTraces.
			{
				status, _, body := ingester.request(t, http.MethodPost, "/v1/ingest", "application/json", ingestJSON(a.ProjectName, "k-2"))
				if status != 200 || !strings.Contains(string(body), `"externalId":"k-2"`) {
					t.Errorf("/v1/ingest into its project: %d %s", status, body)
				}
				for _, refused := range [][]byte{ingestJSON(a.ProjectName, "k-3", other.ProjectName, "k-4"), ingestJSON(a.ProjectName, "k-5", "brand-new", "k-6")} {
					status, _, body := ingester.request(t, http.MethodPost, "/v1/ingest", "application/json", refused)
					var answer gqlAnswer
					_ = json.Unmarshal(body, &answer)
					if status != 403 || answer.codes() != "FORBIDDEN" || answer.Errors[0].Extensions["field"] != "traces[1].project" {
						t.Errorf("/v1/ingest into another project: %d %s, want 403 FORBIDDEN on traces[1].project", status, body)
					}
				}
				if n := traceCount(t, root, a.ID); n != before+2 {
					t.Errorf("traces of its project after /v1/ingest: %d, want %d (one accepted, the refused ones not)", n, before+2)
				}
				if n := traceCount(t, root, other.ID); n != otherBefore {
					t.Errorf("/v1/ingest wrote into another project: %d -> %d traces", otherBefore, n)
				}
			}
			ingester.wantCode(t, `mutation($t: ID!) { recordMetric(input: {traceId: $t, metricName: "x", score: 1, timestamp: "2026-01-01T00:00:00Z"}) { id } }`,
				map[string]any{"t": otherTrace}, "INVALID_ARGUMENT")

			status, _, _ := ingester.request(t, http.MethodPost, "/v1/traces", "application/json", otlpExport(a.ProjectName, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2"))
			if status != 200 {
				t.Errorf("OTLP into its project: %d", status)
			}
			status, _, body := ingester.request(t, http.MethodPost, "/v1/traces", "application/json", otlpExport(other.ProjectName, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3"))
			if status != 403 || !strings.Contains(string(body), other.ProjectName) {
				t.Errorf("OTLP into another project: %d %s, want 403 naming it", status, body)
			}
			if n := traceCount(t, root, other.ID); n != otherBefore {
				t.Errorf("OTLP wrote into another project: %d -> %d", otherBefore, n)
			}
		})

		t.Run("an admin key of one project manages only it", func(t *testing.T) {
			admin.wantCode(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": otherTrace}, "NOT_FOUND")
			admin.wantCode(t, `mutation($id: ID!) { deleteProject(id: $id) { deletedId } }`, map[string]any{"id": other.ID}, "NOT_FOUND")
			admin.wantCode(t, `mutation($id: ID!) { setProjectRetention(projectId: $id, days: 1) { id } }`, map[string]any{"id": other.ID}, "NOT_FOUND")
			admin.wantCode(t, `mutation { createProject(input: {name: "admin-made"}) { id } }`, nil, "FORBIDDEN")
			var gone struct{ Trace *struct{ ID string } }
			root.ok(t, `query($id: ID!) { trace(id: $id) { id } }`, map[string]any{"id": otherTrace}, &gone)
			if gone.Trace == nil {
				t.Fatal("another project's trace was deleted")
			}
			var del struct{ DeleteTrace struct{ DeletedID string } }
			admin.ok(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": ownTrace}, &del)
			var made struct{ CreateProject struct{ ID string } }
			root.ok(t, `mutation { createProject(input: {name: "root-made"}) { id } }`, nil, &made)
			if status, _, body := root.request(t, http.MethodGet, "/metrics", "", nil); status != 200 || !strings.Contains(string(body), "# TYPE") {
				t.Errorf("/metrics with an admin key: %d", status)
			}
		})

		t.Run("revoking a key takes effect at once", func(t *testing.T) {
			code, out, errOut := runAPI(t, "keys", "list", "--database-url", url)
			if code != 0 || !strings.Contains(out, "ops") || !strings.Contains(out, a.ProjectName) || strings.Contains(out, reader.key) {
				t.Fatalf("keys list: exit %d\n%s%s", code, out, errOut)
			}
			prefix := reader.key[:12]
			if code, out, errOut := runAPI(t, "keys", "revoke", "--database-url", url, prefix); code != 0 {
				t.Fatalf("keys revoke: exit %d %s%s", code, out, errOut)
			}
			if a := reader.gql(t, `{ projects { totalCount } }`, nil); a.status != 401 {
				t.Errorf("revoked key: status %d %s", a.status, a.raw)
			}
			if code, _, _ := runAPI(t, "keys", "revoke", "--database-url", url, prefix); code == 0 {
				t.Error("revoking a revoked key succeeded")
			}
		})
	})
}

// traceCount reads a project's number of traces.
func traceCount(t *testing.T, c keyed, projectID string) int {
	t.Helper()
	var out struct {
		Project struct{ Traces struct{ TotalCount int } }
	}
	c.ok(t, `query($id: ID!) { project(id: $id) { traces { totalCount } } }`, map[string]any{"id": projectID}, &out)
	return out.Project.Traces.TotalCount
}

// ingestJSON is a body of POST /v1/ingest: one trace per project and
// external id given in pairs.
func ingestJSON(projectsAndKeys ...string) []byte {
	var traces []map[string]any
	for i := 0; i+1 < len(projectsAndKeys); i += 2 {
		traces = append(traces, map[string]any{"project": projectsAndKeys[i], "externalId": projectsAndKeys[i+1],
			"startTime": "2026-01-01T00:00:00Z", "llmCalls": []any{map[string]any{"name": "chat", "startTime": "2026-01-01T00:00:01Z"}}})
	}
	body, _ := json.Marshal(map[string]any{"traces": traces})
	return body
}

// otlpExport is an OTLP/JSON export of one LLM span in project.
func otlpExport(project, traceID string) []byte {
	return []byte(`{"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "` + project + `"}}]},
	  "scopeSpans": [{"spans": [{"traceId": "` + traceID + `", "spanId": "eee19b7ec3c1b175", "name": "chat m",
	    "startTimeUnixNano": "1767600000500000000", "endTimeUnixNano": "1767600002000000000",
	    "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, {"key": "gen_ai.request.model", "value": {"stringValue": "m"}}]}]}]}]}`)
}

func TestKeylessServerStaysOnLoopback(t *testing.T) {
	b := dbtest.Backends()[0]
	url := b.NewURL(t)

	code, _, stderr := runAPI(t, "--addr", "0.0.0.0:0", "--database-url", url)
	if code == 0 || !strings.Contains(stderr, "refusing to listen") || !strings.Contains(stderr, "--insecure") {
		t.Fatalf("keyless server on 0.0.0.0: exit %d, stderr %s", code, stderr)
	}

	p := startAPI(t, url, "--addr", "0.0.0.0:0", "--insecure")
	port := p.addr[strings.LastIndex(p.addr, ":"):]
	anon := keyed{"http://127.0.0.1" + port, ""}
	var n struct{ Projects struct{ TotalCount int } }
	anon.ok(t, `{ projects { totalCount } }`, nil, &n)
	if a := anon.gql(t, `{ __schema { queryType { name } } }`, nil); len(a.Errors) == 0 {
		t.Errorf("anonymous introspection on a non-loopback address answered: %s", a.raw)
	}
	if _, ok := p.stderr.find("no API keys and --insecure: anyone who can reach this address may read and write everything"); !ok {
		t.Error("no warning logged for --insecure")
	}
	p.stop(t)

	key := newKey(t, url, "--all-projects", "--role", "read")
	p = startAPI(t, url, "--addr", "0.0.0.0:0")
	port = p.addr[strings.LastIndex(p.addr, ":"):]
	if a := (keyed{"http://127.0.0.1" + port, ""}).gql(t, `{ projects { totalCount } }`, nil); a.status != 401 {
		t.Errorf("anonymous call to a server with keys: %d", a.status)
	}
	(keyed{"http://127.0.0.1" + port, key}).ok(t, `{ projects { totalCount } }`, nil, &n)
	p.stop(t)
}

func TestKeysUsage(t *testing.T) {
	url := dbtest.Backends()[0].NewURL(t)
	cases := [][]string{
		{"keys", "create", "--database-url", url, "--role", "read"},
		{"keys", "create", "--database-url", url, "--project", "x", "--role", "owner"},
		{"keys", "create", "--database-url", url, "--project", "x", "--all-projects", "--role", "read"},
		{"keys", "revoke", "--database-url", url},
		{"keys", "rotate"},
	}
	for _, args := range cases {
		code, _, stderr := runAPI(t, args...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}
