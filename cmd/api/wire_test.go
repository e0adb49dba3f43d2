package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/fair"
)

// oneCPU makes the server's limiters 4 turns each (4 per CPU), so that one
// client's share is 3.
var oneCPU = []string{"GOMAXPROCS=1"}

// dialRaw opens a connection to addr; rcvbuf > 0 shrinks its receive
// buffer before connecting, so a client that does not read stalls the
// server's writes early.
func dialRaw(t *testing.T, addr string, rcvbuf int) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var err error
			if cerr := c.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
			}); cerr != nil {
				return cerr
			}
			return err
		}
	}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// errorAnswer is the JSON error body every endpoint answers with.
type errorAnswer struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code      string `json:"code"`
			Field     string `json:"field"`
			RequestID string `json:"requestId"`
		} `json:"extensions"`
	} `json:"errors"`
}

// coded decodes a JSON error answer; ok is false when it is not one with a
// code and the request id of the answer's header.
func coded(header http.Header, body []byte) (code string, ok bool) {
	var a errorAnswer
	if json.Unmarshal(body, &a) != nil || len(a.Errors) != 1 {
		return "", false
	}
	ext := a.Errors[0].Extensions
	return ext.Code, ext.Code != "" && ext.RequestID != "" && ext.RequestID == header.Get("X-Request-Id") && a.Errors[0].Message != ""
}

// TestSlowBodyIsCut: a client announcing 1 MiB and sending a byte every
// 200 ms is answered and disconnected once --read-body-timeout (1 s) has
// passed, on every endpoint that reads a body.
func TestSlowBodyIsCut(t *testing.T) {
	p := startAPI(t, dbtest.Backends()[0].NewURL(t), "--read-body-timeout", "1s")
	for _, path := range []string{"/v1/ingest", "/v1/traces", "/graphql"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			conn := dialRaw(t, p.addr, 0)
			start := time.Now()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", path, 1<<20)
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for range 50 {
					select {
					case <-stop:
						return
					case <-time.After(200 * time.Millisecond):
					}
					if _, err := conn.Write([]byte(" ")); err != nil {
						return
					}
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if _, err := br.ReadByte(); err == nil {
				t.Error("the connection stays open after the answer")
			}
			took := time.Since(start)
			if took < 900*time.Millisecond || took > 2500*time.Millisecond {
				t.Errorf("cut after %s, want about 1s", took)
			}
			if path == "/graphql" {
				if resp.StatusCode < 400 {
					t.Errorf("answered %d %s", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("answered %d %s, want 408", resp.StatusCode, body)
			}
			if path == "/v1/ingest" {
				if code, ok := coded(resp.Header, body); !ok || code != "REQUEST_TIMEOUT" {
					t.Errorf("answer %s, want code REQUEST_TIMEOUT with the request id", body)
				}
			}
		})
	}
}

// bigPrompt is the text of each stored LLM call: 6 of them make answers
// far larger than what socket buffers hold.
var bigPrompt = strings.Repeat("x", 1<<20-1024)

func ingestBig(t *testing.T, base string) {
	t.Helper()
	var calls []map[string]any
	for i := range 6 {
		calls = append(calls, map[string]any{"name": fmt.Sprintf("c%d", i), "inputPrompt": bigPrompt,
			"startTime": "2026-01-01T00:00:01Z", "endTime": "2026-01-01T00:00:02Z"})
	}
	body, _ := json.Marshal(map[string]any{"traces": []any{map[string]any{
		"project": "big", "externalId": "big-1", "startTime": "2026-01-01T00:00:00Z", "llmCalls": calls}}})
	res, err := httpClient.Post(base+"/v1/ingest", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ingest: %d %s", res.StatusCode, out)
	}
}

// TestSlowReaderIsCut: clients that stop reading large answers hold all of
// their share of turns; --write-timeout (1 s) cuts them off, and a next
// request of the same client gets a turn and its whole answer. A reader
// that is slow but keeps reading gets everything, taking longer than the
// write timeout.
func TestSlowReaderIsCut(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		p := startAPIEnv(t, oneCPU, b.NewURL(t), "--write-timeout", "1s")
		ingestBig(t, p.URL)
		graphqlQuery, _ := json.Marshal(map[string]string{"query": `{ projectByName(name: "big") { llmCalls(first: 10) { nodes { inputPrompt } } } }`})
		for _, c := range []struct {
			name, head string
			body       []byte
		}{
			{"export", "GET /export/llm_calls.ndjson HTTP/1.1\r\nHost: x\r\n\r\n", nil},
			{"graphql", fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(graphqlQuery)), graphqlQuery},
		} {
			t.Run(c.name, func(t *testing.T) {
				fetch := func() (*http.Response, []byte, error) {
					req, _ := http.NewRequest(http.MethodGet, p.URL+"/export/llm_calls.ndjson", nil)
					if c.body != nil {
						req, _ = http.NewRequest(http.MethodPost, p.URL+"/graphql", bytes.NewReader(c.body))
						req.Header.Set("Content-Type", "application/json")
					}
					client := &http.Client{Timeout: 20 * time.Second}
					res, err := client.Do(req)
					if err != nil {
						return nil, nil, err
					}
					defer res.Body.Close()
					body, err := io.ReadAll(res.Body)
					return res, body, err
				}
				res, whole, err := fetch()
				if err != nil || res.StatusCode != http.StatusOK || len(whole) < 6<<20-8192 {
					t.Fatalf("the answer read at once: %v, %d bytes", err, len(whole))
				}

				// Stalled readers holding the client's whole share of turns.
				var stalled []net.Conn
				for range fair.Share(graph.InFlightPerCPU) {
					conn := dialRaw(t, p.addr, 4096)
					if _, err := io.WriteString(conn, c.head); err != nil {
						t.Fatal(err)
					}
					_, _ = conn.Write(c.body)
					stalled = append(stalled, conn)
				}
				time.Sleep(300 * time.Millisecond)
				start := time.Now()
				res, body, err := fetch()
				if err != nil || res.StatusCode != http.StatusOK || len(body) != len(whole) {
					t.Fatalf("a request behind the stalled readers: %v, status %v, %d of %d bytes", err, res, len(body), len(whole))
				}
				t.Logf("the next request got its turn and answer after %s", time.Since(start).Round(time.Millisecond))
				// A stalled reader whose query ran late is cut a write timeout
				// after its first write: read none of them before that, or
				// reading would be what lets its answer through.
				time.Sleep(3 * time.Second)
				for i, conn := range stalled {
					_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
					n, _ := io.Copy(io.Discard, conn)
					if n >= int64(len(whole)) {
						t.Errorf("stalled reader %d got %d bytes, the whole answer: it was not cut", i, n)
					}
				}

				// Slow but steady: 256 KiB every 100 ms.
				conn := dialRaw(t, p.addr, 0)
				start = time.Now()
				_, _ = io.WriteString(conn, c.head)
				_, _ = conn.Write(c.body)
				_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
				br := bufio.NewReader(conn)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				var got int64
				for {
					n, err := io.CopyN(io.Discard, resp.Body, 256<<10)
					got += n
					if err != nil {
						if !errors.Is(err, io.EOF) {
							t.Errorf("slow reader: %v after %d bytes", err, got)
						}
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
				took := time.Since(start)
				if got != int64(len(whole)) {
					t.Errorf("slow reader got %d of %d bytes", got, len(whole))
				}
				if took < 1500*time.Millisecond {
					t.Errorf("slow reader took %s: not longer than the write timeout, the test proves nothing", took)
				}
			})
		}
	})
}

// floodResult is what one of many concurrent raw requests got.
type floodResult struct {
	status int
	header http.Header
	body   []byte
	err    error
	at     time.Time // when the answer came
}

// flood sends n copies of a raw request at once and collects the answers
// that come within wait; the others are reported with a timeout error.
func flood(t *testing.T, addr, head string, n int, wait time.Duration) []floodResult {
	t.Helper()
	out := make([]floodResult, n)
	var wg sync.WaitGroup
	deadline := time.Now().Add(wait)
	for i := range out {
		conn := dialRaw(t, addr, 0)
		wg.Go(func() {
			if _, err := io.WriteString(conn, head); err != nil {
				out[i].err = err
				return
			}
			_ = conn.SetReadDeadline(deadline)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				out[i].err = err
				return
			}
			out[i].body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			out[i].status, out[i].header, out[i].at = resp.StatusCode, resp.Header, time.Now()
		})
	}
	wg.Wait()
	return out
}

// TestOneKeyCannotTakeTheServer: a key holding its share of an endpoint's
// turns with bodies that do not come, and queueing as many requests as it
// may, gets 429 for the rest, while another key is served at once; on
// /graphql, a key's flood of slow queries waits its turns and is served,
// 429 for what overflows its queue, and another key's query goes first.
func TestOneKeyCannotTakeTheServer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		url := b.NewURL(t)
		keyA := newKey(t, url, "--all-projects", "--role", "admin")
		keyB := newKey(t, url, "--all-projects", "--role", "admin")
		p := startAPIEnv(t, oneCPU, url, "--read-body-timeout", "20s", "--loader-wait", "1s")
		other := keyed{p.URL, keyB}
		if status, _, body := other.request(t, http.MethodPost, "/v1/ingest", "application/json", ingestJSON("fair", "b-0")); status != 200 {
			t.Fatalf("ingest: %d %s", status, body)
		}

		// On one CPU: A holds its share of the turns, queues as many as it
		// may, and 3 more are refused.
		share, queue := fair.Share(graph.InFlightPerCPU), fair.QueuePerTurn*graph.InFlightPerCPU
		for _, c := range []struct{ path, contentType string }{{"/v1/ingest", "application/json"}, {"/v1/traces", "application/x-protobuf"}} {
			t.Run(c.path, func(t *testing.T) {
				head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100\r\n\r\n", c.path, keyA, c.contentType)
				done := make(chan []floodResult, 1)
				go func() { done <- flood(t, p.addr, head, share+queue+3, 3*time.Second) }()
				time.Sleep(time.Second)
				start := time.Now()
				body := ingestJSON("fair", "b-1")
				if c.path == "/v1/traces" {
					body = otlpExport("fair", "0af7651916cd43dd8448eb211c80319c")
				}
				status, _, answer := other.request(t, http.MethodPost, c.path, "application/json", body)
				if status != 200 || time.Since(start) > 2*time.Second {
					t.Errorf("the other key beside the flood: %d after %s: %s", status, time.Since(start), answer)
				}
				refused := 0
				for _, r := range <-done {
					if r.err == nil && r.status == http.StatusTooManyRequests {
						refused++
						if r.header.Get("Retry-After") != "1" {
							t.Errorf("429 without Retry-After: 1: %v", r.header)
						}
						if c.path == "/v1/ingest" {
							if code, ok := coded(r.header, r.body); !ok || code != "TOO_MANY_REQUESTS" {
								t.Errorf("429 answer %s", r.body)
							}
						} else if code, id := otlpCode(t, "application/x-protobuf", r.body); code != "TOO_MANY_REQUESTS" || id != r.header.Get("X-Request-Id") {
							t.Errorf("429 OTLP answer: code %q, request id %q", code, id)
						}
					} else if r.err == nil {
						t.Errorf("a request within the key's share and queue answered %d %s", r.status, r.body)
					}
				}
				if refused != 3 {
					t.Errorf("%d requests refused with 429, want the 3 beyond share and queue", refused)
				}
			})
		}

		t.Run("/graphql", func(t *testing.T) {
			// Each query has two root lookups, which its loader gathers for 1 s
			// (--loader-wait), holding a turn.
			slow, _ := json.Marshal(map[string]string{"query": `{ a: node(id: "UHJvamVjdDox") { id } b: node(id: "UHJvamVjdDox") { id } }`})
			head := fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", keyA, len(slow), slow)
			n := share + queue + 5
			done := make(chan []floodResult, 1)
			go func() { done <- flood(t, p.addr, head, n, 60*time.Second) }()
			time.Sleep(500 * time.Millisecond)
			start := time.Now()
			a := other.gql(t, `{ projects(first: 1) { nodes { projectName } } }`, nil)
			answered := time.Now()
			if a.status != 200 || len(a.Errors) > 0 {
				t.Errorf("the other key's query beside the flood: %d after %s: %s", a.status, time.Since(start), a.raw)
			}
			refused := 0
			for _, r := range <-done {
				if r.status == http.StatusOK && !answered.Before(r.at) {
					t.Errorf("the other key's query was answered after one of the flood's, %s after it began: it waited for a turn", answered.Sub(start))
				}
				switch {
				case r.err != nil:
					t.Errorf("flood request: %v", r.err)
				case r.status == http.StatusTooManyRequests:
					refused++
					if code, ok := coded(r.header, r.body); !ok || code != "TOO_MANY_REQUESTS" {
						t.Errorf("429 answer %s", r.body)
					}
				case r.status != http.StatusOK:
					t.Errorf("a request of the flood answered %d %s", r.status, r.body)
				}
			}
			if refused < 1 || refused > n-share-queue {
				t.Errorf("%d of %d requests refused, want 1 to %d (those beyond share and queue)", refused, n, n-share-queue)
			}
		})
	})
}
