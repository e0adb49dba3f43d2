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

	"github.com/agentgraph/agentgraph/graph"
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
	want := DefaultConfig()
	want.Addr = "127.0.0.1:8080"
	want.DatabaseURL = ""
	want.Demo = false
	want.LogLevel = "info"
	want.LogFormat = "text"
	want.ShutdownTimeout = 15 * time.Second
	want.LoaderWait = graph.DefaultOptions().LoaderWait
	want.MaxTextBytes = 1 << 20
	want.RetentionInterval = time.Hour
	if cfg != want {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
	if cfg != DefaultConfig() {
		t.Errorf("defaults = %+v, DefaultConfig() = %+v", cfg, DefaultConfig())
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig().Validate() = %v", err)
	}
}

func TestParseServeFlagsEnvTwins(t *testing.T) {
	env := map[string]string{
		"API_ADDR":                 "0.0.0.0:9000",
		"DATABASE_URL":             "postgres://u@db/x",
		"API_DEMO":                 "true",
		"LOG_LEVEL":                "debug",
		"LOG_FORMAT":               "json",
		"API_SHUTDOWN_TIMEOUT":     "3s",
		"API_LOADER_WAIT":          "5ms",
		"API_PRICES":               "prices.json",
		"API_MAX_TEXT_BYTES":       "4096",
		"API_RETENTION_INTERVAL":   "10m",
		"API_REQUEST_MEMORY_BYTES": "2097152",
	}
	cfg, err := parseServeFlags(nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Addr = "0.0.0.0:9000"
	want.DatabaseURL = "postgres://u@db/x"
	want.Demo = true
	want.LogLevel = "debug"
	want.LogFormat = "json"
	want.ShutdownTimeout = 3 * time.Second
	want.LoaderWait = 5 * time.Millisecond
	want.PricesFile = "prices.json"
	want.MaxTextBytes = 4096
	want.RetentionInterval = 10 * time.Minute
	want.RequestMemoryBytes = 2 << 20
	if cfg != want {
		t.Errorf("from env = %+v, want %+v", cfg, want)
	}
}

func TestParseServeFlagsFlags(t *testing.T) {
	args := []string{
		"--addr", ":7000", "--database-url", "sqlite:x.db", "--demo", "--log-level", "warn",
		"--log-format", "json", "--shutdown-timeout", "1m", "--loader-wait", "0s",
		"--prices", "p.json", "--max-text-bytes", "2048", "--retention-interval", "30s",
		"--request-memory-bytes", "4194304",
	}
	cfg, err := parseServeFlags(args, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Addr = ":7000"
	want.DatabaseURL = "sqlite:x.db"
	want.Demo = true
	want.LogLevel = "warn"
	want.LogFormat = "json"
	want.ShutdownTimeout = time.Minute
	want.LoaderWait = 0
	want.PricesFile = "p.json"
	want.MaxTextBytes = 2048
	want.RetentionInterval = 30 * time.Second
	want.RequestMemoryBytes = 4 << 20
	if cfg != want {
		t.Errorf("from flags = %+v, want %+v", cfg, want)
	}
}

func TestParseServeFlagsFlagBeatsEnv(t *testing.T) {
	env := map[string]string{
		"API_ADDR":               "0.0.0.0:9000",
		"DATABASE_URL":           "postgres://u@db/x",
		"API_DEMO":               "true",
		"LOG_LEVEL":              "debug",
		"LOG_FORMAT":             "json",
		"API_SHUTDOWN_TIMEOUT":   "3s",
		"API_LOADER_WAIT":        "5ms",
		"API_MAX_TEXT_BYTES":     "4096",
		"API_RETENTION_INTERVAL": "10m",
	}
	args := []string{
		"--addr", "127.0.0.1:0", "--database-url", "sqlite:y.db", "--demo=false", "--log-level", "error",
		"--log-format", "text", "--shutdown-timeout", "2s", "--loader-wait", "1ms",
		"--max-text-bytes", "8192", "--retention-interval", "1m",
	}
	cfg, err := parseServeFlags(args, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Addr = "127.0.0.1:0"
	want.DatabaseURL = "sqlite:y.db"
	want.Demo = false
	want.LogLevel = "error"
	want.LogFormat = "text"
	want.ShutdownTimeout = 2 * time.Second
	want.LoaderWait = time.Millisecond
	want.MaxTextBytes = 8192
	want.RetentionInterval = time.Minute
	if cfg != want {
		t.Errorf("flags over env = %+v, want %+v", cfg, want)
	}

	// An invalid value in the environment is overridden by a valid flag.
	cfg, err = parseServeFlags([]string{"--log-level", "info"}, envOf(map[string]string{"LOG_LEVEL": "loud"}), io.Discard)
	if err != nil || cfg.LogLevel != "info" {
		t.Errorf("--log-level info over LOG_LEVEL=loud = %q, %v; want info, nil", cfg.LogLevel, err)
	}
	cfg, err = parseServeFlags([]string{"--demo=false", "--shutdown-timeout", "1s"},
		envOf(map[string]string{"API_DEMO": "maybe", "API_SHUTDOWN_TIMEOUT": "soon"}), io.Discard)
	if err != nil || cfg.Demo || cfg.ShutdownTimeout != time.Second {
		t.Errorf("flags over invalid API_DEMO and API_SHUTDOWN_TIMEOUT = %+v, %v", cfg, err)
	}
}

func TestParseServeFlagsBoolEnv(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "TRUE": true, "t": true, "0": false, "false": false, "F": false} {
		cfg, err := parseServeFlags(nil, envOf(map[string]string{"API_DEMO": v}), io.Discard)
		if err != nil || cfg.Demo != want {
			t.Errorf("API_DEMO=%s: Demo = %v, %v; want %v", v, cfg.Demo, err, want)
		}
	}
}

func TestParseServeFlagsInvalid(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		env   map[string]string
		names []string // the error must mention one of these
	}{
		{"LOG_LEVEL", nil, map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL", "--log-level"}},
		{"--log-level", []string{"--log-level", "loud"}, nil, []string{"--log-level"}},
		{"API_DEMO", nil, map[string]string{"API_DEMO": "maybe"}, []string{"API_DEMO"}},
		{"--demo", []string{"--demo=maybe"}, nil, []string{"-demo"}},
		{"LOG_FORMAT", nil, map[string]string{"LOG_FORMAT": "xml"}, []string{"LOG_FORMAT", "--log-format"}},
		{"--log-format", []string{"--log-format", "xml"}, nil, []string{"--log-format"}},
		{"API_SHUTDOWN_TIMEOUT", nil, map[string]string{"API_SHUTDOWN_TIMEOUT": "soon"}, []string{"API_SHUTDOWN_TIMEOUT"}},
		{"--shutdown-timeout 0", []string{"--shutdown-timeout", "0s"}, nil, []string{"--shutdown-timeout"}},
		{"--shutdown-timeout -1s", []string{"--shutdown-timeout", "-1s"}, nil, []string{"--shutdown-timeout"}},
		{"API_LOADER_WAIT", nil, map[string]string{"API_LOADER_WAIT": "fast"}, []string{"API_LOADER_WAIT"}},
		{"--loader-wait 2s", []string{"--loader-wait", "2s"}, nil, []string{"--loader-wait"}},
		{"--loader-wait -1ms", []string{"--loader-wait", "-1ms"}, nil, []string{"--loader-wait"}},
		{"--addr empty", []string{"--addr", ""}, nil, []string{"--addr"}},
		{"--request-memory-bytes under 1 MiB", []string{"--request-memory-bytes", "1000"}, nil, []string{"--request-memory-bytes"}},
		{"API_REQUEST_MEMORY_BYTES", nil, map[string]string{"API_REQUEST_MEMORY_BYTES": "64MiB"}, []string{"API_REQUEST_MEMORY_BYTES"}},
		{"unknown flag", []string{"--port", "80"}, nil, []string{"-port"}},
		{"positional", []string{"extra"}, nil, []string{"unexpected arguments: extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := parseServeFlags(tc.args, envOf(tc.env), &out)
			if err == nil {
				t.Fatalf("no error")
			}
			msg := err.Error()
			for _, name := range tc.names {
				if strings.Contains(msg, name) {
					return
				}
			}
			t.Errorf("error %q names none of %q", msg, tc.names)
		})
	}
}

func TestParseServeFlagsHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseServeFlags([]string{"-h"}, envOf(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err = %v, want flag.ErrHelp", err)
	}
	for _, name := range []string{"Usage: api", "API_ADDR", "DATABASE_URL", "API_DEMO", "LOG_LEVEL", "LOG_FORMAT", "API_SHUTDOWN_TIMEOUT", "API_LOADER_WAIT"} {
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
