package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/demo"
)

// startStuckRequest opens a connection and sends the headers of a POST
// /graphql with "Expect: 100-continue" but not its body. The server answers
// "100 Continue" only once the handler starts reading the body, so when this
// returns, a request is deterministically in flight inside the handler.
func startStuckRequest(t *testing.T, p *apiProcess, body string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(httpTimeout))
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", p.addr, len(body))
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read interim response: %v", err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("interim response %q, want 100 Continue", status)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q, %v", blank, err)
	}
	return conn, br
}

// waitListenerClosed waits until addr refuses connections: Shutdown closes the
// listener before it waits for in-flight requests.
func waitListenerClosed(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(stopTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections %s after SIGTERM", addr, stopTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestShutdownFinishesInFlightRequest(t *testing.T) {
	p := startAPI(t, "sqlite:"+filepath.Join(t.TempDir(), "api.db"), "--demo")
	body := `{"query":"{ projects { totalCount nodes { projectName } } }"}`
	conn, br := startStuckRequest(t, p, body)

	p.signal(t, syscall.SIGTERM)
	p.waitLog(t, "shutting down; finishing in-flight requests", stopTimeout)
	waitListenerClosed(t, p.addr)
	select {
	case <-p.done:
		t.Fatalf("api exited (%v) with a request in flight", p.waitErr)
	default:
	}

	// Let the request finish: it must get its whole answer.
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatalf("send body: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	d := decodeGraphQL[countsData](t, resp, respBody)
	if d.Projects.TotalCount != demo.DefaultScale().Projects {
		t.Errorf("in-flight answer: %d projects, want %d", d.Projects.TotalCount, demo.DefaultScale().Projects)
	}

	if code := p.wait(t, stopTimeout); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
	if _, ok := p.stderr.find("stopped"); !ok {
		t.Errorf("no \"stopped\" log line")
	}
}

func TestShutdownTimeoutBoundsStuckRequest(t *testing.T) {
	p := startAPI(t, "sqlite:"+filepath.Join(t.TempDir(), "api.db"), "--shutdown-timeout", "500ms")
	startStuckRequest(t, p, `{"query":"{ projects { totalCount } }"}`)

	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	code := p.wait(t, stopTimeout)
	took := time.Since(start)
	if took < 400*time.Millisecond {
		t.Errorf("exited %s after SIGTERM, before the 500ms shutdown timeout", took)
	}
	// The request never finished: the process must say so and not claim a
	// clean stop.
	if code == 0 {
		t.Errorf("exit code 0 although a request was cut off")
	}
	if _, ok := p.stderr.find("stopped"); ok {
		t.Errorf("logged \"stopped\" although a request was cut off")
	}
	if !strings.Contains(p.stderr.String(), "api: shutdown:") {
		t.Errorf("stderr does not explain the failed shutdown:\n%s", p.stderr)
	}
}
