package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// ratioLine is the line bench prints per workload and client count.
var ratioLine = regexp.MustCompile(`(?m)^ratio \(([a-f])\) at (\d+) clients: ([0-9.]+) of the bound's throughput \(([0-9.]+) vs ([0-9.]+) (req|calls)/s\)`)

// runBench runs "api bench" with args and returns its output.
func runBench(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code := run(ctx, append([]string{"bench"}, args...), func(string) string { return "" }, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("bench %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// checkBenchOutput checks that every workload has its ratio line with sane
// numbers, and that the report has its table, probes and targets.
func checkBenchOutput(t *testing.T, out string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range ratioLine.FindAllStringSubmatch(out, -1) {
		seen[m[1]] = true
		ratio, _ := strconv.ParseFloat(m[3], 64)
		api, _ := strconv.ParseFloat(m[4], 64)
		bound, _ := strconv.ParseFloat(m[5], 64)
		if !(ratio > 0 && ratio < 100 && api > 0 && bound > 0) {
			t.Errorf("insane numbers in %q", m[0])
		}
		ingests := m[1] == "e" || m[1] == "f"
		if ingests && m[6] != "calls" || !ingests && m[6] != "req" {
			t.Errorf("wrong unit in %q", m[0])
		}
	}
	for _, w := range []string{"a", "b", "c", "d", "e", "f"} {
		if !seen[w] {
			t.Errorf("no ratio line for (%s)", w)
		}
	}
	for _, want := range []string{"| (b) bound | bound | 8 |", "(b) $n=5: ", "targets", "load: ", "calls/s", "Query.analytics",
		"| (f) POST /v1/ingest, 5 traces per request | api | 8 |", "| (f) bound | bound | 8 |",
		"  (f) at least 20000 calls/s (the target of (e), applied to (f)): ",
		"  (f) at least 25% of the bound's throughput (the target of (e), applied to (f)): "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, m := range regexp.MustCompile(`\(([a-d])\) \$n=\d+: (\d+) statements; \$n=\d+: (\d+) statements`).FindAllStringSubmatch(out, -1) {
		if m[2] == "0" || m[3] == "0" {
			t.Errorf("a request ran no SQL statement: %q", m[0])
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestBenchQuickSQLite(t *testing.T) {
	out := runBench(t, "--quick")
	if !strings.Contains(out, "database: sqlite, temporary file") || !strings.Contains(out, "(removed at the end)") {
		t.Errorf("output does not say which database it used:\n%s", out)
	}
	checkBenchOutput(t, out)
}

// TestBenchQuickPostgres runs on a fresh database of the test server, which
// must be dropped afterwards.
func TestBenchQuickPostgres(t *testing.T) {
	admin := os.Getenv(dbtest.PostgresURLEnv)
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if dbtest.RequirePostgres() {
			t.Fatalf("PostgreSQL is required but unreachable: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	defer conn.Close(context.Background())

	out := runBench(t, "--quick", "--database-url", admin)
	checkBenchOutput(t, out)
	m := regexp.MustCompile(`fresh database (bench_[0-9a-f]+) on \S+ \(dropped at the end\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output does not name the fresh database:\n%s", out)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, m[1]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s was not dropped", m[1])
	}
}

func TestBenchRefusesNonEmptyDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	store := dbtest.MustOpenURL(t, "sqlite:"+path, db.Options{})
	if _, err := store.EnsureProject(context.Background(), "precious"); err != nil {
		t.Fatal(err)
	}
	_ = store.Close()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--quick", "--database-url", "sqlite:" + path}, func(string) string { return "" }, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "not empty") || !strings.Contains(stderr.String(), "--reuse") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming --reuse", code, stderr.String())
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--workloads", "a,z"},
		{"--clients", "0"},
		{"--cpuprofile", "cpu.pprof"}, // without --profile
		{"--profile", "q", "--cpuprofile", "cpu.pprof"},
		{"stray"},
	} {
		var stdout, stderr bytes.Buffer
		// --quick, so that a usage error that slipped through costs seconds.
		code := run(context.Background(), append([]string{"bench", "--quick"}, args...), func(string) string { return "" }, &stdout, &stderr)
		if code == 0 || stderr.Len() == 0 {
			t.Errorf("bench %v: exit %d, stderr %q; want a usage error", args, code, stderr.String())
		}
	}
}
