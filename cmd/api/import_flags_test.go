package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/agentneo"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestImportAgentNeoTimezone reads the naive times in a zone given by flag.
func TestImportAgentNeoTimezone(t *testing.T) {
	fixture := writeFixture(t)
	url := "sqlite:" + filepath.Join(t.TempDir(), "store.db")
	env := map[string]string{"DATABASE_URL": url, "TZ": "Asia/Tokyo"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"import-agentneo", fixture, "--timezone", "-04:00"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	store := dbtest.MustOpenURL(t, url, db.Options{})
	source, err := agentneo.FileSource(context.Background(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	starts := map[string]time.Time{}
	var traces []db.Trace
	if err := store.Gorm().Find(&traces).Error; err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		starts[*tr.ExternalID] = tr.StartTime
	}
	// A fixed -04:00 all year: the summer trace as in New York, the winter
	// one an hour earlier than New York's -05:00.
	for id, want := range map[string]string{
		agentneo.ExternalID(source, agentneo.TableTraces, 1): "2024-07-15T13:00:00Z",
		agentneo.ExternalID(source, agentneo.TableTraces, 2): "2024-01-11T03:30:00.25Z",
	} {
		if got := starts[id]; !got.Equal(utcTime(t, want)) {
			t.Errorf("%s starts at %v, want %s", id, got, want)
		}
	}
}

func TestImportAgentNeoUsage(t *testing.T) {
	fixture := writeFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no path", nil, nil, 2, "missing PATH"},
		{"two paths", []string{fixture, fixture}, nil, 2, "one PATH expected, got 2"},
		{"unknown flag", []string{"--nope", fixture}, nil, 2, "flag provided but not defined: -nope"},
		{"bad timezone", []string{"--timezone", "Mars/Olympus", fixture}, nil, 2, `unknown time zone "Mars/Olympus"`},
		{"bad timezone variable", []string{fixture}, map[string]string{"AGENTNEO_TIMEZONE": "nowhere"}, 2, "AGENTNEO_TIMEZONE"},
		{"bad database url", []string{"--database-url", "mysql://x", fixture}, nil, 2, "--database-url (DATABASE_URL): database url: unsupported scheme"},
		{"help", []string{"-h"}, nil, 0, "Usage: api import-agentneo [flags] PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"import-agentneo"}, tc.args...),
				func(k string) string { return tc.env[k] }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}

func TestParseTimezone(t *testing.T) {
	for in, offset := range map[string]int{"UTC": 0, "+02:00": 7200, "-0530": -19800, "UTC+2": 7200, "+05": 18000, "Asia/Kolkata": 19800} {
		loc, err := parseTimezone(in)
		if err != nil {
			t.Errorf("parseTimezone(%q): %v", in, err)
			continue
		}
		if _, got := time.Date(2024, 1, 1, 0, 0, 0, 0, loc).Zone(); got != offset {
			t.Errorf("parseTimezone(%q) offset %d, want %d", in, got, offset)
		}
	}
	if loc, _ := parseTimezone(""); loc != time.Local {
		t.Errorf("empty timezone = %v, want Local", loc)
	}
}
