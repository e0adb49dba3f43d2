package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
