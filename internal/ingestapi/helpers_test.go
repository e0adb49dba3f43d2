package ingestapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
)

// ingestEnv serves POST /v1/ingest on a database of its own.
type ingestEnv struct {
	store     *db.DB
	ingestURL string
}

func newIngestEnv(t *testing.T, b dbtest.Backend, opts ingest.Options, limits httpx.Limits) *ingestEnv {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	srv := httptest.NewServer(ingestapi.NewHandler(ingest.New(store, opts), limits))
	t.Cleanup(srv.Close)
	return &ingestEnv{store: store, ingestURL: srv.URL}
}

// gqlError is an error of an answer, in the format every endpoint answers with.
type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// ingestReply is an answer of POST /v1/ingest.
type ingestReply struct {
	Traces []struct {
		ID         string  `json:"id"`
		ExternalID *string `json:"externalId"`
	} `json:"traces"`
	Errors []gqlError `json:"errors"`
	status int
	header http.Header
	body   []byte
}

func (r ingestReply) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

func (r ingestReply) field() any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions["field"]
}

// post sends body to /v1/ingest as JSON; header holds more header pairs.
func (e *ingestEnv) post(t *testing.T, body []byte, header ...string) ingestReply {
	t.Helper()
	return postIngest(t, e.ingestURL, body, header...)
}

func postIngest(t *testing.T, url string, body []byte, header ...string) ingestReply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r ingestReply
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", res.StatusCode, raw)
	}
	r.status, r.header, r.body = res.StatusCode, res.Header, raw
	return r
}

// httpGet fetches a URL and returns status and header.
func httpGet(t *testing.T, url string) (int, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// ingestBody is the body of /v1/ingest for traces.
func ingestBody(traces ...any) []byte {
	b, _ := json.Marshal(map[string]any{"traces": traces})
	return b
}

// countRows counts the rows of a table.
func countRows(t *testing.T, e *ingestEnv, table string) int64 {
	t.Helper()
	var n int64
	if err := e.store.Gorm().Raw(`SELECT COUNT(*) FROM ` + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// runningTrace is a trace as sent while it runs (no end times) and, with
// ended, as sent again once it finished (graph's tests send the same).
func runningTrace(ended bool) map[string]any {
	end := func(s string) any {
		if ended {
			return s
		}
		return nil
	}
	return map[string]any{
		"project": "checkout-bot", "externalId": "run-42",
		"startTime": "2026-02-01T10:00:00Z", "endTime": end("2026-02-01T10:00:09.5Z"),
		"systemInfo": map[string]any{
			"osName": "Linux", "gpuInfo": []any{map[string]any{"name": "A100", "memoryTotal": 40960}},
			"installedPackages": []any{map[string]any{"name": "openai", "version": "1.57.0"}},
		},
		"agentCalls": []any{map[string]any{
			"externalId": "agent-a", "name": "shopper", "startTime": "2026-02-01T10:00:00.1Z", "endTime": end("2026-02-01T10:00:09Z"),
			"llmCalls": []any{map[string]any{
				"externalId": "llm-1", "name": "chat", "model": "gpt-4o", "inputPrompt": "find shoes", "output": "ok",
				"startTime": "2026-02-01T10:00:00.2Z", "endTime": end("2026-02-01T10:00:02Z"),
				"tokenUsage": map[string]any{"input": 1000, "completion": 200},
			}},
			"toolCalls": []any{map[string]any{
				"externalId": "tool-1", "name": "search", "startTime": "2026-02-01T10:00:03Z", "endTime": end("2026-02-01T10:00:04Z"),
				"networkCalls": []any{map[string]any{"method": "GET", "url": "https://shop.example/api?q=shoes", "statusCode": 503,
					"requestHeaders": []any{map[string]any{"name": "Accept", "value": "application/json"}}}},
			}},
		}},
		"errors": []any{map[string]any{"errorType": "tool", "errorMessage": "503 from shop", "timestamp": "2026-02-01T10:00:04Z",
			"toolCallExternalId": "tool-1", "agentCallExternalId": "agent-a"}},
		"metrics": []any{map[string]any{"metricName": "task_success", "score": 0.5, "resultDetail": map[string]any{"why": "partial"},
			"timestamp": "2026-02-01T10:00:10Z"}},
	}
}

func agentLLM(tr map[string]any) map[string]any {
	return tr["agentCalls"].([]any)[0].(map[string]any)["llmCalls"].([]any)[0].(map[string]any)
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}
