package hostile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Wire cases' timing: the server must cut a slow client within
// wireTimeout+wireSlack; the client gives up after wireGiveUp.
const (
	wireSlack  = 2 * time.Second
	wireGiveUp = wireTimeout + 4*time.Second
	trickle    = 500 * time.Millisecond
)

// runWireCases runs finding 8's cases against a second server on the same
// database, started with short wire timeouts through their environment
// variables (a binary without them ignores them, and fails the cases).
func (h *harness) runWireCases(t *testing.T) {
	main := h.srv
	d := wireTimeout.String()
	h.srv = startServer(t, h.dbURL, "API_READ_HEADER_TIMEOUT="+d, "API_READ_BODY_TIMEOUT="+d, "API_WRITE_TIMEOUT="+d)
	defer func() {
		h.srv.stop()
		h.srv = main
	}()
	for _, hc := range h.wireCases() {
		h.runCase(t, hc)
	}
}

func (h *harness) wireCases() []hcase {
	bound := wireGiveUp + time.Second
	cases := []hcase{}
	for _, path := range []string{"/graphql", "/v1/ingest", "/v1/traces"} {
		cases = append(cases, hcase{name: "wire/slow body " + path, bound: bound, run: func(c *caseRun) {
			c.slowClient(path, true)
		}})
	}
	return append(cases,
		hcase{name: "wire/slow headers", bound: bound, run: func(c *caseRun) { c.slowClient("/graphql", false) }},
		hcase{name: "wire/slow reader of an export", bound: 30 * time.Second, run: func(c *caseRun) { c.slowReader() }},
	)
}

// slowClient announces an 8 MiB body and sends it a byte every trickle
// (or sends its headers so), and measures when the server cuts it: it must
// close the connection or answer 408 within wireTimeout+wireSlack.
func (c *caseRun) slowClient(path string, body bool) {
	addr := strings.TrimPrefix(c.url(), "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		c.failf("dial: %v", err)
		return
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n", path, addr, c.h.keys.admin)
	if body {
		head += fmt.Sprintf("Content-Length: %d\r\n\r\n", 8<<20)
	} else {
		head += "X-Slow: "
	}
	if _, err := io.WriteString(conn, head); err != nil {
		c.failf("send the headers: %v", err)
		return
	}
	start := time.Now()
	type cut struct {
		status int
		err    error
	}
	cuts := make(chan cut, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			cuts <- cut{err: err}
			return
		}
		resp.Body.Close()
		cuts <- cut{status: resp.StatusCode}
	}()
	what := "a body"
	if !body {
		what = "headers"
	}
	tick := time.NewTicker(trickle)
	defer tick.Stop()
	for {
		select {
		case r := <-cuts:
			took := time.Since(start)
			c.answers = append(c.answers, answer{status: r.status, took: took, err: r.err})
			switch {
			case r.err == nil && r.status != http.StatusRequestTimeout:
				c.failf("%s sent a byte every %s: want the connection closed or 408, got %d after %s", what, trickle, r.status, took.Round(time.Millisecond))
			case took > wireTimeout+wireSlack:
				c.failf("%s sent a byte every %s: cut after %s, want within %s", what, trickle, took.Round(time.Millisecond), wireTimeout+wireSlack)
			}
			return
		case <-tick.C:
			if time.Since(start) > wireGiveUp {
				c.answers = append(c.answers, answer{took: time.Since(start), err: errors.New("still open")})
				c.failf("%s sent a byte every %s: the connection is still open after %s; want it cut within %s", what, trickle, wireGiveUp, wireTimeout+wireSlack)
				return
			}
			_, _ = io.WriteString(conn, "a") // fails once the server is gone; the reader reports it
		}
	}
}

// slowReader asks for the big project's 100 MB export and reads nothing
// for a while: the server must give up writing within its write timeout,
// so the client then finds the stream cut short, not all of it waiting.
func (c *caseRun) slowReader() {
	addr := strings.TrimPrefix(c.url(), "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		c.failf("dial: %v", err)
		return
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(64 << 10)
	}
	_, err = fmt.Fprintf(conn, "GET /export/llm_calls.ndjson?project=%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n", bigProject, addr, c.h.keys.admin)
	if err != nil {
		c.failf("send the request: %v", err)
		return
	}
	start := time.Now()
	time.Sleep(wireTimeout + 3*time.Second)
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	took := time.Since(start)
	c.answers = append(c.answers, answer{status: http.StatusOK, took: took, size: n})
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		c.failf("a client reading nothing for %s: the server still wrote after that (%d bytes, then nothing for 20s without closing)", wireTimeout+3*time.Second, n)
	case n >= bigCalls*bigPromptBytes:
		c.failf("a client reading nothing for %s: the server waited and wrote the whole export (%d bytes); want it cut after its write timeout of %s", wireTimeout+3*time.Second, n, wireTimeout)
	}
}

// fairnessCases: one key floods while another key's probe is served.
func (h *harness) fairnessCases() []hcase {
	admin := h.keys.admin
	analytics := graphql(admin, fmt.Sprintf(`{ analytics(projectId: %q, source: LLM_CALLS, groupBy: [TRACE], bin: DAY,
		timeRange: {from: %q, to: %q}) { bucket count value { p50 p99 } } }`, h.seed.analyticsID, h.seed.from.Format(time.RFC3339), h.seed.to.Format(time.RFC3339)), nil)
	search := graphql(admin, `query($s: String) { traces(first: 20, filter: {search: $s}) { totalCount nodes { id } } }`, map[string]any{"s": searchOf(maxSearchWords)})
	return []hcase{
		{name: "fairness/one key floods /graphql (24 at once)", bound: heavyBound, run: func(c *caseRun) {
			c.flood(24, 6*time.Second, func(i int) request {
				if i%2 == 0 {
					return analytics
				}
				return search
			})
		}},
		{name: "fairness/one key floods /v1/ingest (16 at once)", bound: heavyBound, writeProbe: true, run: func(c *caseRun) {
			c.flood(16, 5*time.Second, func(i int) request {
				// Each worker (i/1000) rewrites its own three batches: merges
				// after the first round, and no two workers write one trace.
				traces := make([]any, 200)
				for j := range traces {
					traces[j] = analyticsTrace("hostile-flood", fmt.Sprintf("flood-%d-%d-%d", i/1000, i%3, j), j)
				}
				return request{path: "/v1/ingest", key: admin, body: mustJSON(map[string]any{"traces": traces})}
			})
		}},
	}
}

// flood runs workers loops of requests from one key for window; each answer
// must be served (200) or shed with a code: 429 TOO_MANY_REQUESTS with
// Retry-After, or 503 UNAVAILABLE/TIMEOUT. Some must be served.
func (c *caseRun) flood(workers int, window time.Duration, next func(i int) request) {
	deadline := time.Now().Add(window)
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; i < 1000 && time.Now().Before(deadline); i++ {
				a := send(c.h.client, c.url(), next(w*1000+i), window+clientSlack+c.bound)
				e, _ := a.firstError()
				var fail string
				switch {
				case a.err == nil && a.status == http.StatusOK && len(a.doc.Errors) == 0:
				case a.status == http.StatusTooManyRequests && e.Extensions.Code == "TOO_MANY_REQUESTS" && a.header.Get("Retry-After") != "":
				case a.status == http.StatusServiceUnavailable && (e.Extensions.Code == "UNAVAILABLE" || e.Extensions.Code == "TIMEOUT"):
				default:
					fail = a.summary()
				}
				mu.Lock()
				a.body = nil
				c.answers = append(c.answers, a)
				counts[fmt.Sprint(a.status)]++
				if fail != "" && counts["failed"] < 3 {
					c.failf("a flood request got neither 200 nor a coded 429/503: %s", fail)
				}
				if fail != "" {
					counts["failed"]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if counts["200"] == 0 {
		c.failf("the flooding key was not served at all: %v", counts)
	}
}

// lastCases change the store, so they run after the others.
func (h *harness) lastCases() []hcase {
	return []hcase{{name: "import/an agentgraph database as input is refused", bound: time.Minute, run: func(c *caseRun) {
		src := filepath.Join(c.t.TempDir(), "agentgraph.db")
		createKey(c.t, "sqlite:"+src, "--project", "hostile-import", "--role", "read")
		if _, err := os.Stat(src); err != nil {
			c.failf("the agentgraph database to import: %v", err)
			return
		}
		// Rollups are left out: a project broken by an earlier case must
		// not hide what the import did.
		counts := `{ traces { totalCount } }`
		created := `{ projectByName(name: "hostile-import") { id } }`
		before := c.send(graphql(c.h.keys.admin, counts, nil))
		start := time.Now()
		code, out, errOut := runCLI(c.t, "import-agentneo", "--database-url", c.h.dbURL, "--timezone", "UTC", src)
		c.answers = append(c.answers, answer{label: fmt.Sprintf("exit %d", code), took: time.Since(start)})
		if code == 0 {
			c.failf("import-agentneo of an agentgraph database: exit 0, want non-zero; output: %s", excerpt([]byte(out+errOut), 300))
		}
		if after := c.send(graphql(c.h.keys.admin, counts, nil)); !before.hasData() || !after.hasData() || string(*before.doc.Data) != string(*after.doc.Data) {
			c.failf("the refused import wrote traces: %s before, %s after", before.summary(), after.summary())
		}
		if a := c.send(graphql(c.h.keys.admin, created, nil)); a.hasData() && !strings.Contains(string(*a.doc.Data), "null") {
			c.failf("the refused import created its project: %s", a.summary())
		}
	}}}
}
