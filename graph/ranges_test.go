package graph_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestNumbersOutsideTheirRangesAreRefused sends each number just outside its
// range (README: Input ranges) through ingestTraces and /v1/ingest: each is
// INVALID_ARGUMENT naming the field and writes nothing, and the project then
// takes traces at the top of the ranges, its totals readable.
func TestNumbersOutsideTheirRangesAreRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		llm := "agentCalls[0].llmCalls[0]"
		network := "agentCalls[0].toolCalls[0].networkCalls[0]"
		setLLM := func(key string, v any) func(map[string]any) {
			return func(tr map[string]any) { agentLLM(tr)[key] = v }
		}
		setNetwork := func(key string, v any) func(map[string]any) {
			return func(tr map[string]any) {
				tool := tr["agentCalls"].([]any)[0].(map[string]any)["toolCalls"].([]any)[0].(map[string]any)
				tool["networkCalls"].([]any)[0].(map[string]any)[key] = v
			}
		}
		cases := []struct {
			field string
			edit  func(tr map[string]any)
		}{
			{llm + ".tokenUsage.input", setLLM("tokenUsage", map[string]any{"input": int64(math.MaxInt64)})},
			{llm + ".tokenUsage.completion", setLLM("tokenUsage", map[string]any{"completion": int64(1) << 62})},
			{llm + ".tokenUsage.reasoning", setLLM("tokenUsage", map[string]any{"reasoning": int64(1e10)})},
			{llm + ".tokenUsage.total", setLLM("tokenUsage", map[string]any{"total": -1})},
			{llm + ".tokenUsage.input", setLLM("tokenUsage", map[string]any{"input": ingest.MaxTokens + 1})},
			{llm + ".cost.total", setLLM("cost", map[string]any{"total": 1e7})},
			{llm + ".cost.input", setLLM("cost", map[string]any{"input": -0.5})},
			{llm + ".cost.output", setLLM("cost", map[string]any{"output": 1e300})},
			{llm + ".memoryUsed", setLLM("memoryUsed", int64(1)<<51)},
			{llm + ".memoryUsed", setLLM("memoryUsed", "-2251799813685248")},
			{network + ".statusCode", setNetwork("statusCode", 99)},
			{network + ".statusCode", setNetwork("statusCode", 600)},
			{"metrics[0].score", func(tr map[string]any) { tr["metrics"].([]any)[0].(map[string]any)["score"] = 1e13 }},
			{"systemInfo.gpuInfo[0].memoryTotal", func(tr map[string]any) {
				tr["systemInfo"].(map[string]any)["gpuInfo"] = []any{map[string]any{"name": "A100", "memoryTotal": 1e10}}
			}},
			{"systemInfo.memoryTotal", func(tr map[string]any) { tr["systemInfo"].(map[string]any)["memoryTotal"] = -1 }},
			{"startTime", func(tr map[string]any) { tr["startTime"] = "1969-12-31T23:59:59Z" }},
		}
		const mutation = `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`
		for _, c := range cases {
			tr := runningTrace(true)
			c.edit(tr)
			r := e.do(t, mutation, map[string]any{"input": []any{tr}})
			field := "input[0]." + c.field
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != field || !strings.HasPrefix(r.Errors[0].Message, field+": ") {
				t.Errorf("ingestTraces, %s: %s", field, truncate(r.body))
			}
			tr = runningTrace(true)
			c.edit(tr)
			a := e.post(t, ingestBody(tr))
			field = "traces[0]." + c.field
			if a.status != 400 || a.code() != "INVALID_ARGUMENT" || a.field() != field {
				t.Errorf("/v1/ingest, %s: %d %s", field, a.status, truncate(a.body))
			}
		}
		if n := countRows(t, e.env, "traces"); n != 0 {
			t.Fatalf("refused traces wrote %d rows", n)
		}

		// The top of every range is taken, through both ways in.
		top := func(key string) map[string]any {
			tr := runningTrace(true)
			tr["externalId"] = key
			delete(tr, "errors") // they name the entities below by key
			agent := tr["agentCalls"].([]any)[0].(map[string]any)
			agent["externalId"] = key + "-agent"
			agentLLM(tr)["externalId"] = key + "-llm"
			agent["toolCalls"].([]any)[0].(map[string]any)["externalId"] = key + "-tool"
			agentLLM(tr)["tokenUsage"] = map[string]any{"input": ingest.MaxTokens, "completion": ingest.MaxTokens, "reasoning": ingest.MaxTokens}
			agentLLM(tr)["cost"] = map[string]any{"input": ingest.MaxCost, "output": ingest.MaxCost, "reasoning": ingest.MaxCost}
			agentLLM(tr)["memoryUsed"] = int64(ingest.MaxMemoryBytes)
			return tr
		}
		e.ingestTraces(t, top("top-1"))
		if a := e.post(t, ingestBody(top("top-2"))); a.status != 200 {
			t.Fatalf("/v1/ingest at the top of the ranges: %d %s", a.status, truncate(a.body))
		}
		var data struct {
			Projects struct {
				Nodes []struct {
					ProjectName string
					TotalTokens int64
					TotalCost   float64
				}
			}
		}
		e.mustData(t, `{ projects { nodes { projectName totalTokens totalCost } } }`, nil, &data)
		if p := data.Projects.Nodes; len(p) != 1 || p[0].TotalTokens != 6*ingest.MaxTokens || p[0].TotalCost != 6*ingest.MaxCost {
			t.Errorf("projects %+v, want one with 6e9 tokens and 6e6 USD", p)
		}
	})
}

// TestBigIntTakesIntegersOnly checks the BigInt scalar: JSON integers and
// strings of digits within 64 bits, nothing else, the same in GraphQL
// variables, in documents and in /v1/ingest.
func TestBigIntTakesIntegersOnly(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		const query = `query($m: BigInt) { traces(filter: {tokens: {min: $m}}) { totalCount } }`
		refused := []any{json.Number("99999999999999999999"), "99999999999999999999", json.Number("1.5"), json.Number("1e30"),
			json.Number("5.0"), " 5", "5 ", "+5", "", "-", "1_000", "0x10", "1e3", true, []any{1}, map[string]any{"a": 1}}
		for _, v := range refused {
			r := e.do(t, query, map[string]any{"m": v})
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "filter.tokens.min" {
				t.Errorf("BigInt %#v: %s", v, truncate(r.body))
			}
		}
		accepted := []any{json.Number("9223372036854775807"), json.Number("-9223372036854775808"), "9223372036854775807", "-5", "007", 42}
		for _, v := range accepted {
			if r := e.do(t, query, map[string]any{"m": v}); len(r.Errors) > 0 {
				t.Errorf("BigInt %#v: %s", v, truncate(r.body))
			}
		}
		for _, literal := range []string{`1.5`, `"12x"`, `" 5"`, `"99999999999999999999"`} {
			r := e.do(t, `{ traces(filter: {tokens: {max: `+literal+`}}) { totalCount } }`, nil)
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "filter.tokens.max" {
				t.Errorf("BigInt literal %s: %s", literal, truncate(r.body))
			}
		}

		field := "traces[0].agentCalls[0].llmCalls[0].memoryUsed"
		for _, v := range []string{`"99999999999999999999"`, `99999999999999999999`, `1.5`, `" 5"`, `1e30`, `"+5"`, `"1e3"`} {
			body := strings.Replace(string(ingestBody(runningTrace(true))), `"name":"chat"`, `"name":"chat","memoryUsed":`+v, 1)
			a := e.post(t, []byte(body))
			if a.status != 400 || a.code() != "INVALID_ARGUMENT" || a.field() != field {
				t.Errorf("/v1/ingest memoryUsed %s: %d %s", v, a.status, truncate(a.body))
			}
		}
		if n := countRows(t, e.env, "traces"); n != 0 {
			t.Errorf("refused traces wrote %d rows", n)
		}
	})
}
