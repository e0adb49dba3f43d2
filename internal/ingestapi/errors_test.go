package ingestapi_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestIngestEndpointRejectsBadInput sends a good trace and a bad one and
// requires a 400 naming the bad value's path, and nothing written.
func TestRejectsBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{MaxTraces: 3}, httpx.Limits{MaxBodyBytes: 64 << 10})
		llm := func(tr map[string]any) map[string]any { return agentLLM(tr) }
		network := func(tr map[string]any) map[string]any {
			agent := tr["agentCalls"].([]any)[0].(map[string]any)
			return agent["toolCalls"].([]any)[0].(map[string]any)["networkCalls"].([]any)[0].(map[string]any)
		}
		deep := "traces[1].agentCalls[0].llmCalls[0]"
		cases := []struct {
			field string
			edit  func(tr map[string]any)
		}{
			// Decoding: unknown fields, types, scalars.
			{deep + ".prompt", func(tr map[string]any) { llm(tr)["prompt"] = "misspelt" }},
			{deep + ".StartTime", func(tr map[string]any) { llm(tr)["StartTime"] = llm(tr)["startTime"]; delete(llm(tr), "startTime") }},
			{deep + ".name", func(tr map[string]any) { llm(tr)["name"] = 5 }},
			{deep + ".tokenUsage.input", func(tr map[string]any) { llm(tr)["tokenUsage"] = map[string]any{"input": "ten"} }},
			{deep + ".tokenUsage.completion", func(tr map[string]any) { llm(tr)["tokenUsage"] = map[string]any{"completion": 1.5} }},
			{deep + ".startTime", func(tr map[string]any) { llm(tr)["startTime"] = "yesterday" }},
			{deep + ".memoryUsed", func(tr map[string]any) { llm(tr)["memoryUsed"] = "12x" }},
			{deep + ".memoryUsed", func(tr map[string]any) { llm(tr)["memoryUsed"] = 1.5 }},
			{deep + ".memoryUsed", func(tr map[string]any) { llm(tr)["memoryUsed"] = true }},
			{"traces[1].startTime", func(tr map[string]any) { tr["startTime"] = 1767600000 }},
			{"traces[1].llmCalls", func(tr map[string]any) { tr["llmCalls"] = map[string]any{"name": "not a list"} }},
			{"traces[1].systemInfo", func(tr map[string]any) { tr["systemInfo"] = "Linux" }},
			{"traces[1].agentCalls[0].toolCalls[0].networkCalls[0].requestHeaders[0].nam", func(tr map[string]any) {
				network(tr)["requestHeaders"] = []any{map[string]any{"nam": "Accept", "value": "x"}}
			}},
			// Required values: missing, null, null list elements.
			{"traces[1].startTime", func(tr map[string]any) { delete(tr, "startTime") }},
			{"traces[1].project", func(tr map[string]any) { tr["project"] = nil }},
			{"traces[1].agentCalls[0]", func(tr map[string]any) { tr["agentCalls"] = []any{nil} }},
			{deep + ".name", func(tr map[string]any) { delete(llm(tr), "name") }},
			{"traces[1].agentCalls[0].toolCalls[0].networkCalls[0].requestHeaders[0].value", func(tr map[string]any) {
				network(tr)["requestHeaders"] = []any{map[string]any{"name": "Accept"}}
			}},
			{"traces[1].metrics[0].timestamp", func(tr map[string]any) { delete(tr["metrics"].([]any)[0].(map[string]any), "timestamp") }},
			// Validation by ingest, deep in the tree.
			{deep + ".endTime", func(tr map[string]any) { llm(tr)["endTime"] = "2026-01-01T00:00:00Z" }},
			{deep + ".tokenUsage.completion", func(tr map[string]any) { llm(tr)["tokenUsage"] = map[string]any{"completion": -5} }},
			{deep + ".name", func(tr map[string]any) { llm(tr)["name"] = "  " }},
			{"traces[1].errors[0].errorType", func(tr map[string]any) { tr["errors"].([]any)[0].(map[string]any)["errorType"] = "cosmic ray" }},
		}
		for _, c := range cases {
			bad := runningTrace(true)
			bad["externalId"] = "other"
			c.edit(bad)
			r := e.post(t, ingestBody(runningTrace(true), bad))
			if r.status != 400 || r.code() != "INVALID_ARGUMENT" || r.field() != c.field || !strings.HasPrefix(r.Errors[0].Message, c.field+": ") {
				t.Errorf("%s: got %d %s", c.field, r.status, truncate(r.body))
			}
		}

		good := string(ingestBody(runningTrace(true)))
		goodTrace := good[len(`{"traces":[`) : len(good)-2]
		raw := []struct {
			body, field, message string
		}{
			{`{"traces": [` + goodTrace + `, {"project": "p", "startTime": }]}`, "traces[1].startTime", "is not valid JSON"},
			{`{"traces": [` + goodTrace + `, {"project": "p"`, "traces[1]", "ends before the JSON does"},
			{`{"traces": [` + goodTrace + `]} {"traces": []}`, "", "more after its JSON object"},
			{`{"traces": [` + goodTrace + `], "batch": 1}`, "batch", "unknown field"},
			{`{"Traces": [` + goodTrace + `]}`, "Traces", "unknown field"},
			{`[` + goodTrace + `]`, "", "the body must be an object"},
			{`{}`, "traces", "is required"},
			{`{"traces": null}`, "traces", "is required"},
			{``, "", "the body is empty"},
			{string(ingestBody(runningTrace(true), runningTrace(true), runningTrace(true), runningTrace(true))), "traces", "holds 4 traces, more than the limit of 3"},
		}
		for _, c := range raw {
			r := e.post(t, []byte(c.body))
			field := any(c.field)
			if c.field == "" {
				field = nil
			}
			if r.status != 400 || r.code() != "INVALID_ARGUMENT" || r.field() != field || !strings.Contains(r.Errors[0].Message, c.message) {
				t.Errorf("%.60s: got %d %s", c.body, r.status, truncate(r.body))
			}
		}

		// Limits and the protocol.
		huge := runningTrace(true)
		agentLLM(huge)["output"] = strings.Repeat("x", 64<<10)
		if r := e.post(t, ingestBody(huge)); r.status != 413 || r.code() != "PAYLOAD_TOO_LARGE" {
			t.Errorf("body over the limit: %d %s", r.status, truncate(r.body))
		}
		var bomb bytes.Buffer
		zw := gzip.NewWriter(&bomb)
		_, _ = zw.Write(ingestBody(huge))
		_ = zw.Close()
		if bomb.Len() > 8<<10 {
			t.Fatalf("the gzip bomb is %d bytes", bomb.Len())
		}
		if r := e.post(t, bomb.Bytes(), "Content-Encoding", "gzip"); r.status != 413 || r.code() != "PAYLOAD_TOO_LARGE" {
			t.Errorf("gzip over the limit once decompressed: %d %s", r.status, truncate(r.body))
		}
		if r := e.post(t, []byte(good), "Content-Encoding", "gzip"); r.status != 400 || !strings.Contains(r.Errors[0].Message, "gzip") {
			t.Errorf("body said gzip that is not: %d %s", r.status, truncate(r.body))
		}
		if r := e.post(t, []byte(good), "Content-Encoding", "br"); r.status != 415 {
			t.Errorf("unknown encoding: %d %s", r.status, truncate(r.body))
		}
		if r := e.post(t, []byte(good), "Content-Type", "text/plain"); r.status != 415 || r.code() != "UNSUPPORTED_MEDIA_TYPE" {
			t.Errorf("text/plain: %d %s", r.status, truncate(r.body))
		}
		status, header := httpGet(t, e.ingestURL)
		if status != http.StatusMethodNotAllowed || header.Get("Allow") != "POST" {
			t.Errorf("GET: %d, Allow %q", status, header.Get("Allow"))
		}

		for _, table := range []string{"project_info", "traces", "llm_call"} {
			if n := countRows(t, e, table); n != 0 {
				t.Errorf("refused requests wrote %d rows into %s", n, table)
			}
		}
		// The same bodies with the bad parts taken out are stored.
		if r := e.post(t, []byte(good)); r.status != 200 || len(r.Traces) != 1 {
			t.Errorf("good body: %d %s", r.status, truncate(r.body))
		}
	})
}
