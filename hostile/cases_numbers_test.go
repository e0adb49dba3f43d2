package hostile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// tokensProject receives the out-of-range token counts, valuesProject the
// other numbers; both must stay writable and readable afterwards.
const (
	tokensProject = "hostile-tokens"
	valuesProject = "hostile-values"
)

// llmMutation is an ingestTraces mutation of one LLM call with the given
// extra fields, as GraphQL literals.
func llmMutation(project, fields string) string {
	return fmt.Sprintf(`mutation { ingestTraces(input: [{project: %q, startTime: "2026-01-06T00:00:00Z",
		llmCalls: [{name: "n", model: "gpt-4o", startTime: "2026-01-06T00:00:00Z", %s}]}]) { traces { id } } }`, project, fields)
}

// ingestLLM is a /v1/ingest body of one trace whose one LLM call has the
// given extra fields, as JSON.
func ingestLLM(key, project, fields string) request {
	return request{path: "/v1/ingest", key: key, body: []byte(fmt.Sprintf(`{"traces":[{"project":%q,"startTime":"2026-01-06T00:00:00Z",
		"llmCalls":[{"name":"n","model":"gpt-4o","startTime":"2026-01-06T00:00:00Z",%s}]}]}`, project, fields))}
}

// ingestTrace is a /v1/ingest body of one trace with the given extra
// fields.
func ingestTrace(key, project, fields string) request {
	return request{path: "/v1/ingest", key: key, body: []byte(fmt.Sprintf(`{"traces":[{"project":%q,"startTime":"2026-01-06T00:00:00Z",%s}]}`, project, fields))}
}

// numberCases: finding 2 (tokens near 2^63 damage a project for good) and
// the BigInt inputs of finding 7, then checks that the project still works.
func (h *harness) numberCases() []hcase {
	admin := h.keys.admin
	var cases []hcase
	// Token counts: 0..1,000,000,000 each.
	for _, v := range []struct{ name, value string }{
		{"2^63-1", "9223372036854775807"}, {"2^62", "4611686018427387904"}, {"1e10", "10000000000"},
		{"1e9+1", "1000000001"}, {"-1", "-1"},
	} {
		cases = append(cases,
			hcase{name: "tokens/graphql/input " + v.name, run: func(c *caseRun) {
				c.refused("tokens "+v.value, c.send(graphql(admin, llmMutation(tokensProject, "tokenUsage: {input: "+v.value+"}"), nil)),
					invalid("input[0].llmCalls[0].tokenUsage.input"))
			}},
			hcase{name: "tokens/ingest/completion " + v.name, run: func(c *caseRun) {
				c.refused("tokens "+v.value, c.send(ingestLLM(admin, tokensProject, `"tokenUsage":{"completion":`+v.value+`}`)),
					invalid("traces[0].llmCalls[0].tokenUsage.completion"))
			}},
		)
	}
	cases = append(cases,
		hcase{name: "tokens/graphql/total 2^63-1", run: func(c *caseRun) {
			c.refused("total 2^63-1", c.send(graphql(admin, llmMutation(tokensProject, "tokenUsage: {total: 9223372036854775807}"), nil)),
				invalid("input[0].llmCalls[0].tokenUsage.total"))
		}},
		hcase{name: "tokens/graphql/variables 2^63-1", run: func(c *caseRun) {
			q := fmt.Sprintf(`mutation($t: Int) { ingestTraces(input: [{project: %q, startTime: "2026-01-06T00:00:00Z",
				llmCalls: [{name: "n", startTime: "2026-01-06T00:00:00Z", tokenUsage: {reasoning: $t}}]}]) { traces { id } } }`, tokensProject)
			c.refused("tokens 2^63-1 as a variable", c.send(graphql(admin, q, map[string]any{"t": json.Number("9223372036854775807")})),
				refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", anyField: true})
		}},
		hcase{name: "tokens/ingest/input 1e10 as a float", run: func(c *caseRun) {
			c.refused("tokens 1e10", c.send(ingestLLM(admin, tokensProject, `"tokenUsage":{"input":1e10}`)), invalid("traces[0].llmCalls[0].tokenUsage.input"))
		}},
		hcase{name: "tokens/otlp/4 spans out of range, 1 in", run: func(c *caseRun) {
			body, bad := otlpTokens()
			a := c.send(otlpJSON(admin, body))
			c.ok("spans with out-of-range tokens", a)
			if a.err == nil && a.rejectedSpans() != int64(len(bad)) {
				c.failf("spans with out-of-range tokens: want partialSuccess.rejectedSpans %d, got %s", len(bad), a.summary())
			}
			for _, id := range bad {
				if a.doc.PartialSuccess != nil && !strings.Contains(a.doc.PartialSuccess.ErrorMessage, id) {
					c.failf("spans with out-of-range tokens: the partial success does not name span %s: %s", id, a.summary())
				}
			}
		}},
		hcase{name: "tokens/graphql/1e9 accepted", run: func(c *caseRun) {
			c.ok("tokens 1e9", c.send(graphql(admin, llmMutation(tokensProject, "tokenUsage: {input: 1000000000}"), nil)))
		}},
		// Costs: 0..1,000,000 USD, finite.
		hcase{name: "cost/ingest/total 1e300", run: func(c *caseRun) {
			c.refused("cost 1e300", c.send(ingestLLM(admin, valuesProject, `"cost":{"total":1e300}`)), invalid("traces[0].llmCalls[0].cost.total"))
		}},
		hcase{name: "cost/graphql/input -1", run: func(c *caseRun) {
			c.refused("cost -1", c.send(graphql(admin, llmMutation(valuesProject, "cost: {input: -1}"), nil)), invalid("input[0].llmCalls[0].cost.input"))
		}},
		hcase{name: "cost/ingest/output 1000001", run: func(c *caseRun) {
			c.refused("cost 1000001", c.send(ingestLLM(admin, valuesProject, `"cost":{"output":1000001}`)), invalid("traces[0].llmCalls[0].cost.output"))
		}},
		// memoryUsed: 0..2^50; status codes 100..599; scores finite.
		hcase{name: "memoryUsed/ingest/2^50+1", run: func(c *caseRun) {
			c.refused("memoryUsed 2^50+1", c.send(ingestLLM(admin, valuesProject, `"memoryUsed":1125899906842625`)), invalid("traces[0].llmCalls[0].memoryUsed"))
		}},
		hcase{name: "memoryUsed/graphql/2^63-1", run: func(c *caseRun) {
			c.refused("memoryUsed 2^63-1", c.send(graphql(admin, llmMutation(valuesProject, `memoryUsed: "9223372036854775807"`), nil)), invalid("input[0].llmCalls[0].memoryUsed"))
		}},
		hcase{name: "memoryUsed/ingest/2^50 accepted", run: func(c *caseRun) {
			c.ok("memoryUsed 2^50", c.send(ingestLLM(admin, valuesProject, `"memoryUsed":1125899906842624`)))
		}},
		hcase{name: "statusCode/ingest/999", run: func(c *caseRun) {
			c.refused("status code 999", c.send(ingestTrace(admin, valuesProject, `"toolCalls":[{"name":"t","startTime":"2026-01-06T00:00:00Z","networkCalls":[{"url":"http://x","statusCode":999}]}]`)),
				invalid("traces[0].toolCalls[0].networkCalls[0].statusCode"))
		}},
		hcase{name: "statusCode/graphql/99", run: func(c *caseRun) {
			q := fmt.Sprintf(`mutation { ingestTraces(input: [{project: %q, startTime: "2026-01-06T00:00:00Z",
				toolCalls: [{name: "t", startTime: "2026-01-06T00:00:00Z", networkCalls: [{url: "http://x", statusCode: 99}]}]}]) { traces { id } } }`, valuesProject)
			c.refused("status code 99", c.send(graphql(admin, q, nil)), invalid("input[0].toolCalls[0].networkCalls[0].statusCode"))
		}},
		hcase{name: "score/ingest/1e309", run: func(c *caseRun) {
			c.refused("score 1e309", c.send(ingestTrace(admin, valuesProject, `"metrics":[{"metricName":"m","score":1e309,"timestamp":"2026-01-06T00:00:00Z"}]`)),
				invalid("traces[0].metrics[0].score"))
		}},
	)
	// BigInt: a JSON integer or a string of ASCII digits within int64.
	for _, v := range []struct{ name, literal, json string }{
		{`"99999999999999999999"`, `"99999999999999999999"`, `"99999999999999999999"`},
		{"1.5", "1.5", "1.5"}, {`" 5"`, `" 5"`, `" 5"`}, {"1e30", "1e30", "1e30"},
	} {
		cases = append(cases,
			hcase{name: "bigint/graphql/memoryUsed " + v.name, run: func(c *caseRun) {
				c.refused("memoryUsed "+v.name, c.send(graphql(admin, llmMutation(valuesProject, "memoryUsed: "+v.literal), nil)), invalid("input[0].llmCalls[0].memoryUsed"))
			}},
			hcase{name: "bigint/graphql-variables/memoryUsed " + v.name, run: func(c *caseRun) {
				q := fmt.Sprintf(`mutation($m: BigInt) { ingestTraces(input: [{project: %q, startTime: "2026-01-06T00:00:00Z",
					llmCalls: [{name: "n", startTime: "2026-01-06T00:00:00Z", memoryUsed: $m}]}]) { traces { id } } }`, valuesProject)
				c.refused("memoryUsed "+v.name, c.send(graphql(admin, q, map[string]any{"m": json.RawMessage(v.json)})),
					refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", anyField: true})
			}},
			hcase{name: "bigint/ingest/memoryUsed " + v.name, run: func(c *caseRun) {
				c.refused("memoryUsed "+v.name, c.send(ingestLLM(admin, valuesProject, `"memoryUsed":`+v.json)), invalid("traces[0].llmCalls[0].memoryUsed"))
			}},
			hcase{name: "bigint/filter/tokens.min " + v.name, run: func(c *caseRun) {
				q := `{ traces(first: 1, filter: {tokens: {min: ` + v.literal + `}}) { totalCount } }`
				c.refused("tokens.min "+v.name, c.send(graphql(admin, q, nil)), invalid("filter.tokens.min"))
			}},
		)
	}
	return append(cases, hcase{name: "bigint/filter/tokens.min \"-5\" accepted", run: func(c *caseRun) {
		c.ok(`tokens.min "-5"`, c.send(graphql(admin, `{ traces(first: 1, filter: {tokens: {min: "-5"}}) { totalCount } }`, nil)))
	}})
}

// afterNumbersCases checks that nothing above broke the project or the
// rollups every reader sees.
func (h *harness) afterNumbersCases() []hcase {
	admin := h.keys.admin
	cases := []hcase{{name: "numbers/after: rollups of all projects answer", run: func(c *caseRun) {
		c.ok("projects { totalTokens totalCost }", c.send(graphql(admin, `{ projects(first: 100) { nodes { projectName totalTokens totalCost } } }`, nil)))
	}}}
	for _, project := range []string{tokensProject, valuesProject} {
		cases = append(cases, hcase{name: "numbers/after: " + project + " accepts writes", run: func(c *caseRun) {
			c.ok("a trace with 1000 tokens", c.send(ingestLLM(admin, project, `"tokenUsage":{"input":1000},"cost":{"total":0.5},"memoryUsed":1000`)))
			c.ok("a trace with 1000 tokens, GraphQL", c.send(graphql(admin, llmMutation(project, "tokenUsage: {input: 1000}, cost: {total: 0.5}"), nil)))
		}}, hcase{name: "numbers/after: " + project + " rollups answer", run: func(c *caseRun) {
			q := fmt.Sprintf(`{ projectByName(name: %q) { totalTokens totalCost stats { tokens { total } cost { total } }
				traces(first: 5, orderBy: {field: TOKENS}) { nodes { totalTokens totalCost stats { tokens { total } } } } } }`, project)
			b := c.send(graphql(admin, q, nil))
			c.ok("the project's rollups", b)
			if b.hasData() {
				var d struct {
					ProjectByName struct{ TotalTokens json.Number }
				}
				_ = json.Unmarshal(*b.doc.Data, &d)
				if n, err := d.ProjectByName.TotalTokens.Int64(); err != nil || n < 0 || n > 1e12 {
					c.failf("the project's totalTokens is %q: want the sum of the accepted calls (under 1e12)", d.ProjectByName.TotalTokens)
				}
			}
		}})
	}
	return cases
}

// otlpTokens is an export of five LLM spans in five traces; four carry
// token counts out of range. It returns their span ids.
func otlpTokens() ([]byte, []string) {
	values := []string{"9223372036854775807", "4611686018427387904", "10000000000", "-1", "1200"}
	var spans, bad []string
	for i, v := range values {
		spanID := fmt.Sprintf("00000000000000%02x", i+1)
		spans = append(spans, fmt.Sprintf(`{"traceId":"%032x","spanId":%q,"name":"chat gpt-4o","startTimeUnixNano":"1767600000000000000","endTimeUnixNano":"1767600001000000000",
			"attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
			{"key":"gen_ai.usage.input_tokens","value":{"intValue":%q}}]}`, 0x7000+i, spanID, v))
		if i < 4 {
			bad = append(bad, spanID)
		}
	}
	return []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"` + tokensProject + `"}}]},
		"scopeSpans":[{"spans":[` + strings.Join(spans, ",") + `]}]}]}`), bad
}
