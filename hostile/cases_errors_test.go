package hostile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// accessCases: the ingest role reads through mutation answers (finding 6),
// and the refusals of keys and roles that already hold.
func (h *harness) accessCases() []hcase {
	ingest := h.keys.ingest
	forbidden := refusal{status: http.StatusForbidden, code: "FORBIDDEN", anyField: true}
	mutation := func(externalID, selection string) request {
		return graphql(ingest, fmt.Sprintf(`mutation { ingestTraces(input: [{project: %q, externalId: %q, startTime: "2026-01-07T00:00:00Z"}]) { %s } }`,
			analyticsProject, externalID, selection), nil)
	}
	traceCount := func(c *caseRun) int {
		a := send(c.h.client, c.url(), graphql(c.h.keys.admin, fmt.Sprintf(`{ projectByName(name: %q) { traces { totalCount } } }`, analyticsProject), nil), heavyBound)
		var d struct {
			ProjectByName struct{ Traces struct{ TotalCount int } }
		}
		if a.hasData() {
			_ = json.Unmarshal(*a.doc.Data, &d)
		}
		return d.ProjectByName.Traces.TotalCount
	}
	refuse := func(name, selection string) hcase {
		return hcase{name: "role/ingest answer selects " + name, run: func(c *caseRun) {
			before := traceCount(c)
			c.refused("an ingest key selecting "+name, c.send(mutation("role-"+strings.Fields(name)[0], selection)), forbidden)
			if after := traceCount(c); after != before {
				c.failf("a refused mutation wrote: the project had %d traces, now %d", before, after)
			}
		}}
	}
	return []hcase{
		refuse("project { traces { llmCalls metrics } stats }", `traces { id project { traces(first: 100) { nodes { llmCalls { nodes { model tokenUsage { total } cost { total } } }
			metrics { nodes { metricName score } } agentCalls { nodes { name } } } } stats { traceCount } } }`),
		refuse("project { projectName totalTokens }", `traces { project { projectName totalTokens } }`),
		refuse("startTime", `traces { id startTime }`),
		refuse("stats", `traces { stats { llmCallCount tokens { total } } }`),
		refuse("totalCost", `traces { totalCost }`),
		{name: "role/ingest recordMetric answer selects trace { project }", run: func(c *caseRun) {
			q := fmt.Sprintf(`mutation { recordMetric(input: {traceId: %q, metricName: "role", score: 1, timestamp: "2026-01-07T00:00:00Z"}) {
				id trace { startTime project { projectName stats { traceCount } } } } }`, h.seed.traceID)
			c.refused("recordMetric selecting the trace", c.send(graphql(ingest, q, nil)), forbidden)
		}},
		{name: "role/ingest answer selects ids accepted", run: func(c *caseRun) {
			c.ok("ids", c.send(mutation("role-ids", `__typename traces { __typename id externalId databaseId }`)))
		}},
		{name: "auth/no key", run: func(c *caseRun) {
			c.refused("no key", c.send(graphql("", `{ __typename }`, nil)), refusal{status: http.StatusUnauthorized, code: "UNAUTHENTICATED"})
		}},
		{name: "auth/read key mutation", run: func(c *caseRun) {
			// Refused while executing: 200 with null data, as NOT_FOUND is.
			c.refused("a read key's mutation", c.send(graphql(c.h.keys.probe, `mutation { deleteTrace(id: "VHJhY2U6MQ") { deletedId } }`, nil)),
				refusal{status: http.StatusForbidden, alsoStatus: http.StatusOK, code: "FORBIDDEN"})
		}},
		{name: "auth/metrics with a read key", run: func(c *caseRun) {
			c.refused("/metrics with a read key", c.send(request{method: http.MethodGet, path: "/metrics", key: c.h.keys.probe}), refusal{status: http.StatusForbidden, code: "FORBIDDEN"})
		}},
		{name: "auth/export with an ingest key", run: func(c *caseRun) {
			c.refused("an ingest key's export", c.send(request{method: http.MethodGet, path: "/export/traces.csv", key: ingest}), refusal{status: http.StatusForbidden, code: "FORBIDDEN"})
		}},
	}
}

// errorCases: answers without a code, or with INTERNAL, for bad bodies,
// transports and cursors (finding 7).
func (h *harness) errorCases() []hcase {
	admin := h.keys.admin
	body := func(name, b string, w refusal) hcase {
		return hcase{name: "body/graphql/" + name, run: func(c *caseRun) {
			c.refused(name, c.send(request{path: "/graphql", key: admin, body: []byte(b)}), w)
		}}
	}
	bad := refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT"}
	cases := []hcase{
		body("query is a number", `{"query":5}`, invalid("query")),
		body("variables is an array", `{"query":"{ __typename }","variables":[1]}`, invalid("variables")),
		body("variables is a string", `{"query":"{ __typename }","variables":"x"}`, invalid("variables")),
		body("operationName is a number", `{"query":"{ __typename }","operationName":5}`, invalid("operationName")),
		body("extensions is a number", `{"query":"{ __typename }","extensions":5}`, invalid("extensions")),
		body("truncated", `{"query":"{ __typename }"`, bad),
		body("not JSON", `query { __typename }`, bad),
		body("a batch", `[{"query":"{ __typename }"}]`, bad),
		body("empty", ``, bad),
	}
	transport := func(name string, r request, status int, code string) hcase {
		return hcase{name: "transport/" + name, run: func(c *caseRun) {
			c.refused(name, c.send(r), refusal{status: status, code: code})
		}}
	}
	notAllowed, unsupported := http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType
	cases = append(cases,
		transport("GET mutation", getGraphQL(admin, `mutation { deleteTrace(id: "VHJhY2U6MQ") { deletedId } }`, ""), notAllowed, "METHOD_NOT_ALLOWED"),
		transport("PUT /graphql", request{method: http.MethodPut, path: "/graphql", key: admin, body: []byte(`{"query":"{ __typename }"}`)}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("DELETE /graphql", request{method: http.MethodDelete, path: "/graphql", key: admin}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("POST /graphql text/plain", request{path: "/graphql", key: admin, ctype: "text/plain", body: []byte(`{"query":"{ __typename }"}`)}, unsupported, "UNSUPPORTED_MEDIA_TYPE"),
		transport("POST /graphql form", request{path: "/graphql", key: admin, ctype: "application/x-www-form-urlencoded", body: []byte(`query=%7B__typename%7D`)}, unsupported, "UNSUPPORTED_MEDIA_TYPE"),
		transport("PUT /v1/ingest", request{method: http.MethodPut, path: "/v1/ingest", key: admin, body: []byte(`{"traces":[]}`)}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("POST /v1/ingest text/plain", request{path: "/v1/ingest", key: admin, ctype: "text/plain", body: []byte(`{"traces":[]}`)}, unsupported, "UNSUPPORTED_MEDIA_TYPE"),
		transport("PUT /v1/traces", request{method: http.MethodPut, path: "/v1/traces", key: admin, body: []byte(`{}`)}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("POST /v1/traces text/plain", request{path: "/v1/traces", key: admin, ctype: "text/plain", body: []byte(`{}`)}, unsupported, "UNSUPPORTED_MEDIA_TYPE"),
		transport("POST /v1/traces bad OTLP/JSON", otlpJSON(admin, []byte(`{"resourceSpans":5}`)), http.StatusBadRequest, "INVALID_ARGUMENT"),
		transport("POST /export/traces.csv", request{path: "/export/traces.csv", key: admin, body: []byte(`x`)}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("POST /metrics", request{path: "/metrics", key: admin, body: []byte(`x`)}, notAllowed, "METHOD_NOT_ALLOWED"),
		transport("GET /export/nothing.csv", request{method: http.MethodGet, path: "/export/nothing.csv", key: admin}, http.StatusNotFound, "NOT_FOUND"),
		hcase{name: "transport/GET /export/traces.csv?bogus=1", run: func(c *caseRun) {
			c.refused("an unknown parameter", c.send(request{method: http.MethodGet, path: "/export/traces.csv?bogus=1", key: admin}), invalid("bogus"))
		}},
		hcase{name: "transport/GET /export/traces.csv?from=yesterday", run: func(c *caseRun) {
			c.refused("a bad time", c.send(request{method: http.MethodGet, path: "/export/traces.csv?from=yesterday", key: admin}), invalid("from"))
		}},
	)
	return append(cases, h.cursorCases()...)
}

// cursorCases: cursors made by hand, well-formed or not.
func (h *harness) cursorCases() []hcase {
	admin := h.keys.admin
	cursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	traces := func(args string) request {
		return graphql(admin, `{ traces(first: 5, `+args+`) { nodes { id } pageInfo { endCursor } } }`, nil)
	}
	bad := func(name, args, field string) hcase {
		return hcase{name: "cursor/" + name, run: func(c *caseRun) {
			c.refused(name, c.send(traces(args)), invalid(field))
		}}
	}
	// Well-formed cursors with extreme values: a page (maybe empty) or a
	// refusal naming the argument, never INTERNAL.
	either := func(name, args, field string) hcase {
		return hcase{name: "cursor/" + name, run: func(c *caseRun) {
			a := c.send(traces(args))
			if a.status == http.StatusOK && len(a.doc.Errors) == 0 {
				return
			}
			c.refused(name+" (200 with a page, or this)", a, invalid(field))
		}}
	}
	return []hcase{
		bad("not base64", `after: "!!!"`, "after"),
		bad("not JSON", fmt.Sprintf(`after: %q`, cursor(`{"c":`)), "after"),
		bad("negative id", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","t":"2026-01-05T00:00:00Z","i":-1}`)), "after"),
		bad("a number for a time", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","n":1e308,"i":1}`)), "after"),
		bad("another order's cursor", fmt.Sprintf(`after: %q`, cursor(`{"c":"total_cost","n":1,"i":1}`)), "after"),
		bad("a time for a cost", fmt.Sprintf(`orderBy: {field: COST}, before: %q`, cursor(`{"c":"total_cost","t":"2026-01-05T00:00:00Z","i":1}`)), "before"),
		bad("id beyond int64", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","t":"2026-01-05T00:00:00Z","i":1e30}`)), "after"),
		either("largest id", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","t":"2026-01-05T00:00:00Z","i":9223372036854775807}`)), "after"),
		either("year 9999", fmt.Sprintf(`before: %q`, cursor(`{"c":"start_time","t":"9999-12-31T23:59:59Z","i":1}`)), "before"),
		either("year 1", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","t":"0001-01-01T00:00:00Z","i":1}`)), "after"),
		either("a key with NUL", fmt.Sprintf(`after: %q`, cursor(`{"c":"start_time","t":"2026-01-05T00:00:00Z","k":"a\u0000b","i":1}`)), "after"),
		either("cost 1e308", fmt.Sprintf(`orderBy: {field: COST}, after: %q`, cursor(`{"c":"total_cost","n":1e308,"i":1}`)), "after"),
		either("tokens 1e300", fmt.Sprintf(`orderBy: {field: TOKENS}, after: %q`, cursor(`{"c":"total_tokens","n":1e300,"i":1}`)), "after"),
	}
}
