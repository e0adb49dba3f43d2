package hostile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// keepBytes is how much of an answer the client keeps to parse; the rest
// is counted and dropped, so a 1 GiB answer costs the suite nothing.
const keepBytes = 32 << 20

// request is one HTTP request of a case.
type request struct {
	method string // POST when empty
	path   string // with its query string
	key    string // bearer key; none when empty
	ctype  string // Content-Type; application/json for POST when empty, "-" for none
	header map[string]string
	body   []byte
}

// gqlError is an error in the GraphQL error format every endpoint answers with.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code      string `json:"code"`
		RequestID string `json:"requestId"`
		Field     string `json:"field"`
	} `json:"extensions"`
}

// document is what the suite reads from any JSON answer: GraphQL's errors and
// data, /v1/ingest's traces, OTLP's Status and partial success.
type document struct {
	Errors []gqlError       `json:"errors"`
	Data   *json.RawMessage `json:"data"`
	Traces []struct {
		ID string `json:"id"`
	} `json:"traces"`
	// google.rpc.Status, as OTLP answers errors.
	Code    *int   `json:"code"`
	Message string `json:"message"`
	Details []struct {
		Reason   string            `json:"reason"`
		Metadata map[string]string `json:"metadata"`
	} `json:"details"`
	PartialSuccess *struct {
		RejectedSpans json.RawMessage `json:"rejectedSpans"`
		ErrorMessage  string          `json:"errorMessage"`
	} `json:"partialSuccess"`
}

// answer is what came back.
type answer struct {
	status int
	header http.Header
	body   []byte // at most keepBytes
	size   int64
	took   time.Duration
	err    error    // transport error: no answer
	label  string   // what the table shows instead of the status
	doc    document // parsed when the body is JSON and kept whole
	parsed bool
}

// hasData reports whether a GraphQL answer carries non-null data.
func (a answer) hasData() bool {
	return a.doc.Data != nil && string(*a.doc.Data) != "null"
}

// rejectedSpans is an OTLP partial success's count.
func (a answer) rejectedSpans() int64 {
	if a.doc.PartialSuccess == nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.Trim(string(a.doc.PartialSuccess.RejectedSpans), `"`), 10, 64)
	return n
}

// firstError returns the first GraphQL-format error, if any.
func (a answer) firstError() (gqlError, bool) {
	if len(a.doc.Errors) > 0 {
		return a.doc.Errors[0], true
	}
	// OTLP answers a google.rpc.Status, its code in an ErrorInfo's reason.
	for _, d := range a.doc.Details {
		if d.Reason != "" {
			var e gqlError
			e.Message = a.doc.Message
			e.Extensions.Code, e.Extensions.RequestID = d.Reason, d.Metadata["requestId"]
			return e, true
		}
	}
	return gqlError{}, false
}

// summary is the answer in a few words: status, code, field and an excerpt.
func (a answer) summary() string {
	if a.err != nil {
		return fmt.Sprintf("no answer after %s: %v", a.took.Round(time.Millisecond), a.err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d", a.status)
	if e, ok := a.firstError(); ok {
		fmt.Fprintf(&b, " %s", orNone(e.Extensions.Code))
		if e.Extensions.Field != "" {
			fmt.Fprintf(&b, " field %s", excerpt([]byte(e.Extensions.Field), 120))
		}
	}
	fmt.Fprintf(&b, " in %s (%d bytes): %s", a.took.Round(time.Millisecond), a.size, excerpt(a.body, 300))
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(no code)"
	}
	return s
}

func excerpt(b []byte, n int) string {
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}

// send makes one request with the given time limit on loopback.
func send(client *http.Client, base string, r request, limit time.Duration) answer {
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+r.path, body)
	if err != nil {
		return answer{err: err}
	}
	switch {
	case r.ctype == "-":
	case r.ctype != "":
		req.Header.Set("Content-Type", r.ctype)
	case method == http.MethodPost:
		req.Header.Set("Content-Type", "application/json")
	}
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(start)}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	var kept bytes.Buffer
	n, err := io.Copy(&kept, io.LimitReader(resp.Body, keepBytes))
	a.size = n
	if err == nil && n == keepBytes {
		var rest int64
		rest, err = io.Copy(io.Discard, resp.Body)
		a.size += rest
	}
	a.took = time.Since(start)
	a.body = kept.Bytes()
	if err != nil {
		a.err = fmt.Errorf("reading the answer: %w", err)
		return a
	}
	if a.size <= keepBytes && json.Valid(a.body) {
		a.parsed = json.Unmarshal(a.body, &a.doc) == nil
	}
	return a
}

// leak finds what no client message may show: Go types, SQL, tables, paths.
var leak = regexp.MustCompile(`Go (struct|value)|map\[string\]|interface ?\{\}|RawParams|\bjson: |SQLSTATE|\bpq: |\bpgx\b|(?i:sqlite)|\b(SELECT|INSERT|UPDATE|DELETE) |\bFROM [a-z_]+|\b(llm_call|tool_call|agent_call|project_info|trace_search)\b|\.go:\d|/tmp/|/home/|goroutine \d`)

// graphql returns a POST /graphql request of query with variables.
func graphql(key, query string, variables map[string]any) request {
	payload := map[string]any{"query": query}
	if variables != nil {
		payload["variables"] = variables
	}
	return request{path: "/graphql", key: key, body: mustJSON(payload)}
}

// graphqlNamed is graphql with an operationName.
func graphqlNamed(key, query, operationName string) request {
	return request{path: "/graphql", key: key, body: mustJSON(map[string]any{"query": query, "operationName": operationName})}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// quote writes s as a GraphQL string literal (JSON's escapes are GraphQL's).
func quote(s string) string {
	return string(mustJSON(s))
}
