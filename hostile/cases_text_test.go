package hostile

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// Limits on texts (CONTRACT.md).
const (
	maxSearchWords  = 32
	maxSearchBytes  = 1024
	maxOperationLen = 256
	maxOperations   = 100 // distinct operation label values; the rest are "other"
	maxMetricsBytes = 1 << 20
)

// searchOf returns n words of the seeded vocabulary, distinct as long as it
// lasts, then numbered.
func searchOf(n int) string {
	words := make([]string, n)
	for i := range words {
		if i < len(vocabulary) {
			words[i] = vocabulary[i]
		} else {
			words[i] = fmt.Sprintf("w%d", i)
		}
	}
	return strings.Join(words, " ")
}

// textCases: NUL characters (finding 3), search words (finding 4) and
// operation names (finding 5).
func (h *harness) textCases() []hcase {
	admin := h.keys.admin
	const nul = "a\u0000b"
	ingestNUL := func(name, body, field string, prefix bool) hcase {
		w := invalid(field)
		if prefix {
			w = refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", fieldPrefix: field}
		}
		return hcase{name: "nul/ingest/" + name, run: func(c *caseRun) {
			c.refused("NUL in "+name, c.send(request{path: "/v1/ingest", key: admin, body: []byte(body)}), w)
		}}
	}
	const trace = `{"traces":[{"project":%s,"startTime":"2026-01-06T00:00:00Z"%s}]}`
	p := quote("hostile-nul")
	cases := []hcase{
		ingestNUL("inputPrompt", fmt.Sprintf(trace, p, `,"llmCalls":[{"name":"n","startTime":"2026-01-06T00:00:00Z","inputPrompt":"a\u0000b"}]`), "traces[0].llmCalls[0].inputPrompt", false),
		ingestNUL("project", fmt.Sprintf(trace, quote(nul), ""), "traces[0].project", false),
		ingestNUL("externalId", fmt.Sprintf(trace, p, `,"externalId":"a\u0000b"`), "traces[0].externalId", false),
		ingestNUL("header value", fmt.Sprintf(trace, p, `,"toolCalls":[{"name":"t","startTime":"2026-01-06T00:00:00Z","networkCalls":[{"url":"http://x","requestHeaders":[{"name":"h","value":"a\u0000b"}]}]}]`),
			"traces[0].toolCalls[0].networkCalls[0].requestHeaders", true),
		ingestNUL("resultDetail string", fmt.Sprintf(trace, p, `,"metrics":[{"metricName":"m","timestamp":"2026-01-06T00:00:00Z","resultDetail":{"k":["a\u0000b"]}}]`), "traces[0].metrics[0].resultDetail", true),
		ingestNUL("resultDetail key", fmt.Sprintf(trace, p, `,"metrics":[{"metricName":"m","timestamp":"2026-01-06T00:00:00Z","resultDetail":{"a\u0000b":1}}]`), "traces[0].metrics[0].resultDetail", true),
		{name: "nul/graphql/inputPrompt literal", run: func(c *caseRun) {
			q := `mutation { ingestTraces(input: [{project: "hostile-nul", startTime: "2026-01-06T00:00:00Z",
				llmCalls: [{name: "n", startTime: "2026-01-06T00:00:00Z", inputPrompt: "a\u0000b"}]}]) { traces { id } } }`
			c.refused("NUL in a literal", c.send(graphql(admin, q, nil)), invalid("input[0].llmCalls[0].inputPrompt"))
		}},
		{name: "nul/graphql/agent name variable", run: func(c *caseRun) {
			q := `mutation($in: [TraceInput!]!) { ingestTraces(input: $in) { traces { id } } }`
			in := []any{map[string]any{"project": "hostile-nul", "startTime": "2026-01-06T00:00:00Z",
				"agentCalls": []any{map[string]any{"name": nul, "startTime": "2026-01-06T00:00:00Z"}}}}
			c.refused("NUL in a variable", c.send(graphql(admin, q, map[string]any{"in": in})), invalid("input[0].agentCalls[0].name"))
		}},
		{name: "nul/graphql/recordMetric reason", run: func(c *caseRun) {
			q := fmt.Sprintf(`mutation { recordMetric(input: {traceId: %q, metricName: "m", reason: "a\u0000b", timestamp: "2026-01-06T00:00:00Z"}) { id } }`, h.seed.traceID)
			c.refused("NUL in recordMetric", c.send(graphql(admin, q, nil)), invalid("input.reason"))
		}},
		{name: "nul/otlp/span name: rejected, the rest stored", run: func(c *caseRun) {
			a := c.send(otlpJSON(admin, otlpNUL()))
			c.ok("a span named with NUL", a)
			if a.err == nil && (a.rejectedSpans() != 1 || !strings.Contains(a.doc.PartialSuccess.ErrorMessage, "00000000000000b1")) {
				c.failf("a span named with NUL: want partialSuccess rejecting 1 span, naming 00000000000000b1; got %s", a.summary())
			}
			b := c.send(graphql(admin, `{ projectByName(name: "hostile-otlp-nul") { traces(first: 10) { nodes { externalId } } } }`, nil))
			if c.ok("the other trace", b); !bytes.Contains(b.body, []byte("000000000000000000000000000000b2")) {
				c.failf("the clean trace of the export was not stored: %s", b.summary())
			}
		}},
	}
	for _, f := range []struct{ name, query, field string }{
		{"traces model", `{ traces(first: 1, filter: {model: "a\u0000b"}) { totalCount } }`, "filter.model"},
		{"traces search", `{ traces(first: 1, filter: {search: "a\u0000b"}) { totalCount } }`, "filter.search"},
		{"traces agentName", `{ traces(first: 1, filter: {agentName: "a\u0000b"}) { totalCount } }`, "filter.agentName"},
		{"projectByName", `{ projectByName(name: "a\u0000b") { id } }`, "name"},
		{"errorGroups search", fmt.Sprintf(`{ projectByName(name: %q) { errorGroups(filter: {search: "a\u0000b"}) { totalCount } } }`, analyticsProject), "filter.search"},
	} {
		cases = append(cases, hcase{name: "nul/filter/" + f.name, run: func(c *caseRun) {
			c.refused("NUL in "+f.name, c.send(graphql(admin, f.query, nil)), invalid(f.field))
		}})
	}
	for _, e := range []struct{ name, query, field string }{
		{"traces model", "model=a%00b", "model"},
		{"llm_calls project", "project=a%00b", "project"},
		{"traces search", "search=a%00b", "search"},
	} {
		entity := strings.Fields(e.name)[0]
		cases = append(cases, hcase{name: "nul/export/" + e.name, run: func(c *caseRun) {
			c.refused("NUL in an export parameter", c.send(request{method: http.MethodGet, path: "/export/" + entity + ".csv?" + e.query, key: admin}), invalid(e.field))
		}})
	}

	// Search: at most 32 words and 1,024 bytes.
	search := func(s string) request {
		return graphql(admin, `query($s: String) { traces(first: 20, filter: {search: $s}) { totalCount nodes { id } } }`, map[string]any{"s": s})
	}
	long := strings.Repeat("x", maxSearchBytes/2) + " " + strings.Repeat("y", maxSearchBytes/2) // 1,025 bytes
	var at1024 []string
	for i := range maxSearchWords {
		at1024 = append(at1024, vocabulary[i]+strings.Repeat("q", 31-len(vocabulary[i])))
	}
	at1024[0] += "q" // 32 words of 31 bytes, one of 32, and 31 spaces
	for _, n := range []int{maxSearchWords + 1, 100, 1000} {
		cases = append(cases, hcase{name: fmt.Sprintf("search/%d words", n), run: func(c *caseRun) {
			c.refused(fmt.Sprintf("%d words", n), c.send(search(searchOf(n))), invalid("filter.search"))
		}})
	}
	cases = append(cases,
		hcase{name: "search/1025 bytes", run: func(c *caseRun) {
			c.refused("1,025 bytes", c.send(search(long)), invalid("filter.search"))
		}},
		hcase{name: "search/32 words accepted", bound: quickBound, run: func(c *caseRun) {
			c.ok("32 words", c.send(search(searchOf(maxSearchWords))))
		}},
		hcase{name: "search/32 words of 1024 bytes accepted", bound: quickBound, run: func(c *caseRun) {
			c.ok("32 words, 1,024 bytes", c.send(search(strings.Join(at1024, " "))))
		}},
		hcase{name: "search/8 at once, 32 words each", bound: quickBound, run: func(c *caseRun) {
			var wg sync.WaitGroup
			answers := make([]answer, 8)
			for i := range answers {
				wg.Go(func() { answers[i] = send(c.h.client, c.url(), search(searchOf(maxSearchWords)), c.bound+clientSlack) })
			}
			wg.Wait()
			for i, a := range answers {
				c.answers = append(c.answers, a)
				c.ok(fmt.Sprintf("search %d of 8", i+1), a)
				if a.took > c.bound {
					c.failf("search %d of 8 answered in %s, over %s", i+1, a.took, c.bound)
				}
			}
		}},
		hcase{name: "search/export 33 words", run: func(c *caseRun) {
			c.refused("33 words", c.send(request{method: http.MethodGet, path: "/export/traces.ndjson?search=" + url.QueryEscape(searchOf(33)), key: admin}), invalid("search"))
		}},
		hcase{name: "search/export 32 words accepted", bound: quickBound, run: func(c *caseRun) {
			a := c.send(request{method: http.MethodGet, path: "/export/traces.ndjson?search=" + url.QueryEscape(searchOf(32)), key: admin})
			if a.err != nil || a.status != http.StatusOK {
				c.failf("32 words: want 200, got %s", a.summary())
			}
		}},
	)
	return append(cases, h.operationNameCases()...)
}

// operationNameCases: operation names become metric labels.
func (h *harness) operationNameCases() []hcase {
	admin := h.keys.admin
	name := func(n int, seed string) string { return ("Op" + strings.Repeat(seed, n))[:n] }
	named := func(n int, seed string) request {
		op := name(n, seed)
		return graphqlNamed(admin, "query "+op+" { __typename }", op)
	}
	field := invalid("operationName")
	return []hcase{
		{name: "opname/256 bytes accepted", run: func(c *caseRun) { c.ok("256 bytes", c.send(named(maxOperationLen, "a"))) }},
		{name: "opname/257 bytes", run: func(c *caseRun) { c.refused("257 bytes", c.send(named(maxOperationLen+1, "b")), field) }},
		{name: "opname/2 MB", run: func(c *caseRun) { c.refused("2 MB", c.send(named(2_000_000, "c")), field) }},
		{name: "opname/GET 257 bytes", run: func(c *caseRun) {
			op := name(maxOperationLen+1, "d")
			v := url.Values{"query": {"query " + op + " { __typename }"}, "operationName": {op}}
			c.refused("257 bytes over GET", c.send(request{method: http.MethodGet, path: "/graphql?" + v.Encode(), key: admin}), field)
		}},
		{name: "opname/300 distinct names, /metrics bounded", bound: refusalBound, run: func(c *caseRun) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			for w := range 4 {
				wg.Go(func() {
					for i := w; i < 300; i += 4 {
						a := send(c.h.client, c.url(), named(200, fmt.Sprintf("n%03dx", i)), c.bound+clientSlack)
						mu.Lock()
						if a.err != nil || a.status != http.StatusOK || len(a.doc.Errors) > 0 {
							c.failf("name %d: want 200, got %s", i, a.summary())
						}
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			a := c.send(request{method: http.MethodGet, path: "/metrics", key: admin})
			if a.err != nil || a.status != http.StatusOK {
				c.failf("/metrics: want 200, got %s", a.summary())
				return
			}
			if a.size > maxMetricsBytes {
				c.failf("/metrics is %d bytes, over %d", a.size, maxMetricsBytes)
			}
			if n := len(operationLabels(a.body)); n > maxOperations+1 {
				c.failf("/metrics has %d distinct operation labels, over %d and \"other\"", n, maxOperations)
			}
		}},
	}
}

// operationLabels returns the distinct operation label values of the
// GraphQL operation counter.
func operationLabels(metrics []byte) map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(metrics))
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "agentgraph_graphql_operations_total{") {
			continue
		}
		_, rest, ok := strings.Cut(line, `operation="`)
		if !ok {
			continue
		}
		if v, _, ok := strings.Cut(rest, `"`); ok {
			out[v] = true
		}
	}
	return out
}

// otlpNUL is an export of two LLM spans in two traces; the first is named
// with a NUL.
func otlpNUL() []byte {
	span := func(trace, id, name string) string {
		return fmt.Sprintf(`{"traceId":%q,"spanId":%q,"name":%s,"startTimeUnixNano":"1767600000000000000","endTimeUnixNano":"1767600001000000000",
			"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}]}`, trace, id, quote(name))
	}
	return []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"hostile-otlp-nul"}}]},"scopeSpans":[{"spans":[` +
		span("000000000000000000000000000000b1", "00000000000000b1", "chat\u0000gpt") + "," +
		span("000000000000000000000000000000b2", "00000000000000b2", "chat gpt") + `]}]}]}`)
}
