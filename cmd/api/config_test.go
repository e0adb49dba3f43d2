package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// envOf returns a getenv reading only vars.
func envOf(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseServeFlagsDefaults(t *testing.T) {
	cfg, err := parseServeFlags(nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg != DefaultConfig() {
		t.Errorf("defaults = %+v, DefaultConfig() = %+v", cfg, DefaultConfig())
	}
	// The documented defaults (README, "Configuration").
	for name, got := range map[string]any{
		"addr": cfg.Server.Addr, "database-url": cfg.DatabaseURL, "log-level": cfg.Log.LogLevel,
		"shutdown-timeout": cfg.Server.ShutdownTimeout, "loader-wait": cfg.Graph.LoaderWait,
		"max-text-bytes": cfg.Ingest.MaxTextBytes, "retention-interval": cfg.Ingest.RetentionInterval,
		"request-memory-bytes": cfg.Budget.RequestBytes, "otlp-max-body-bytes": cfg.OTLP.MaxBodyBytes,
		"statement-timeout": cfg.DB.StatementTimeout, "request-timeout": cfg.Graph.Limits.Timeout,
	} {
		want := map[string]any{
			"addr": "127.0.0.1:8080", "database-url": db.DefaultURL, "log-level": "info",
			"shutdown-timeout": 15 * time.Second, "loader-wait": 2 * time.Millisecond,
			"max-text-bytes": 1 << 20, "retention-interval": time.Hour,
			"request-memory-bytes": int64(64 << 20), "otlp-max-body-bytes": int64(16 << 20),
			"statement-timeout": 30 * time.Second, "request-timeout": 30 * time.Second,
		}[name]
		if got != want {
			t.Errorf("--%s defaults to %v, want %v", name, got, want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig().Validate() = %v", err)
	}
}

// serveCases set each setting through its flag and its twin.
var serveCases = []struct {
	flag, env, value string
	got              func(Config) any
	want             any
}{
	{"addr", "API_ADDR", "0.0.0.0:9000", func(c Config) any { return c.Server.Addr }, "0.0.0.0:9000"},
	{"database-url", "DATABASE_URL", "postgres://u@db/x", func(c Config) any { return c.DatabaseURL }, "postgres://u@db/x"},
	{"demo", "API_DEMO", "true", func(c Config) any { return c.Server.Demo }, true},
	{"log-level", "LOG_LEVEL", "debug", func(c Config) any { return c.Log.LogLevel }, "debug"},
	{"log-format", "LOG_FORMAT", "json", func(c Config) any { return c.Log.LogFormat }, "json"},
	{"shutdown-timeout", "API_SHUTDOWN_TIMEOUT", "3s", func(c Config) any { return c.Server.ShutdownTimeout }, 3 * time.Second},
	{"loader-wait", "API_LOADER_WAIT", "5ms", func(c Config) any { return c.Graph.LoaderWait }, 5 * time.Millisecond},
	{"prices", "API_PRICES", "prices.json", func(c Config) any { return c.Ingest.PricesFile }, "prices.json"},
	{"max-text-bytes", "API_MAX_TEXT_BYTES", "4096", func(c Config) any { return c.Ingest.MaxTextBytes }, 4096},
	{"retention-interval", "API_RETENTION_INTERVAL", "10m", func(c Config) any { return c.Ingest.RetentionInterval }, 10 * time.Minute},
	{"otlp-max-body-bytes", "API_OTLP_MAX_BODY_BYTES", "2048", func(c Config) any { return c.OTLP.MaxBodyBytes }, int64(2048)},
	{"request-timeout", "API_REQUEST_TIMEOUT", "5s", func(c Config) any { return c.Graph.Limits.Timeout }, 5 * time.Second},
	{"request-memory-bytes", "API_REQUEST_MEMORY_BYTES", "2097152", func(c Config) any { return c.Budget.RequestBytes }, int64(2 << 20)},
	{"read-header-timeout", "API_READ_HEADER_TIMEOUT", "1s", func(c Config) any { return c.Server.ReadHeaderTimeout }, time.Second},
	{"read-body-timeout", "API_READ_BODY_TIMEOUT", "2s", func(c Config) any { return c.Server.ReadBodyTimeout }, 2 * time.Second},
	{"write-timeout", "API_WRITE_TIMEOUT", "3s", func(c Config) any { return c.Server.WriteTimeout }, 3 * time.Second},
	{"statement-timeout", "API_STATEMENT_TIMEOUT", "0s", func(c Config) any { return c.DB.StatementTimeout }, time.Duration(0)},
	{"slow-query", "API_SLOW_QUERY", "1s", func(c Config) any { return c.Log.SlowQuery }, time.Second},
	{"insecure", "API_INSECURE", "true", func(c Config) any { return c.Server.Insecure }, true},
}

func TestParseServeFlagsEveryTwin(t *testing.T) {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	cfg := DefaultConfig()
	for _, s := range cfg.settings() {
		fs.Bool(s.Name, false, "")
	}
	covered := map[string]bool{}
	for _, tc := range serveCases {
		covered[tc.flag] = true
		cfg, err := parseServeFlags(nil, envOf(map[string]string{tc.env: tc.value}), io.Discard)
		if err != nil || tc.got(cfg) != tc.want {
			t.Errorf("%s=%s: %v, %v; want %v", tc.env, tc.value, tc.got(cfg), err, tc.want)
		}
		cfg, err = parseServeFlags([]string{"--" + tc.flag + "=" + tc.value}, envOf(nil), io.Discard)
		if err != nil || tc.got(cfg) != tc.want {
			t.Errorf("--%s=%s: %v, %v; want %v", tc.flag, tc.value, tc.got(cfg), err, tc.want)
		}
		// The flag wins over its twin, even an unreadable one.
		for _, env := range []string{"loud", "1h"} {
			cfg, err = parseServeFlags([]string{"--" + tc.flag + "=" + tc.value}, envOf(map[string]string{tc.env: env}), io.Discard)
			if err != nil || tc.got(cfg) != tc.want {
				t.Errorf("--%s=%s over %s=%s: %v, %v; want %v", tc.flag, tc.value, tc.env, env, tc.got(cfg), err, tc.want)
			}
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !covered[f.Name] {
			t.Errorf("--%s has no case here", f.Name)
		}
	})
}

func TestParseServeFlagsBoolEnv(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "TRUE": true, "t": true, "0": false, "false": false, "F": false} {
		cfg, err := parseServeFlags(nil, envOf(map[string]string{"API_DEMO": v}), io.Discard)
		if err != nil || cfg.Server.Demo != want {
			t.Errorf("API_DEMO=%s: Demo = %v, %v; want %v", v, cfg.Server.Demo, err, want)
		}
	}
}

func TestParseServeFlagsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // the error must say this
	}{
		{"LOG_LEVEL", nil, map[string]string{"LOG_LEVEL": "loud"}, `--log-level (LOG_LEVEL): must be debug, info, warn or error, got "loud"`},
		{"--log-level", []string{"--log-level", "loud"}, nil, "--log-level (LOG_LEVEL)"},
		{"API_DEMO", nil, map[string]string{"API_DEMO": "maybe"}, `API_DEMO: must be true or false, got "maybe"`},
		{"--demo", []string{"--demo=maybe"}, nil, "-demo"},
		{"LOG_FORMAT", nil, map[string]string{"LOG_FORMAT": "xml"}, `--log-format (LOG_FORMAT): must be text or json, got "xml"`},
		{"API_SHUTDOWN_TIMEOUT", nil, map[string]string{"API_SHUTDOWN_TIMEOUT": "soon"}, "API_SHUTDOWN_TIMEOUT: must be a duration"},
		{"--shutdown-timeout 0", []string{"--shutdown-timeout", "0s"}, nil, "--shutdown-timeout (API_SHUTDOWN_TIMEOUT): must be positive, got 0s"},
		{"--shutdown-timeout -1s", []string{"--shutdown-timeout", "-1s"}, nil, "--shutdown-timeout (API_SHUTDOWN_TIMEOUT): must be positive"},
		{"API_LOADER_WAIT", nil, map[string]string{"API_LOADER_WAIT": "fast"}, "API_LOADER_WAIT"},
		{"--loader-wait 2s", []string{"--loader-wait", "2s"}, nil, "--loader-wait (API_LOADER_WAIT): must be between 0s and 1s, got 2s"},
		{"--loader-wait -1ms", []string{"--loader-wait", "-1ms"}, nil, "--loader-wait (API_LOADER_WAIT)"},
		{"--addr empty", []string{"--addr", ""}, nil, "--addr (API_ADDR): must not be empty"},
		{"--max-text-bytes", []string{"--max-text-bytes", "100"}, nil, "--max-text-bytes (API_MAX_TEXT_BYTES): must be between 1024 and 67108864, got 100"},
		{"--otlp-max-body-bytes 0", []string{"--otlp-max-body-bytes", "0"}, nil, "--otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES): must be at least 1024, got 0"},
		{"--request-timeout 0", []string{"--request-timeout", "0s"}, nil, "--request-timeout (API_REQUEST_TIMEOUT): must be positive"},
		{"--request-memory-bytes under 1 MiB", []string{"--request-memory-bytes", "1000"}, nil, "--request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576"},
		{"--request-memory-bytes -1", []string{"--request-memory-bytes", "-1"}, nil, "--request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576, got -1"},
		{"API_REQUEST_MEMORY_BYTES", nil, map[string]string{"API_REQUEST_MEMORY_BYTES": "64MiB"}, `API_REQUEST_MEMORY_BYTES: must be an integer, got "64MiB"`},
		{"--read-body-timeout 0", []string{"--read-body-timeout", "0s"}, nil, "--read-body-timeout (API_READ_BODY_TIMEOUT): must be positive"},
		{"--statement-timeout -1s", []string{"--statement-timeout", "-1s"}, nil, "--statement-timeout (API_STATEMENT_TIMEOUT): must not be negative"},
		{"--slow-query -1s", []string{"--slow-query", "-1s"}, nil, "--slow-query (API_SLOW_QUERY): must not be negative"},
		{"--retention-interval", []string{"--retention-interval", "10ms"}, nil, "--retention-interval (API_RETENTION_INTERVAL): must be at least 1s"},
		{"DATABASE_URL", nil, map[string]string{"DATABASE_URL": "mysql://x"}, "--database-url (DATABASE_URL): database url: unsupported scheme"},
		{"unknown flag", []string{"--port", "80"}, nil, "-port"},
		{"positional", []string{"extra"}, nil, "unexpected arguments: extra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseServeFlags(tc.args, envOf(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestParseServeFlagsEveryProblem: a start refused lists every bad value,
// from flags and the environment alike, each once.
func TestParseServeFlagsEveryProblem(t *testing.T) {
	args := []string{"--request-memory-bytes", "-1", "--otlp-max-body-bytes", "0", "--loader-wait", "-1ms", "--write-timeout", "0s", "stray"}
	env := map[string]string{"LOG_FORMAT": "xml", "API_DEMO": "maybe", "API_MAX_TEXT_BYTES": "-5", "DATABASE_URL": "mysql://x"}
	_, err := parseServeFlags(args, envOf(env), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{
		"unexpected arguments: stray",
		"API_DEMO: must be true or false",
		"--write-timeout (API_WRITE_TIMEOUT):",
		"--database-url (DATABASE_URL):",
		"--log-format (LOG_FORMAT):",
		"--loader-wait (API_LOADER_WAIT):",
		"--request-memory-bytes (API_REQUEST_MEMORY_BYTES):",
		"--max-text-bytes (API_MAX_TEXT_BYTES):",
		"--otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES):",
	} {
		n := 0
		for _, line := range lines {
			if strings.Contains(line, want) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d lines say %q, want 1:\n%s", n, want, err)
		}
	}
	if len(lines) != 9 {
		t.Errorf("%d problems, want 9:\n%s", len(lines), err)
	}
}

func TestParseServeFlagsHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseServeFlags([]string{"-h"}, envOf(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err = %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"Usage: api", "API_ADDR", "DATABASE_URL", `(default "sqlite:data/agentgraph.db")`, "API_DEMO", "LOG_LEVEL", "LOG_FORMAT", "API_SHUTDOWN_TIMEOUT", "API_LOADER_WAIT", "API_REQUEST_MEMORY_BYTES"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help lacks %s:\n%s", name, out.String())
		}
	}
}

// TestRunExitCodes covers run's dispatch without starting a server.
func TestRunExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"--help"}, 0, "Usage: api"},
		{[]string{"serve", "-h"}, 0, "Usage: api"},
		{[]string{"--log-format", "xml"}, 2, "api: --log-format"},
		{[]string{"serve", "serve"}, 2, "unexpected arguments: serve"},
		{[]string{"serve", "--request-memory-bytes", "-1", "--otlp-max-body-bytes", "0"}, 2,
			"api: --request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576, got -1\napi: --otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES): must be at least 1024, got 0\n"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, envOf(nil), &stdout, &stderr)
		if code != tc.code {
			t.Errorf("run %q = %d, want %d", tc.args, code, tc.code)
		}
		if !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run %q: stderr %q lacks %q", tc.args, stderr.String(), tc.want)
		}
	}
}
