package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
)

// storeCommands are the subcommands that open a store, each with the
// database URL its command line gives, the twin it reads and its default.
var storeCommands = []struct {
	name, env, def string
	args           []string // run's arguments before the flags under test
	url            func(args []string, getenv func(string) string) (string, error)
}{
	{"serve", "DATABASE_URL", db.DefaultURL, []string{"serve"}, func(args []string, getenv func(string) string) (string, error) {
		cfg, err := parseServeFlags(args, getenv, io.Discard)
		return cfg.DatabaseURL, err
	}},
	{"import-agentneo", "DATABASE_URL", db.DefaultURL, []string{"import-agentneo", "agentneo.db"}, func(args []string, getenv func(string) string) (string, error) {
		cfg, err := parseImportFlags(append(args, "agentneo.db"), getenv, io.Discard)
		return cfg.DatabaseURL, err
	}},
	{"keys list", "DATABASE_URL", db.DefaultURL, []string{"keys", "list"}, func(args []string, getenv func(string) string) (string, error) {
		cfg, _, err := parseKeysFlags("list", args, getenv, io.Discard)
		return cfg.DatabaseURL, err
	}},
	{"keys create", "DATABASE_URL", db.DefaultURL, []string{"keys", "create", "--all-projects", "--role", "read"}, func(args []string, getenv func(string) string) (string, error) {
		cfg, _, err := parseKeysFlags("create", append(args, "--all-projects", "--role", "read"), getenv, io.Discard)
		return cfg.DatabaseURL, err
	}},
	// A benchmark writes: its twin is its own, so that it never runs on
	// the server's database by accident; the empty default is a temporary file.
	{"bench", "BENCH_DATABASE_URL", "", []string{"bench", "--quick"}, func(args []string, getenv func(string) string) (string, error) {
		cfg, _, err := parseBenchFlags(args, getenv, io.Discard)
		return cfg.DatabaseURL, err
	}},
}

// TestDatabaseURLEveryCommand: every subcommand that opens a store reads
// --database-url the same way: the flag over its twin over the default,
// and a URL naming no store refused before anything runs, naming the flag
// and the twin.
func TestDatabaseURLEveryCommand(t *testing.T) {
	const fromEnv, fromFlag = "sqlite:from-env.db", "postgres://u@db/from-flag"
	for _, c := range storeCommands {
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range []struct {
				what string
				args []string
				env  map[string]string
				want string
			}{
				{"default", nil, nil, c.def},
				{"twin", nil, map[string]string{c.env: fromEnv}, fromEnv},
				{"flag", []string{"--database-url", fromFlag}, nil, fromFlag},
				{"flag over twin", []string{"--database-url=" + fromFlag}, map[string]string{c.env: fromEnv}, fromFlag},
				{"flag over a bad twin", []string{"--database-url", fromFlag}, map[string]string{c.env: "mysql://x"}, fromFlag},
				{"another command's twin ignored", nil, map[string]string{"DATABASE_URL": "x.db", "BENCH_DATABASE_URL": "y.db", c.env: ""}, c.def},
			} {
				got, err := c.url(tc.args, envOf(tc.env))
				if err != nil || got != tc.want {
					t.Errorf("%s: %q, %v; want %q", tc.what, got, err, tc.want)
				}
			}
			for _, tc := range []struct {
				args []string
				env  map[string]string
			}{
				{nil, map[string]string{c.env: "mysql://x"}},
				{[]string{"--database-url", "mysql://x"}, map[string]string{c.env: fromEnv}},
			} {
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), append(append([]string{}, c.args...), tc.args...), envOf(tc.env), &stdout, &stderr)
				want := "--database-url (" + c.env + "): database url: unsupported scheme"
				if code != 2 || !strings.Contains(stderr.String(), want) {
					t.Errorf("%v with %v: exit %d, stderr %q; want 2 saying %q", tc.args, tc.env, code, stderr.String(), want)
				}
			}
		})
	}
}

// TestKeysOpenTheFlagsStore runs a subcommand to its end: the store it
// opens is the flag's, not its twin's.
func TestKeysOpenTheFlagsStore(t *testing.T) {
	dir := t.TempDir()
	fromEnv, fromFlag := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"keys", "list", "--database-url", "sqlite:" + fromFlag},
		envOf(map[string]string{"DATABASE_URL": "sqlite:" + fromEnv}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("keys list: exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(fromFlag); err != nil {
		t.Errorf("the flag's store was not opened: %v", err)
	}
	if _, err := os.Stat(fromEnv); err == nil {
		t.Errorf("the twin's store %s was opened too", fromEnv)
	}
	code = run(context.Background(), []string{"keys", "list"}, envOf(map[string]string{"DATABASE_URL": "sqlite:" + fromEnv}), &stdout, &stderr)
	if _, err := os.Stat(fromEnv); code != 0 || err != nil {
		t.Errorf("keys list with DATABASE_URL only: exit %d, %v; stderr %q", code, err, stderr.String())
	}
}

// TestServeRefusesEveryBadValue starts the binary with two bad values: it
// exits 2 at once, naming both.
func TestServeRefusesEveryBadValue(t *testing.T) {
	code, stdout, stderr := runAPI(t, "serve", "--request-memory-bytes", "-1", "--otlp-max-body-bytes", "0")
	want := "api: --request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576, got -1\n" +
		"api: --otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES): must be at least 1024, got 0\n"
	if code != 2 || stderr != want || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and\n%s", code, stdout, stderr, want)
	}
}
