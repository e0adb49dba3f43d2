package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/settings"
)

// readmeTable returns the rows of the README table whose header starts with
// header, each row's cells without their backquotes.
func readmeTable(t *testing.T, header string) [][]string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n"+header)
	if !ok {
		t.Fatalf("the README has no table %q", header)
	}
	var rows [][]string
	for i, line := range strings.Split(table, "\n") {
		if i < 2 {
			continue // the rest of the header, the separator
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		var row []string
		for _, cell := range strings.Split(strings.Trim(line, "|"), "|") {
			row = append(row, strings.ReplaceAll(strings.TrimSpace(cell), "`", ""))
		}
		rows = append(rows, row)
	}
	return rows
}

// serveFlags are the flags of api serve, with their defaults.
func serveFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	cfg := DefaultConfig()
	settings.Bind(fs, func(string) string { return "" }, cfg.settings()...)
	fs.SetOutput(io.Discard)
	return fs
}

// TestReadmeStatesEveryFlag keeps the README's table of flags equal to the
// flags of api serve: names, environment twins and defaults.
func TestReadmeStatesEveryFlag(t *testing.T) {
	fs := serveFlags()
	cfg := DefaultConfig()
	twins := map[string]string{}
	for _, s := range cfg.settings() {
		twins[s.Name] = s.Env
	}
	stated := map[string]bool{}
	for _, row := range readmeTable(t, "| flag | environment | default | meaning |") {
		name := strings.TrimPrefix(row[0], "--")
		stated[name] = true
		f := fs.Lookup(name)
		if f == nil {
			t.Errorf("the README states --%s, which api serve lacks", name)
			continue
		}
		if row[1] != twins[name] {
			t.Errorf("the README gives --%s the twin %s, want %s", name, row[1], twins[name])
		}
		if !sameDefault(row[2], f.DefValue) {
			t.Errorf("the README gives --%s the default %q, want %q", name, row[2], f.DefValue)
		}
	}
	fs.VisitAll(func(f *flag.Flag) {
		if !stated[f.Name] {
			t.Errorf("the README's Configuration lacks --%s", f.Name)
		}
	})
}

// TestReadmeStatesEveryLimit keeps the defaults of the README's table of
// limits equal to those of their flags, and of the fixed limits it can name.
func TestReadmeStatesEveryLimit(t *testing.T) {
	fs := serveFlags()
	limits := graph.DefaultLimits()
	fixed := map[string]string{
		"body of /graphql":             budget.Size(limits.MaxBodyBytes),
		"traces per ingest request":    grouped(ingest.DefaultMaxTraces),
		"estimated cost of":            grouped(limits.MaxComplexity),
		"GraphQL document":             grouped(limits.ParserTokens) + ", " + strconv.Itoa(limits.MaxDepth) + ", " + strconv.Itoa(limits.MaxAliases) + ",",
		"requests executing at once,":  fmt.Sprintf("%d per CPU", graph.InFlightPerCPU),
		"memory one request may make ": budget.Size(budget.DefaultBytes),
	}
	seen := map[string]bool{}
	for _, row := range readmeTable(t, "| limit | default | set by |") {
		for start, want := range fixed {
			if strings.HasPrefix(row[0], start) {
				seen[start] = true
				if !strings.HasPrefix(row[1], want) {
					t.Errorf("the README's limit %q is %q, want %q", row[0], row[1], want)
				}
			}
		}
		values, setters := strings.Split(row[1], " / "), strings.Split(row[2], " / ")
		for i, setter := range setters {
			if setter == "fixed" {
				continue
			}
			f := fs.Lookup(strings.TrimPrefix(setter, "--"))
			if f == nil || len(values) != len(setters) {
				t.Errorf("the README's limit %q is set by %s, which api serve lacks, or its defaults do not pair with its flags", row[0], setter)
				continue
			}
			if want := human(f); values[i] != want {
				t.Errorf("the README's limit %q defaults to %q, want %q (%s)", row[0], values[i], want, setter)
			}
		}
	}
	for start := range fixed {
		if !seen[start] {
			t.Errorf("the README's limits lack the row %q", start)
		}
	}
}

// sameDefault compares a default as written with a flag's: "1h" is "1h0m0s".
func sameDefault(written, flagDefault string) bool {
	a, errA := time.ParseDuration(written)
	b, errB := time.ParseDuration(flagDefault)
	if errA == nil && errB == nil {
		return a == b
	}
	return written == flagDefault
}

// human writes a flag's default as the limits table does: "64 MiB", "30 s".
func human(f *flag.Flag) string {
	if strings.HasSuffix(f.Name, "-bytes") {
		n, _ := strconv.ParseInt(f.DefValue, 10, 64)
		return budget.Size(n)
	}
	if d, err := time.ParseDuration(f.DefValue); err == nil && d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return f.DefValue
}

// grouped writes n with thousands separators.
func grouped(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
