package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// These tests boot the real binary on 127.0.0.1:0 with a temporary database
// and talk to it over HTTP, the way an operator or a client would.

const (
	bootTimeout = 60 * time.Second // migrations and the demo load, on a slow machine
	stopTimeout = 10 * time.Second // SIGTERM to exit with nothing in flight
	httpTimeout = 30 * time.Second
)

var (
	binDir    string // removed by TestMain
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agentgraph-api-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// apiBinary builds the binary of this package once per test run, only when a
// test needs it, so the unit tests of the flags stay instant.
func apiBinary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the binary tests send SIGTERM, which Windows lacks")
	}
	buildOnce.Do(func() {
		path := filepath.Join(binDir, "api")
		cmd := exec.Command("go", "build", "-o", path, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binPath = path
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// childEnv is the test's environment without the server's own variables, so a
// developer's shell settings cannot change what a test starts.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "API_"), name == "DATABASE_URL", name == "LOG_LEVEL", name == "LOG_FORMAT":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// logLines collects a process's stderr line by line.
type logLines struct {
	mu      sync.Mutex
	all     bytes.Buffer
	partial []byte
	lines   []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// find returns the first JSON log record whose msg is msg.
func (l *logLines) find(msg string) (map[string]any, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		if rec["msg"] == msg {
			return rec, true
		}
	}
	return nil, false
}

// apiProcess is a running binary.
type apiProcess struct {
	cmd     *exec.Cmd
	stderr  *logLines
	stdout  bytes.Buffer
	done    chan struct{} // closed when the process has exited
	waitErr error
	addr    string // host:port it listens on
	URL     string // http://host:port
}

// launch starts the binary with args; it is killed at cleanup if still running,
// and its output is printed when the test failed.
func launch(t *testing.T, args ...string) *apiProcess {
	t.Helper()
	return launchEnv(t, nil, args...)
}

// launchEnv is launch with env added to the child's environment.
func launchEnv(t *testing.T, env []string, args ...string) *apiProcess {
	t.Helper()
	p := &apiProcess{stderr: &logLines{}, done: make(chan struct{})}
	p.cmd = exec.Command(apiBinary(t), args...)
	p.cmd.Env = append(childEnv(), env...)
	p.cmd.Dir = t.TempDir() // the default database, were one used by mistake, lands here
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", p.cmd.Path, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("api %s\nstderr:\n%s\nstdout:\n%s", strings.Join(args, " "), p.stderr, p.stdout.String())
		}
	})
	return p
}

// startAPI launches the binary with JSON logs and waits until it listens.
func startAPI(t *testing.T, databaseURL string, extra ...string) *apiProcess {
	t.Helper()
	return startAPIEnv(t, nil, databaseURL, extra...)
}

// startAPIEnv is startAPI with env added to the child's environment.
func startAPIEnv(t *testing.T, env []string, databaseURL string, extra ...string) *apiProcess {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--database-url", databaseURL, "--log-format", "json"}, extra...)
	p := launchEnv(t, env, args...)
	rec := p.waitLog(t, "listening", bootTimeout)
	addr, _ := rec["addr"].(string)
	if addr == "" {
		t.Fatalf("listening log line without addr: %v", rec)
	}
	p.addr = addr
	p.URL = "http://" + addr
	return p
}

// waitLog waits for a JSON log record with the given msg.
func (p *apiProcess) waitLog(t *testing.T, msg string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if rec, ok := p.stderr.find(msg); ok {
			return rec
		}
		select {
		case <-p.done:
			// The last lines may have arrived with the exit.
			if rec, ok := p.stderr.find(msg); ok {
				return rec
			}
			t.Fatalf("api exited (%v) before logging %q", p.waitErr, msg)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q log line within %s", msg, timeout)
		}
	}
}

// signal sends sig to the process.
func (p *apiProcess) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *apiProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("api still running %s after it was told to stop", timeout)
	}
	var exitErr *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exitErr) {
		t.Fatalf("wait: %v", p.waitErr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// stop sends SIGTERM and requires a clean exit that logs "stopped".
func (p *apiProcess) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, stopTimeout); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
	if _, ok := p.stderr.find("stopped"); !ok {
		t.Errorf("no \"stopped\" log line after SIGTERM")
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
}

// runAPI runs the binary to completion and returns its exit code and output.
func runAPI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), httpTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, apiBinary(t), args...)
	cmd.Env = childEnv()
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run api %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("api %s did not exit within %s; stderr:\n%s", strings.Join(args, " "), httpTimeout, errOut.String())
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

var httpClient = &http.Client{Timeout: httpTimeout}

// get fetches url and returns the response with its body read.
func get(t *testing.T, rawURL string) (*http.Response, string) {
	t.Helper()
	resp, err := httpClient.Get(rawURL)
	if err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", rawURL, err)
	}
	return resp, string(body)
}

// postGraphQL posts query; accept is the Accept header, none when empty.
func postGraphQL(t *testing.T, base, query, accept string) (*http.Response, []byte) {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST /graphql: read body: %v", err)
	}
	return resp, body
}

// gqlResponse is a GraphQL answer with data decoded into D.
type gqlResponse[D any] struct {
	Data   *D `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// decodeGraphQL requires a 200 answer without errors and returns its data.
func decodeGraphQL[D any](t *testing.T, resp *http.Response, body []byte) D {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200; body: %s", resp.StatusCode, body)
	}
	var out gqlResponse[D]
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if len(out.Errors) > 0 || out.Data == nil {
		t.Fatalf("GraphQL errors or no data: %s", body)
	}
	return *out.Data
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	ct := resp.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	return mt
}

const graphQLResponseJSON = "application/graphql-response+json"

const projectsQuery = `{ projects { totalCount nodes { projectName traces(first: 2) { totalCount nodes { id llmCalls(first: 1) { nodes { model tokenUsage { total } } } } } } } }`

type projectsData struct {
	Projects struct {
		TotalCount int `json:"totalCount"`
		Nodes      []struct {
			ProjectName string `json:"projectName"`
			Traces      struct {
				TotalCount int `json:"totalCount"`
				Nodes      []struct {
					ID       string `json:"id"`
					LLMCalls struct {
						Nodes []struct {
							Model      *string `json:"model"`
							TokenUsage struct {
								Total int `json:"total"`
							} `json:"tokenUsage"`
						} `json:"nodes"`
					} `json:"llmCalls"`
				} `json:"nodes"`
			} `json:"traces"`
		} `json:"nodes"`
	} `json:"projects"`
}

// checkDemoProjects requires exactly the demo data set's projects and traces.
func checkDemoProjects(t *testing.T, d projectsData) {
	t.Helper()
	scale := demo.DefaultScale()
	if d.Projects.TotalCount != scale.Projects || len(d.Projects.Nodes) != scale.Projects {
		t.Fatalf("projects: totalCount %d, %d nodes; want %d", d.Projects.TotalCount, len(d.Projects.Nodes), scale.Projects)
	}
	seenIDs := map[string]bool{}
	for i, p := range d.Projects.Nodes {
		// Oldest first: the demo creates them in order.
		if want := demo.ProjectName(i); p.ProjectName != want {
			t.Errorf("project %d is %q, want %q", i, p.ProjectName, want)
		}
		if p.Traces.TotalCount != scale.TracesPerProject {
			t.Errorf("project %s: traces.totalCount = %d, want %d", p.ProjectName, p.Traces.TotalCount, scale.TracesPerProject)
		}
		if len(p.Traces.Nodes) != 2 {
			t.Errorf("project %s: traces(first: 2) gave %d nodes", p.ProjectName, len(p.Traces.Nodes))
		}
		for _, tr := range p.Traces.Nodes {
			if tr.ID == "" || seenIDs[tr.ID] {
				t.Errorf("project %s: empty or repeated trace id %q", p.ProjectName, tr.ID)
			}
			seenIDs[tr.ID] = true
			if len(tr.LLMCalls.Nodes) != 1 {
				t.Errorf("trace %s: llmCalls(first: 1) gave %d nodes", tr.ID, len(tr.LLMCalls.Nodes))
				continue
			}
			c := tr.LLMCalls.Nodes[0]
			if c.Model == nil || *c.Model == "" {
				t.Errorf("trace %s: LLM call without a model", tr.ID)
			}
			if c.TokenUsage.Total <= 0 {
				t.Errorf("trace %s: LLM call with %d tokens", tr.ID, c.TokenUsage.Total)
			}
		}
	}
}

type countsData struct {
	Projects struct {
		TotalCount int `json:"totalCount"`
	} `json:"projects"`
	Traces struct {
		TotalCount int `json:"totalCount"`
	} `json:"traces"`
}

func TestServeDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		p := startAPI(t, b.NewURL(t), "--demo")
		if _, ok := p.stderr.find("demo data loaded"); !ok {
			t.Errorf("no \"demo data loaded\" log line on an empty database")
		}
		if rec, ok := p.stderr.find("database ready"); !ok || rec["dialect"] != b.Name {
			t.Errorf("database ready log line = %v, want dialect %s", rec, b.Name)
		}

		t.Run("healthz", func(t *testing.T) {
			resp, body := get(t, p.URL+"/healthz")
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "ok" {
				t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", resp.StatusCode, body)
			}
		})
		t.Run("readyz", func(t *testing.T) {
			resp, body := get(t, p.URL+"/readyz")
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /readyz = %d %q, want 200", resp.StatusCode, body)
			}
		})
		t.Run("post", func(t *testing.T) {
			for _, accept := range []string{"", graphQLResponseJSON} {
				resp, body := postGraphQL(t, p.URL, projectsQuery, accept)
				if mt := mediaType(t, resp); mt != graphQLResponseJSON {
					t.Errorf("Accept %q: Content-Type %q, want %s", accept, mt, graphQLResponseJSON)
				}
				checkDemoProjects(t, decodeGraphQL[projectsData](t, resp, body))
			}
		})
		t.Run("get query", func(t *testing.T) {
			resp, body := get(t, p.URL+"/graphql?query="+url.QueryEscape(`{ projects { totalCount } traces { totalCount } }`))
			d := decodeGraphQL[countsData](t, resp, []byte(body))
			scale := demo.DefaultScale()
			if d.Projects.TotalCount != scale.Projects || d.Traces.TotalCount != scale.Projects*scale.TracesPerProject {
				t.Errorf("GET counts = %+v, want %d projects and %d traces", d, scale.Projects, scale.Projects*scale.TracesPerProject)
			}
		})
		t.Run("get mutation refused", func(t *testing.T) {
			resp, body := get(t, p.URL+"/graphql?query="+url.QueryEscape(`mutation { __typename }`))
			if resp.StatusCode == http.StatusOK {
				t.Errorf("GET with a mutation = 200 %s, want it refused", body)
			}
			if !strings.Contains(body, `"errors"`) {
				t.Errorf("GET with a mutation: body %s has no errors", body)
			}
		})
		t.Run("landing page", func(t *testing.T) {
			resp, body := get(t, p.URL+"/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			if mt := mediaType(t, resp); mt != "text/html" {
				t.Errorf("GET / Content-Type = %q, want text/html", mt)
			}
			if !strings.Contains(strings.ToLower(body), "<html") || !strings.Contains(body, "agentgraph") {
				t.Errorf("GET / is not the landing page: %.200s", body)
			}
		})

		t.Run("healthcheck subcommand", func(t *testing.T) {
			code, stdout, stderr := runAPI(t, "healthcheck", "--url", p.URL+"/readyz")
			if code != 0 || strings.TrimSpace(stdout) != "ready" {
				t.Errorf("api healthcheck = %d, stdout %q, stderr %q; want 0 \"ready\"", code, stdout, stderr)
			}
		})

		p.stop(t)
		if _, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			t.Errorf("%s still accepts connections after the process exited", p.addr)
		}
		if code, _, stderr := runAPI(t, "healthcheck", "--url", p.URL+"/readyz", "--timeout", "2s"); code != 1 {
			t.Errorf("api healthcheck on a stopped server = %d (stderr %q), want 1", code, stderr)
		}
	})
}

func TestRestartKeepsDemoData(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		dbURL := b.NewURL(t)
		first := startAPI(t, dbURL, "--demo")
		if _, ok := first.stderr.find("demo data loaded"); !ok {
			t.Fatalf("first start did not load the demo data")
		}
		first.stop(t)

		// Same database: migrations must find it current, and the demo must
		// not be loaded on top of itself.
		second := startAPI(t, dbURL, "--demo")
		if _, ok := second.stderr.find("demo data loaded"); ok {
			t.Errorf("second start loaded the demo data again")
		}
		if _, ok := second.stderr.find("demo data not loaded: the database already has projects"); !ok {
			t.Errorf("second start did not log that it skipped the demo data")
		}
		resp, body := postGraphQL(t, second.URL, projectsQuery, "")
		checkDemoProjects(t, decodeGraphQL[projectsData](t, resp, body))
		resp, body = postGraphQL(t, second.URL, `{ projects { totalCount } traces { totalCount } }`, "")
		d := decodeGraphQL[countsData](t, resp, body)
		scale := demo.DefaultScale()
		if d.Traces.TotalCount != scale.Projects*scale.TracesPerProject {
			t.Errorf("after restart: %d traces, want %d", d.Traces.TotalCount, scale.Projects*scale.TracesPerProject)
		}
		second.stop(t)
	})
}

func TestUnknownCommand(t *testing.T) {
	code, _, stderr := runAPI(t, "frobnicate")
	if code != 2 {
		t.Errorf("exit code = %d, want 2", code)
	}
	if !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("stderr = %q, want it to name the unknown command", stderr)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"serve", "--help"}} {
		code, stdout, stderr := runAPI(t, args...)
		if code != 0 {
			t.Errorf("api %s: exit code = %d, want 0", strings.Join(args, " "), code)
		}
		out := stdout + stderr
		for _, want := range []string{"Usage: api", "-addr", "API_ADDR", "-database-url", "DATABASE_URL", "-demo"} {
			if !strings.Contains(out, want) {
				t.Errorf("api %s: help lacks %q:\n%s", strings.Join(args, " "), want, out)
			}
		}
	}
}

func TestInvalidFlagsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"serve", "extra"}, "unexpected arguments: extra"},
	} {
		code, _, stderr := runAPI(t, tc.args...)
		if code != 2 {
			t.Errorf("api %s: exit code = %d, want 2", strings.Join(tc.args, " "), code)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("api %s: stderr %q does not mention %q", strings.Join(tc.args, " "), stderr, tc.want)
		}
	}
}

func TestUnreachableDatabase(t *testing.T) {
	const secret = "s3cret"
	for _, dbURL := range []string{
		"postgres://postgres:" + secret + "@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
		"mysql://root:" + secret + "@127.0.0.1:1/none",
	} {
		start := time.Now()
		code, stdout, stderr := runAPI(t, "--addr", "127.0.0.1:0", "--database-url", dbURL)
		t.Logf("%s: exit %d after %s: %s", strings.SplitN(dbURL, ":", 2)[0], code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(stderr))
		if code == 0 {
			t.Errorf("%s: exit code 0, want non-zero", dbURL)
		}
		out := stdout + stderr
		if !strings.Contains(stderr, "api: ") {
			t.Errorf("%s: stderr %q has no error message", dbURL, stderr)
		}
		if strings.Contains(out, secret) {
			t.Errorf("%s: output reveals the password: %q", dbURL, out)
		}
		if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic") {
			t.Errorf("%s: output has a stack trace: %q", dbURL, out)
		}
		if strings.Contains(out, "listening") {
			t.Errorf("%s: the server listened without a database: %q", dbURL, out)
		}
	}
}

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
