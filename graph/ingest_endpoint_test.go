package graph_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// bulkTraces uses every field of TraceInput, with the values that the
// scalars normalize: a time with an offset, nanoseconds, BigInt as a string
// and as a number, JSON with unsorted keys and numbers written oddly; and a
// key written with an escape.
const bulkTraces = `[
 {"project": "bulk-a", "externalId": "t-1",
  "startTime": "2026-02-01T12:00:00+02:00", "endTime": "2026-02-01T10:00:09.123456789Z",
  "systemInfo": {"osName": "Linux", "osVersion": "6.8", "pythonVersion": "3.12.1", "cpuInfo": "x86_64, 8 cores",
    "gpuInfo": [{"name": "A100", "memoryTotal": 40960}, {"name": "T4"}], "diskInfo": {"total": 512.5, "available": 100},
    "memoryTotal": 64, "installedPackages": [{"name": "openai", "version": "1.57.0"}, {"name": "httpx", "version": "0.27"}]},
  "agentCalls": [{"externalId": "a-1", "name": " planner ", "startTime": "2026-02-01T10:00:00.1Z", "endTime": "2026-02-01T10:00:09Z",
    "llmCalls": [{"externalId": "l-1", "na\u006de": "chat", "model": "gpt-4o", "inputPrompt": "find shoes \u00e9", "output": "ok",
      "toolCall": "{\"fn\": \"search\"}", "startTime": "2026-02-01T10:00:00.2Z", "endTime": "2026-02-01T10:00:02Z",
      "tokenUsage": {"input": 1000, "completion": 200, "reasoning": 50}, "memoryUsed": "123456789012"}],
    "toolCalls": [{"externalId": "tool-1", "name": "search", "inputParameters": "{\"q\": \"shoes\"}", "output": "[]",
      "startTime": "2026-02-01T10:00:03Z", "endTime": "2026-02-01T10:00:04Z", "memoryUsed": 2048,
      "networkCalls": [{"method": "GET", "url": "https://shop.example/api?q=shoes", "statusCode": 503, "error": "unavailable",
        "startTime": "2026-02-01T10:00:03.1Z", "endTime": "2026-02-01T10:00:03.9Z",
        "requestHeaders": [{"name": "Accept", "value": "application/json"}], "requestBody": "q=shoes",
        "responseHeaders": [{"name": "Retry-After", "value": "1"}], "responseBody": "busy"}]}],
    "userInteractions": [{"externalId": "u-1", "interactionType": "Input", "content": "shoes please", "timestamp": "2026-02-01T10:00:00.1Z"}]}],
  "llmCalls": [{"name": "summary", "model": "unknown-model", "agentCallExternalId": "a-1", "startTime": "2026-02-01T10:00:05Z",
    "tokenUsage": {"input": 10, "completion": 5, "total": 20}, "cost": {"input": 0.5, "output": 0.25, "total": 1}}],
  "toolCalls": [{"name": "noop", "startTime": "2026-02-01T10:00:06Z", "networkCalls": [{"url": "https://x.example"}]}],
  "userInteractions": [{"interactionType": "output", "agentCallExternalId": "a-1", "content": null, "timestamp": "2026-02-01T10:00:08Z"}],
  "errors": [{"externalId": "e-1", "errorType": "tool", "errorMessage": "503 from shop", "timestamp": "2026-02-01T10:00:04Z",
      "toolCallExternalId": "tool-1", "agentCallExternalId": "a-1"},
    {"errorType": "LLM", "timestamp": "2026-02-01T10:00:02Z", "llmCallExternalId": "l-1"}],
  "metrics": [{"externalId": "m-1", "metricName": "faithfulness", "score": 0.9, "reason": "grounded",
      "resultDetail": {"z": 1, "a": [1.50, 2e3, "x<y"], "m": {"k": null}, "Name": "the client's"}, "config": {"model": "judge"},
      "startTime": "2026-02-01T10:00:09Z", "endTime": "2026-02-01T10:00:09.5Z", "timestamp": "2026-02-01T10:00:10Z"},
    {"metricName": "verdict", "resultDetail": "just a string", "config": null, "timestamp": "2026-02-01T10:00:10Z"}]},
 {"project": "bulk-b", "externalId": "t-2 <&>", "startTime": "2026-02-02T08:00:00Z",
  "llmCalls": [{"name": "chat", "model": "gpt-4o-mini", "startTime": "2026-02-02T08:00:01Z", "memoryUsed": -1}]}
]`

// storedGraph reads back everything the traces of bulkTraces stored.
const storedGraph = `{
  projects { nodes { id projectName startTime endTime duration totalCost totalTokens } }
  traces(first: 10) { nodes {
    id databaseId externalId startTime endTime duration totalCost totalTokens project { id }
    stats { agentCallCount llmCallCount toolCallCount userInteractionCount errorCount }
    systemInfo { id osName osVersion pythonVersion cpuInfo memoryTotal gpuInfo { name memoryTotal } diskInfo { total available } installedPackages { name version } }
    agentCalls { nodes { id externalId name startTime endTime duration llmCallIds toolCallIds userInteractionIds } }
    llmCalls { nodes { id externalId name model inputPrompt output toolCall startTime endTime duration memoryUsed agentCall { id }
      tokenUsage { input completion reasoning total } cost { input output reasoning total } } }
    toolCalls { nodes { id externalId name inputParameters output startTime endTime duration memoryUsed agentCall { id }
      networkCalls { method url statusCode error startTime endTime duration requestHeaders { name value } requestBody responseHeaders { name value } responseBody } } }
    userInteractions { nodes { id externalId interactionType content timestamp agentCall { id } } }
    errors { nodes { id externalId errorType errorMessage timestamp agentCall { id } llmCall { id } toolCall { id } } }
    metrics { nodes { id externalId metricName score reason resultDetail config startTime endTime duration timestamp } }
  } }
}`

const ingestIDsMutation = `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id externalId } } }`

// TestIngestEndpointStoresWhatTheMutationStores sends the same traces
// through the mutation to one database and through /v1/ingest (plain and
// gzipped) to others, and requires the same stored graphs, ids included,
// before and after sending them all again.
func TestIngestEndpointStoresWhatTheMutationStores(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		viaGraphQL := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		viaJSON := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		viaGzip := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		body := []byte(`{"traces": ` + bulkTraces + `}`)
		var zipped bytes.Buffer
		zw := gzip.NewWriter(&zipped)
		_, _ = zw.Write(body)
		_ = zw.Close()

		var want []byte
		for round := range 2 {
			var answer struct {
				IngestTraces json.RawMessage `json:"ingestTraces"`
			}
			viaGraphQL.mustData(t, ingestIDsMutation, map[string]any{"input": json.RawMessage(bulkTraces)}, &answer)
			for name, reply := range map[string]ingestReply{
				"plain":   viaJSON.post(t, body),
				"gzipped": viaGzip.post(t, zipped.Bytes(), "Content-Encoding", "gzip"),
			} {
				if reply.status != 200 || reply.header.Get("Content-Type") != "application/json" {
					t.Fatalf("%s /v1/ingest: %d %s", name, reply.status, reply.body)
				}
				if !bytes.Equal(reply.body, answer.IngestTraces) {
					t.Errorf("%s round %d: /v1/ingest answered %s, the mutation %s", name, round, reply.body, answer.IngestTraces)
				}
			}
			graphs := map[string][]byte{}
			for name, e := range map[string]*ingestEnv{"mutation": viaGraphQL, "plain": viaJSON, "gzipped": viaGzip} {
				r := e.do(t, storedGraph, nil)
				if len(r.Errors) > 0 {
					t.Fatalf("%s: %s", name, r.body)
				}
				graphs[name] = r.Data
			}
			if round == 0 {
				want = graphs["mutation"]
			} else if !bytes.Equal(graphs["mutation"], want) {
				t.Errorf("sending the traces again changed what the mutation stored:\n%s\n%s", want, graphs["mutation"])
			}
			for _, name := range []string{"plain", "gzipped"} {
				if !bytes.Equal(graphs[name], want) {
					t.Errorf("round %d: %s /v1/ingest stored another graph than the mutation:\n%s\nmutation:\n%s", round, name, graphs[name], want)
				}
			}
		}
		if n := countRows(t, viaJSON.env, "llm_call"); n != 3 {
			t.Errorf("%d llm_call rows after sending twice, want 3", n)
		}
		// What the scalars and ingestion normalized: UTC, BigInt, trimmed
		// names; the client's own keys inside JSON are kept.
		for _, part := range []string{`"startTime":"2026-02-01T10:00:00Z"`, `"memoryUsed":123456789012`, `"name":"planner"`,
			`"name":"chat","model":"gpt-4o"`, `"Name":`} {
			if !bytes.Contains(want, []byte(part)) {
				t.Errorf("stored graph lacks %s:\n%s", part, want)
			}
		}
	})
}
