package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// The fault tests drive the real binary with bounded concurrent ingestion
// (OTLP/JSON and the ingestTraces mutation) and queries, record which
// writes the server acknowledged, and then check the database.

// loadShape sizes the traces: one agent holding llmInAgent LLM calls and a
// tool call, plus one LLM call outside the agent.
type loadShape struct {
	llmInAgent       int
	tracesPerRequest int
}

func (s loadShape) wantAgents() int { return 1 }
func (s loadShape) wantLLM() int    { return s.llmInAgent + 1 }
func (s loadShape) wantTools() int  { return 1 }

// load is one run of workers against a server.
type load struct {
	base  string
	shape loadShape
	// connErrorsOK accepts failed connections as "not acknowledged", for a
	// server that is being stopped.
	connErrorsOK bool

	client *http.Client
	seq    atomic.Int64
	stopCh chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	acked    map[string]bool // external ids of acknowledged traces
	sent     map[string]bool
	outcomes map[string]int // "kind outcome" -> count
	problems []string
	ackedN   atomic.Int64
}

func newLoad(base string, shape loadShape) *load {
	return &load{
		base: base, shape: shape,
		client:   &http.Client{Timeout: 30 * time.Second},
		stopCh:   make(chan struct{}),
		acked:    map[string]bool{},
		sent:     map[string]bool{},
		outcomes: map[string]int{},
	}
}

// start runs n workers of each kind, each sending at most maxRequests.
func (l *load) start(otlpWorkers, graphqlWorkers, queryWorkers, maxRequests int) {
	run := func(fn func()) {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; i < maxRequests; i++ {
				select {
				case <-l.stopCh:
					return
				default:
				}
				fn()
				// Failures come back fast while the database is down.
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	for i := 0; i < otlpWorkers; i++ {
		run(l.otlpOnce)
	}
	for i := 0; i < graphqlWorkers; i++ {
		run(l.graphqlOnce)
	}
	for i := 0; i < queryWorkers; i++ {
		run(l.queryOnce)
	}
}

// stop ends the workers and waits for their last requests.
func (l *load) stop() {
	close(l.stopCh)
	l.wg.Wait()
}

// waitAcked waits until more than n traces are acknowledged.
func (l *load) waitAcked(t *testing.T, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for l.ackedN.Load() <= n {
		if time.Now().After(deadline) {
			t.Fatalf("no trace acknowledged within %s (outcomes %v)", timeout, l.outcomeCounts())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *load) outcome(kind, what string) {
	l.mu.Lock()
	l.outcomes[kind+" "+what]++
	l.mu.Unlock()
}

func (l *load) problem(format string, args ...any) {
	l.mu.Lock()
	if len(l.problems) < 20 {
		l.problems = append(l.problems, fmt.Sprintf(format, args...))
	}
	l.mu.Unlock()
}

func (l *load) ack(ids []string) {
	l.mu.Lock()
	for _, id := range ids {
		l.acked[id] = true
	}
	l.mu.Unlock()
	l.ackedN.Add(int64(len(ids)))
}

func (l *load) outcomeCounts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.outcomes))
	for k, v := range l.outcomes {
		out[k] = v
	}
	return out
}

func (l *load) nextIDs(prefix string) []string {
	ids := make([]string, l.shape.tracesPerRequest)
	l.mu.Lock()
	for i := range ids {
		n := l.seq.Add(1)
		if prefix == "" {
			ids[i] = fmt.Sprintf("%016x%016x", 0xfa17, n) // an OTLP trace id, in hex
		} else {
			ids[i] = fmt.Sprintf("%s-%d", prefix, n)
		}
		l.sent[ids[i]] = true
	}
	l.mu.Unlock()
	return ids
}

// post sends body and reports the answer, or false when the connection failed.
func (l *load) post(kind, path, body string) (status int, header http.Header, respBody []byte, ok bool) {
	req, _ := http.NewRequest(http.MethodPost, l.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	if err == nil {
		respBody, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err != nil {
		l.outcome(kind, "connection failed")
		if !l.connErrorsOK {
			l.problem("%s: %v", kind, err)
		}
		return 0, nil, nil, false
	}
	if leak := leaked(respBody); leak != "" {
		l.problem("%s: answer %d reveals %q: %.300s", kind, resp.StatusCode, leak, respBody)
	}
	return resp.StatusCode, resp.Header, respBody, true
}

// leaked returns a fragment of database internals found in an answer.
func leaked(body []byte) string {
	s := string(body)
	for _, bad := range []string{"SQLSTATE", "sqlstate", "pgconn", "pgx", "SELECT ", "INSERT ", "UPDATE ", "dial tcp",
		"failed to connect", "bad connection", "conn closed", "terminating connection", "project_info", "llm_call",
		"tool_call", "agent_call", "system_info", "user_interactions", "127.0.0.1"} {
		if strings.Contains(s, bad) {
			return bad
		}
	}
	return ""
}

func (l *load) otlpOnce() {
	ids := l.nextIDs("")
	status, header, body, ok := l.post("otlp", "/v1/traces", otlpBody(ids, l.shape))
	if !ok {
		return
	}
	l.outcome("otlp", strconv.Itoa(status))
	switch status {
	case http.StatusOK:
		var resp struct {
			PartialSuccess *struct {
				RejectedSpans json.Number `json:"rejectedSpans"`
			} `json:"partialSuccess"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			l.problem("otlp: 200 with %q: %v", body, err)
			return
		}
		if resp.PartialSuccess != nil && resp.PartialSuccess.RejectedSpans != "" && resp.PartialSuccess.RejectedSpans != "0" {
			l.problem("otlp: spans rejected: %s", body)
			return
		}
		l.ack(ids)
	case http.StatusServiceUnavailable:
		if n, err := strconv.Atoi(header.Get("Retry-After")); err != nil || n <= 0 {
			l.problem("otlp: 503 with Retry-After %q", header.Get("Retry-After"))
		}
	default:
		l.problem("otlp: status %d: %.300s", status, body)
	}
}

const ingestMutation = `mutation Ingest($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { externalId } } }`

func (l *load) graphqlOnce() {
	ids := l.nextIDs("gql")
	payload, _ := json.Marshal(map[string]any{"query": ingestMutation, "variables": map[string]any{"input": graphqlTraces(ids, l.shape)}})
	status, _, body, ok := l.post("graphql", "/graphql", string(payload))
	if !ok {
		return
	}
	var resp struct {
		Data *struct {
			IngestTraces struct {
				Traces []struct {
					ExternalID string `json:"externalId"`
				} `json:"traces"`
			} `json:"ingestTraces"`
		} `json:"data"`
		Errors []loadError `json:"errors"`
	}
	if !l.decodeGraphQL("graphql", status, body, &resp, &resp.Errors) {
		return
	}
	if resp.Data == nil {
		l.problem("graphql: no data and no errors: %s", body)
		return
	}
	got := resp.Data.IngestTraces.Traces
	if len(got) != len(ids) {
		l.problem("graphql: %d traces acknowledged for %d sent: %s", len(got), len(ids), body)
		return
	}
	for i := range got {
		if got[i].ExternalID != ids[i] {
			l.problem("graphql: acknowledged %q for %q", got[i].ExternalID, ids[i])
			return
		}
	}
	l.ack(ids)
}

func (l *load) queryOnce() {
	const q = `{"query":"{ traces(first: 5) { totalCount nodes { externalId llmCalls(first: 3) { nodes { model } } } } projects { totalCount } }"}`
	status, _, body, ok := l.post("query", "/graphql", q)
	if !ok {
		return
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []loadError     `json:"errors"`
	}
	l.decodeGraphQL("query", status, body, &resp, &resp.Errors)
}

type loadError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// decodeGraphQL decodes a GraphQL answer into resp and reports whether it
// succeeded; the only failure accepted is UNAVAILABLE, never a 5xx but
// 503 (a request refused before it ran, as when its key cannot be checked).
func (l *load) decodeGraphQL(kind string, status int, body []byte, resp any, errs *[]loadError) bool {
	if err := json.Unmarshal(body, resp); err != nil {
		l.problem("%s: status %d, undecodable %.300s", kind, status, body)
		return false
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		l.problem("%s: status %d: %.300s", kind, status, body)
	}
	if len(*errs) == 0 {
		if status != http.StatusOK {
			l.problem("%s: status %d without errors", kind, status)
			return false
		}
		l.outcome(kind, "ok")
		return true
	}
	for _, e := range *errs {
		code, _ := e.Extensions["code"].(string)
		l.outcome(kind, code)
		if code != "UNAVAILABLE" {
			l.problem("%s: status %d, error %q with code %q", kind, status, e.Message, code)
		}
	}
	return false
}

// otlpBody is an OTLP/JSON export of one trace per id. Span ids are
// external ids, unique per project: they carry the trace id's counter.
func otlpBody(ids []string, shape loadShape) string {
	const start = 1772366400000000000
	var spans []string
	for _, traceID := range ids {
		span := func(n int, parent, kind, name string) string {
			return fmt.Sprintf(`{"traceId":%q,"spanId":"%s%04x","parentSpanId":%q,"name":%q,"startTimeUnixNano":"%d","endTimeUnixNano":"%d",`+
				`"attributes":[{"key":"openinference.span.kind","value":{"stringValue":%q}},{"key":"llm.model_name","value":{"stringValue":"m"}},`+
				`{"key":"llm.token_count.prompt","value":{"intValue":"10"}}]}`,
				traceID, traceID[20:], n, parent, name, start+int64(n)*1000, start+int64(n)*1000+500, kind)
		}
		agent := fmt.Sprintf("%s%04x", traceID[20:], 1)
		spans = append(spans, span(1, "", "AGENT", "agent"))
		for i := 0; i < shape.llmInAgent; i++ {
			spans = append(spans, span(10+i, agent, "LLM", "llm"))
		}
		spans = append(spans, span(2, agent, "TOOL", "tool"), span(3, "", "LLM", "outside"))
	}
	return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"otlp-faults"}}]},` +
		`"scopeSpans":[{"spans":[` + strings.Join(spans, ",") + `]}]}]}`
}

// graphqlTraces is the ingestTraces input of one trace per id.
func graphqlTraces(ids []string, shape loadShape) []map[string]any {
	const at = "2026-03-01T10:00:00Z"
	llm := func(name string) map[string]any {
		return map[string]any{"name": name, "model": "m", "startTime": at, "inputPrompt": "p", "output": "o",
			"tokenUsage": map[string]any{"input": 10, "completion": 5}}
	}
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		inAgent := make([]map[string]any, shape.llmInAgent)
		for j := range inAgent {
			inAgent[j] = llm("llm")
		}
		out[i] = map[string]any{
			"project": "gql-faults", "externalId": id, "startTime": at,
			"agentCalls": []map[string]any{{"name": "agent", "startTime": at, "llmCalls": inAgent,
				"toolCalls": []map[string]any{{"name": "tool", "startTime": at}}}},
			"llmCalls": []map[string]any{llm("outside")},
		}
	}
	return out
}

// storedTrace counts a stored trace's rows.
type storedTrace struct {
	ExternalID string
	Agents     int
	LLM        int
	Tools      int
}

// checkStored requires every acknowledged trace to be stored and every
// stored trace to be complete: a write is all or nothing.
func (l *load) checkStored(t *testing.T, store *db.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var rows []storedTrace
	err := store.Gorm().WithContext(ctx).Raw(`SELECT t.external_id,
		(SELECT COUNT(*) FROM agent_call a WHERE a.trace_id = t.id) AS agents,
		(SELECT COUNT(*) FROM llm_call c WHERE c.trace_id = t.id) AS llm,
		(SELECT COUNT(*) FROM tool_call c WHERE c.trace_id = t.id) AS tools
		FROM traces t`).Scan(&rows).Error
	if err != nil {
		t.Fatalf("read stored traces: %v", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	stored := map[string]bool{}
	var partial []string
	for _, r := range rows {
		stored[r.ExternalID] = true
		if !l.sent[r.ExternalID] {
			t.Errorf("stored trace %q was never sent", r.ExternalID)
		}
		if r.Agents != l.shape.wantAgents() || r.LLM != l.shape.wantLLM() || r.Tools != l.shape.wantTools() {
			partial = append(partial, fmt.Sprintf("%+v", r))
		}
	}
	if len(partial) > 0 {
		t.Errorf("%d traces stored incompletely (want %d agents, %d LLM calls, %d tool calls each), e.g. %s",
			len(partial), l.shape.wantAgents(), l.shape.wantLLM(), l.shape.wantTools(), partial[0])
	}
	var lost []string
	for id := range l.acked {
		if !stored[id] {
			lost = append(lost, id)
		}
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Errorf("%d of %d acknowledged traces are not stored, e.g. %v", len(lost), len(l.acked), lost[:min(5, len(lost))])
	}
	t.Logf("sent %d traces, %d acknowledged, %d stored (unacknowledged but complete: %d)",
		len(l.sent), len(l.acked), len(rows), len(rows)-len(l.acked)+len(lost))
}

// report fails the test on any answer outside the contract and logs the outcomes.
func (l *load) report(t *testing.T) {
	t.Helper()
	counts := l.outcomeCounts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%d", k, counts[k])
	}
	t.Logf("outcomes:%s", b.String())
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Error(p)
	}
}
