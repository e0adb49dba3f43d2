package graph_test

import (
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestNULIsRefusedEverywhere sends U+0000 in arguments, filters, trace
// fields, headers and JSON values, through GraphQL and /v1/ingest: each is
// INVALID_ARGUMENT naming the field, the same on both databases (SQLite
// could store it, PostgreSQL cannot), and nothing is written.
func TestNULIsRefusedEverywhere(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		e.ingestTraces(t, runningTrace(true))
		const nul = "bad\x00text"
		queries := []struct{ query, field string }{
			{`query($s: String!) { projectByName(name: $s) { id } }`, "name"},
			{`query($s: String) { traces(filter: {model: $s}) { totalCount } }`, "filter.model"},
			{`query($s: String) { traces(filter: {search: $s}) { totalCount } }`, "filter.search"},
			{`query($s: String!) { traces(filter: {metric: {name: $s}}) { totalCount } }`, "filter.metric.name"},
			{`query($s: String) { traces(first: 1, after: $s) { totalCount } }`, "after"},
			{`query($s: String!) { projectByName(name: "checkout-bot") { errorGroups(filter: {search: $s}) { totalCount } } }`, "filter.search"},
			{`mutation($s: String!) { createProject(input: {name: $s}) { id } }`, "input.name"},
			{`mutation($s: String) { recordMetric(input: {traceId: "VHJhY2U6MQ", metricName: "m", reason: $s, timestamp: "2026-02-01T10:00:00Z"}) { id } }`, "input.reason"},
		}
		for _, q := range queries {
			r := e.do(t, q.query, map[string]any{"s": nul})
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != q.field || !strings.Contains(r.Errors[0].Message, "NUL") {
				t.Errorf("%s: %s", q.query, truncate(r.body))
			}
		}
		if r := e.do(t, `{ projectByName(name: "a\u0000") { id } }`, nil); r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "name" {
			t.Errorf("NUL in a document's string: %s", truncate(r.body))
		}

		network := func(tr map[string]any) map[string]any {
			tool := tr["agentCalls"].([]any)[0].(map[string]any)["toolCalls"].([]any)[0].(map[string]any)
			return tool["networkCalls"].([]any)[0].(map[string]any)
		}
		metric := func(tr map[string]any) map[string]any { return tr["metrics"].([]any)[0].(map[string]any) }
		cases := []struct {
			graphql, ingest string // the fields named by each way in
			edit            func(tr map[string]any)
		}{
			{"project", "project", func(tr map[string]any) { tr["project"] = nul }},
			{"agentCalls[0].llmCalls[0].inputPrompt", "", func(tr map[string]any) { agentLLM(tr)["inputPrompt"] = nul }},
			{"agentCalls[0].llmCalls[0].name", "", func(tr map[string]any) { agentLLM(tr)["name"] = nul }},
			{"agentCalls[0].externalId", "", func(tr map[string]any) { tr["agentCalls"].([]any)[0].(map[string]any)["externalId"] = nul }},
			{"systemInfo.installedPackages[0].version", "systemInfo.installedPackages.openai", func(tr map[string]any) {
				tr["systemInfo"].(map[string]any)["installedPackages"] = []any{map[string]any{"name": "openai", "version": nul}}
			}},
			{"agentCalls[0].toolCalls[0].networkCalls[0].requestHeaders[0].value", "agentCalls[0].toolCalls[0].networkCalls[0].requestHeaders",
				func(tr map[string]any) {
					network(tr)["requestHeaders"] = []any{map[string]any{"name": "Accept", "value": nul}}
				}},
			{"agentCalls[0].toolCalls[0].networkCalls[0].method", "", func(tr map[string]any) { network(tr)["method"] = nul }},
			// The JSON scalar: a NUL in a string or a key of the document.
			{"metrics[0].resultDetail", "", func(tr map[string]any) { metric(tr)["resultDetail"] = map[string]any{"why": []any{nul}} }},
			{"metrics[0].config", "", func(tr map[string]any) { metric(tr)["config"] = map[string]any{nul: 1} }},
		}
		const mutation = `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`
		for _, c := range cases {
			if c.ingest == "" {
				c.ingest = c.graphql
			}
			// Another project: keys of the stored trace are not in the way.
			tr := runningTrace(true)
			tr["project"] = "elsewhere"
			c.edit(tr)
			r := e.do(t, mutation, map[string]any{"input": []any{tr}})
			if field := "input[0]." + c.graphql; r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != field {
				t.Errorf("ingestTraces, %s: %s", field, truncate(r.body))
			}
			tr = runningTrace(true)
			tr["project"] = "elsewhere"
			c.edit(tr)
			a := e.post(t, ingestBody(tr))
			if field := "traces[0]." + c.ingest; a.status != 400 || a.code() != "INVALID_ARGUMENT" || a.field() != field || !strings.Contains(a.Errors[0].Message, "NUL") {
				t.Errorf("/v1/ingest, %s: %d %s", field, a.status, truncate(a.body))
			}
		}
		if n := countRows(t, e.env, "traces"); n != 1 {
			t.Errorf("%d traces stored, want the first one only", n)
		}

		// A backslash followed by "u0000" is text like any other.
		tr := runningTrace(true)
		tr["externalId"], tr["errors"], tr["agentCalls"] = "escaped", nil, nil
		metric(tr)["reason"] = `\u0000`
		metric(tr)["resultDetail"] = map[string]any{`\u0000`: `\\u0000`}
		if a := e.post(t, ingestBody(tr)); a.status != 200 {
			t.Fatalf("escaped backslash: %d %s", a.status, truncate(a.body))
		}
		var data struct {
			ProjectByName struct {
				Traces struct {
					Nodes []struct {
						Metrics struct {
							Nodes []struct {
								Reason       string
								ResultDetail map[string]string
							}
						}
					}
				}
			}
		}
		e.mustData(t, `{ projectByName(name: "checkout-bot") { traces(filter: {startTime: {}}) { nodes { metrics { nodes { reason resultDetail } } } } } }`, nil, &data)
		found := false
		for _, n := range data.ProjectByName.Traces.Nodes {
			for _, m := range n.Metrics.Nodes {
				found = found || (m.Reason == `\u0000` && m.ResultDetail[`\u0000`] == `\\u0000`)
			}
		}
		if !found {
			t.Errorf("the escaped text was not stored as sent: %+v", data)
		}
	})
}
