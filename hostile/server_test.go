package hostile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "agentgraph-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// apiBinary builds cmd/api once per run.
func apiBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		path := filepath.Join(binDir, "api")
		out, err := exec.Command("go", "build", "-o", path, "github.com/agentgraph/agentgraph/cmd/api").CombinedOutput()
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

// childEnv is the test's environment without the server's own variables, so
// a developer's shell cannot change what the suite starts, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "API_"), name == "DATABASE_URL", name == "LOG_LEVEL", name == "LOG_FORMAT",
			name == "GOMEMLIMIT", name == "GOGC":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runCLI runs a subcommand of the binary to completion.
func runCLI(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, apiBinary(t), args...)
	cmd.Env = childEnv()
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("api %s did not exit within a minute; stderr:\n%s", strings.Join(args, " "), errOut.String())
	}
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("run api %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// createKey makes an API key with the binary's keys command and returns it.
func createKey(t testing.TB, databaseURL string, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"keys", "create", "--database-url", databaseURL}, args...)...)
	fields := strings.Fields(out)
	if code != 0 || len(fields) == 0 {
		t.Fatalf("keys create %v: exit %d\n%s%s", args, code, out, errOut)
	}
	return fields[len(fields)-1]
}

// cappedCommand runs bin under the address-space cap: with prlimit where
// util-linux has it, else with the shell's ulimit (in KiB). Both exec the
// binary in place, so the process id is the server's own.
func cappedCommand(bin string, args ...string) *exec.Cmd {
	if prlimit, err := exec.LookPath("prlimit"); err == nil {
		return exec.Command(prlimit, append([]string{"--as=" + strconv.Itoa(addressSpaceBytes), "--", bin}, args...)...)
	}
	return exec.Command("/bin/sh", append([]string{"-c", `ulimit -v "$0" && exec "$@"`, strconv.Itoa(addressSpaceBytes >> 10), bin}, args...)...)
}

// server is one running binary, restartable on the same database.
type server struct {
	databaseURL string
	dir         string   // the working directory
	env         []string // API_* settings, on top of childEnv
	cmd         *exec.Cmd
	stderr      *logLines
	done        chan struct{}
	waitErr     error
	URL         string
	// peakResets tells whether VmHWM can be reset between cases (clear_refs);
	// without it peaks are since start.
	peakResets bool
}

// startServer boots the binary on a free loopback port with GOMEMLIMIT and
// the address-space cap, and waits until it listens.
func startServer(t *testing.T, databaseURL string, env ...string) *server {
	t.Helper()
	s := &server{databaseURL: databaseURL, env: env, dir: t.TempDir()}
	s.start(t)
	t.Cleanup(s.kill)
	return s
}

func (s *server) start(t testing.TB) {
	t.Helper()
	s.stderr = &logLines{}
	s.done = make(chan struct{})
	s.cmd = cappedCommand(apiBinary(t), "--addr", "127.0.0.1:0", "--database-url", s.databaseURL, "--log-format", "json")
	s.cmd.Env = childEnv(append([]string{"GOMEMLIMIT=" + goMemLimit}, s.env...)...)
	s.cmd.Dir = s.dir
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start the server: %v", err)
	}
	done := s.done
	go func() {
		s.waitErr = s.cmd.Wait()
		close(done)
	}()
	rec := s.waitLog(t, "listening", 60*time.Second)
	addr, _ := rec["addr"].(string)
	if addr == "" {
		t.Fatalf("listening log line without addr: %v", rec)
	}
	s.URL = "http://" + addr
	if got := s.addressSpaceLimit(); got != strconv.Itoa(addressSpaceBytes) {
		t.Fatalf("the server's address-space limit is %q, want %d", got, addressSpaceBytes)
	}
	s.peakResets = s.resetPeak() == nil
}

// waitLog waits for a JSON log record with the given msg.
func (s *server) waitLog(t testing.TB, msg string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if rec, ok := s.stderr.find(msg); ok {
			return rec
		}
		select {
		case <-s.done:
			if rec, ok := s.stderr.find(msg); ok {
				return rec
			}
			t.Fatalf("server exited (%v) before logging %q:\n%s", s.waitErr, msg, s.stderr.tail(20))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q log line within %s:\n%s", msg, timeout, s.stderr.tail(20))
		}
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) addressSpaceLimit() string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/limits", s.pid()))
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 5 && strings.HasPrefix(line, "Max address space") {
			return f[3]
		}
	}
	return ""
}

// resetPeak restarts the process's peak-RSS count (VmHWM).
func (s *server) resetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.pid()), []byte("5"), 0)
}

// memory returns VmHWM (peak RSS) and VmRSS in bytes.
func (s *server) memory() (peak, rss int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		return -1, -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch name {
		case "VmHWM":
			peak = kb << 10
		case "VmRSS":
			rss = kb << 10
		}
	}
	return peak, rss
}

// alive reports whether the process runs and answers /healthz.
func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// death describes how the process ended, with the last lines it wrote.
func (s *server) death() string {
	select {
	case <-s.done:
		return fmt.Sprintf("exited (%v); %s", s.waitErr, s.stderr.fatal())
	default:
		return "runs but does not answer /healthz; last stderr:\n" + s.stderr.tail(8)
	}
}

// restart replaces a dead or stuck process by a new one on the same database.
func (s *server) restart(t testing.TB) {
	t.Helper()
	s.kill()
	s.start(t)
}

func (s *server) kill() {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// stop ends the process with SIGTERM (SIGKILL after a while).
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.kill()
	}
}

// logLines collects a process's stderr line by line.
type logLines struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		// Long lines (a logged 2 MB operation name) are kept short.
		line := l.partial[:i]
		if len(line) > 2000 {
			line = append(line[:2000:2000], "…"...)
		}
		l.lines = append(l.lines, string(line))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logLines) find(msg string) (map[string]any, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			return rec, true
		}
	}
	return nil, false
}

// fatal returns the runtime's fatal error or panic line, if any, and the
// last lines before the goroutine dump.
func (l *logLines) fatal() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, line := range l.lines {
		if strings.HasPrefix(line, "fatal error:") || strings.HasPrefix(line, "panic:") || strings.Contains(line, "out of memory") {
			return strings.Join(l.lines[i:min(i+3, len(l.lines))], "\n")
		}
	}
	lines := l.lines[max(0, len(l.lines)-5):]
	return "last stderr:\n" + strings.Join(lines, "\n")
}

// tail returns the last n lines.
func (l *logLines) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := l.lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, "\n")
	if len(l.partial) > 0 {
		out += "\n" + string(l.partial[:min(len(l.partial), 2000)])
	}
	return out
}
