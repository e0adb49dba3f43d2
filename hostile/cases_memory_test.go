package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxJSONDepth is the nesting limit of every JSON input (CONTRACT.md).
const maxJSONDepth = 64

// nestedJSON returns a JSON value depth levels deep: arrays, or objects
// with one key.
func nestedJSON(depth int, objects bool) string {
	open, inner, close := "[", "[]", "]"
	if objects {
		open, inner, close = `{"a":`, "{}", "}"
	}
	return strings.Repeat(open, depth-1) + inner + strings.Repeat(close, depth-1)
}

// jsonDepth is the deepest nesting of arrays and objects in a JSON text.
func jsonDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// deepIngestBody is a /v1/ingest body nested depth levels deep in all,
// through a metric's resultDetail (which starts at level 6).
func deepIngestBody(depth int, objects bool) []byte {
	const prefix = 5 // {traces:[{metrics:[{
	return mustDepth([]byte(`{"traces":[{"project":"hostile-deep","startTime":"2026-01-06T00:00:00Z","metrics":[{"metricName":"m","timestamp":"2026-01-06T00:00:00Z","resultDetail":`+
		nestedJSON(depth-prefix, objects)+`}]}]}`), depth)
}

// deepVariablesBody is an ingestTraces mutation whose variable $d, the
// metric's resultDetail, makes the POST body depth levels deep.
func deepVariablesBody(key string, depth int, objects bool) request {
	const prefix = 2 // {variables:{d:
	q := `mutation($d: JSON) { ingestTraces(input: [{project: "hostile-deep", startTime: "2026-01-06T00:00:00Z",
		metrics: [{metricName: "m", timestamp: "2026-01-06T00:00:00Z", resultDetail: $d}]}]) { traces { id } } }`
	body := `{"query":` + quote(q) + `,"variables":{"d":` + nestedJSON(depth-prefix, objects) + `}}`
	return request{path: "/graphql", key: key, body: mustDepth([]byte(body), depth)}
}

// deepLiteral is the mutation with a JSON literal depth levels deep in the
// document itself.
func deepLiteral(key string, depth int) request {
	q := `mutation { ingestTraces(input: [{project: "hostile-deep", startTime: "2026-01-06T00:00:00Z",
		metrics: [{metricName: "m", timestamp: "2026-01-06T00:00:00Z", resultDetail: ` + nestedJSON(depth, false) + `}]}]) { traces { id } } }`
	return graphql(key, q, nil)
}

// deepOTLPBody is an OTLP/JSON export depth levels deep in all: a span
// attribute nests array values, three JSON levels each, around an innermost
// value of one to three levels.
func deepOTLPBody(depth int) []byte {
	const prefix = 9 // resourceSpans … attributes[{
	levels := (depth - prefix - 1) / 3
	inner := []string{`{"stringValue":"x"}`, `{"kvlistValue":{}}`, `{"kvlistValue":{"values":[]}}`}[(depth-prefix-1)%3]
	value := strings.Repeat(`{"arrayValue":{"values":[`, levels) + inner + strings.Repeat(`]}}`, levels)
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"hostile-deep"}}]},"scopeSpans":[{"spans":[` +
		`{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"deep","startTimeUnixNano":"1767600000000000000","endTimeUnixNano":"1767600001000000000",` +
		`"attributes":[{"key":"deep","value":` + value + `}]}]}]}]}`
	return mustDepth([]byte(body), depth)
}

// mustDepth panics when a built body does not have the depth it was built
// for, so the limit is tested where it is meant to be.
func mustDepth(b []byte, depth int) []byte {
	if got := jsonDepth(b); got != depth {
		panic(fmt.Sprintf("built a body %d levels deep, want %d", got, depth))
	}
	return b
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// memoryCases: finding 1 (one request runs the server out of memory) and
// its variations: deep JSON, analytics cells, answer size, body size.
func (h *harness) memoryCases() []hcase {
	admin := h.keys.admin
	var cases []hcase
	ingest := func(body []byte) request { return request{path: "/v1/ingest", key: admin, body: body} }
	deepField := refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", fieldPrefix: "traces[0].metrics[0].resultDetail"}
	deepAny := refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", anyField: true}
	// OTLP's Status has no field: its message starts with the path.
	deepOTLP := refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", mention: []string{"resourceSpans[0].scopeSpans[0].spans[0].attributes[0]"}}
	for _, shape := range []struct {
		name    string
		objects bool
	}{{"array", false}, {"object", true}} {
		cases = append(cases,
			hcase{name: "deep/ingest/" + shape.name + "/64 accepted", run: func(c *caseRun) {
				c.ok("64 levels", c.send(ingest(deepIngestBody(maxJSONDepth, shape.objects))))
			}},
			hcase{name: "deep/ingest/" + shape.name + "/65", run: func(c *caseRun) {
				c.refused("65 levels", c.send(ingest(deepIngestBody(maxJSONDepth+1, shape.objects))), deepField)
			}},
			hcase{name: "deep/ingest/" + shape.name + "/50000", run: func(c *caseRun) {
				c.refused("50,000 levels", c.send(ingest(deepIngestBody(50000, shape.objects))), deepField)
			}},
			hcase{name: "deep/graphql-variables/" + shape.name + "/64 accepted", run: func(c *caseRun) {
				c.ok("64 levels", c.send(deepVariablesBody(admin, maxJSONDepth, shape.objects)))
			}},
			hcase{name: "deep/graphql-variables/" + shape.name + "/65", run: func(c *caseRun) {
				c.refused("65 levels", c.send(deepVariablesBody(admin, maxJSONDepth+1, shape.objects)), deepAny)
			}},
			hcase{name: "deep/graphql-variables/" + shape.name + "/50000", run: func(c *caseRun) {
				c.refused("50,000 levels", c.send(deepVariablesBody(admin, 50000, shape.objects)), deepAny)
			}},
		)
	}
	cases = append(cases,
		hcase{name: "deep/ingest/unknown field/50000", run: func(c *caseRun) {
			body := `{"traces":[],"x":` + nestedJSON(50000-1, false) + `}`
			c.refused("50,000 levels in an unknown field", c.send(ingest([]byte(body))), deepAny)
		}},
		hcase{name: "deep/ingest/gzip/50000", run: func(c *caseRun) {
			r := ingest(gzipped(deepIngestBody(50000, false)))
			r.header = map[string]string{"Content-Encoding": "gzip"}
			c.refused("50,000 levels, gzipped", c.send(r), deepField)
		}},
		hcase{name: "deep/graphql-get-variables/65", run: func(c *caseRun) {
			c.refused("65 levels", c.send(getGraphQL(admin, `{ __typename }`, `{"d":`+nestedJSON(maxJSONDepth, false)+`}`)), deepAny)
		}},
		hcase{name: "deep/graphql-get-variables/10000", run: func(c *caseRun) {
			c.refused("10,000 levels", c.send(getGraphQL(admin, `{ __typename }`, `{"d":`+nestedJSON(10000, false)+`}`)), deepAny)
		}},
		hcase{name: "deep/graphql-literal/64 accepted", run: func(c *caseRun) {
			c.ok("a JSON literal 64 levels deep", c.send(deepLiteral(admin, maxJSONDepth)))
		}},
		hcase{name: "deep/graphql-literal/65", run: func(c *caseRun) {
			c.refused("a JSON literal 65 levels deep", c.send(deepLiteral(admin, maxJSONDepth+1)), deepAny)
		}},
		// gqlparser refuses documents nested over 1,000 deep by itself.
		hcase{name: "deep/graphql-literal/900", run: func(c *caseRun) {
			c.refused("a JSON literal 900 levels deep", c.send(deepLiteral(admin, 900)), deepAny)
		}},
		hcase{name: "deep/otlp-json/64 accepted", run: func(c *caseRun) {
			a := c.send(otlpJSON(admin, deepOTLPBody(maxJSONDepth)))
			c.ok("64 levels", a)
			if a.rejectedSpans() != 0 {
				c.failf("64 levels: want no rejected span, got %s", a.summary())
			}
		}},
		hcase{name: "deep/otlp-json/65", run: func(c *caseRun) {
			c.refused("65 levels", c.send(otlpJSON(admin, deepOTLPBody(maxJSONDepth+1))), deepOTLP)
		}},
		hcase{name: "deep/otlp-json/50000", run: func(c *caseRun) {
			c.refused("50,000 levels", c.send(otlpJSON(admin, deepOTLPBody(50000))), deepOTLP)
		}},
		hcase{name: "deep/graphql-selection/17 (QUERY_TOO_DEEP)", run: func(c *caseRun) {
			q := "{ traces { nodes { " + strings.Repeat("project { traces { nodes { ", 8) + "id" + strings.Repeat(" } } }", 8) + " } } }"
			c.refused("selections 17 deep", c.send(graphql(admin, q, nil)), refusal{status: http.StatusBadRequest, code: "QUERY_TOO_DEEP"})
		}},
		hcase{name: "body/graphql/8 MiB + 1", run: func(c *caseRun) {
			body := append([]byte(`{"query":"{ __typename }","x":"`), bytes.Repeat([]byte("a"), 8<<20)...)
			c.refused("a body over 8 MiB", c.send(request{path: "/graphql", key: admin, body: append(body, `"}`...)}), refusal{status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"})
		}},
		hcase{name: "body/ingest/8 MiB + 1", run: func(c *caseRun) {
			body := append([]byte(`{"traces":[],"x":"`), bytes.Repeat([]byte("a"), 8<<20)...)
			c.refused("a body over 8 MiB", c.send(ingest(append(body, `"}`...))), refusal{status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"})
		}},
		hcase{name: "body/ingest/gzip bomb 100 MiB", run: func(c *caseRun) {
			r := ingest(gzipped(append([]byte(`{"traces":[`), bytes.Repeat([]byte(" "), 100<<20)...)))
			r.header = map[string]string{"Content-Encoding": "gzip"}
			c.refused("100 MiB after decompression", c.send(r), refusal{status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"})
		}},
		hcase{name: "body/otlp/16 MiB + 1", run: func(c *caseRun) {
			body := append([]byte(`{"resourceSpans":[],"x":"`), bytes.Repeat([]byte("a"), 16<<20)...)
			c.refused("a body over 16 MiB", c.send(otlpJSON(admin, append(body, `"}`...))), refusal{status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"})
		}},
	)
	return append(cases, append(h.analyticsCases(), h.answerSizeCases()...)...)
}

// analyticsCases: bins × groups over the 2,000 traces of 3.5 days.
func (h *harness) analyticsCases() []hcase {
	cells := refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", mention: []string{"bin", "timeRange", "groupBy"}}
	q := func(source, groupBy, bin string, span time.Duration) request {
		return graphql(h.keys.admin, fmt.Sprintf(`{ analytics(projectId: %q, source: %s, groupBy: [%s], bin: %s,
			timeRange: {from: %q, to: %q}) { bucket count tokens { total } cost { total } value { p50 p99 } } }`,
			h.seed.analyticsID, source, groupBy, bin, h.seed.from.Format(time.RFC3339), h.seed.from.Add(span).Format(time.RFC3339)), nil)
	}
	// 80 hours: 4,800 minute bins, under the 5,000-bin limit.
	span := 80 * time.Hour
	refuse := func(name, source, groupBy, bin string, span time.Duration) hcase {
		return hcase{name: "analytics/" + name, run: func(c *caseRun) {
			c.refused(name, c.send(q(source, groupBy, bin, span)), cells)
		}}
	}
	accept := func(name, source, groupBy, bin string) hcase {
		return hcase{name: "analytics/" + name + " accepted", bound: heavyBound, run: func(c *caseRun) {
			c.ok(name, c.send(q(source, groupBy, bin, span)))
		}}
	}
	return []hcase{
		refuse("LLM calls TRACE × MINUTE (9.6M cells)", "LLM_CALLS", "TRACE", "MINUTE", span),
		refuse("LLM calls TRACE × HOUR (160k cells)", "LLM_CALLS", "TRACE", "HOUR", span),
		refuse("LLM calls TRACE, MODEL × HOUR", "LLM_CALLS", "TRACE, MODEL", "HOUR", span),
		refuse("tool calls TRACE × HOUR", "TOOL_CALLS", "TRACE", "HOUR", span),
		refuse("errors TRACE × MINUTE (960k cells)", "ERRORS", "TRACE", "MINUTE", span),
		{name: "analytics/5760 MINUTE bins (over 5000)", run: func(c *caseRun) {
			c.refused("5760 bins", c.send(q("LLM_CALLS", "", "MINUTE", 96*time.Hour)), refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", anyField: true})
		}},
		accept("LLM calls TRACE × DAY (8k cells)", "LLM_CALLS", "TRACE", "DAY"),
		accept("LLM calls AGENT × MINUTE (24k cells)", "LLM_CALLS", "AGENT", "MINUTE"),
		accept("traces × MINUTE (4.8k cells)", "TRACES", "", "MINUTE"),
	}
}

// answerSizeCases: 1 MB prompts selected many times over.
func (h *harness) answerSizeCases() []hcase {
	admin := h.keys.admin
	tooLarge := refusal{status: http.StatusBadRequest, code: "RESPONSE_TOO_LARGE"}
	aliases := func(n, first int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: projectByName(name: %q) { llmCalls(first: %d) { nodes { inputPrompt } } }", i, bigProject, first)
		}
		return b.String() + " }"
	}
	var ids []string
	for _, id := range h.seed.bigCallIDs {
		ids = append(ids, quote(id))
	}
	cases := []hcase{}
	for _, n := range []int{10, 5, 1} {
		cases = append(cases, hcase{name: fmt.Sprintf("size/%d aliases × 100 prompts of 1 MB", n), run: func(c *caseRun) {
			c.refused(fmt.Sprintf("%d aliases", n), c.send(graphql(admin, aliases(n, 100), nil)), tooLarge)
		}})
	}
	return append(cases,
		hcase{name: "size/nested traces → llmCalls → prompts", run: func(c *caseRun) {
			q := fmt.Sprintf(`{ projectByName(name: %q) { traces(first: 40) { nodes { llmCalls(first: 100) { nodes { inputPrompt output } } } } } }`, bigProject)
			c.refused("every prompt through the traces", c.send(graphql(admin, q, nil)), tooLarge)
		}},
		hcase{name: "size/nested 100 × 100 prompts, refused by its estimate", run: func(c *caseRun) {
			q := fmt.Sprintf(`{ projectByName(name: %q) { traces(first: 100) { nodes { llmCalls(first: 100) { nodes { inputPrompt output } } } } } }`, bigProject)
			c.refused("every prompt through 100 traces", c.send(graphql(admin, q, nil)), refusal{status: http.StatusBadRequest, code: "COMPLEXITY_LIMIT_EXCEEDED"})
		}},
		hcase{name: "size/nodes(ids: 100 calls)", run: func(c *caseRun) {
			q := `{ nodes(ids: [` + strings.Join(ids, ", ") + `]) { ... on LLMCall { inputPrompt } } }`
			c.refused("100 calls by id", c.send(graphql(admin, q, nil)), tooLarge)
		}},
		hcase{name: "size/20 prompts accepted", bound: heavyBound, run: func(c *caseRun) {
			a := c.send(graphql(admin, aliases(1, 20), nil))
			c.ok("20 prompts of 1 MB", a)
			if a.err == nil && a.size < 20*bigPromptBytes {
				c.failf("20 prompts of 1 MB: the answer holds only %d bytes", a.size)
			}
		}},
		hcase{name: "size/export of 100 prompts streams", bound: heavyBound, run: func(c *caseRun) {
			a := c.send(request{method: http.MethodGet, path: "/export/llm_calls.ndjson?project=" + bigProject, key: admin})
			if a.err != nil || a.status != http.StatusOK || a.size < bigCalls*bigPromptBytes {
				c.failf("export: want 200 with all %d prompts, got %s", bigCalls, a.summary())
			}
		}},
	)
}

// getGraphQL is GET /graphql with query and variables.
func getGraphQL(key, query, variables string) request {
	v := url.Values{"query": {query}}
	if variables != "" {
		v.Set("variables", variables)
	}
	return request{method: http.MethodGet, path: "/graphql?" + v.Encode(), key: key}
}

// otlpJSON is POST /v1/traces of an OTLP/JSON body.
func otlpJSON(key string, body []byte) request {
	return request{path: "/v1/traces", key: key, body: body}
}
