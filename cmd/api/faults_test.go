package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestPostgresRestartDuringLoad stops a private PostgreSQL under ingestion
// and queries, first with a fast shutdown (sessions are terminated with
// 57P01) and then an immediate one (a crash, recovered from the WAL). While it
// is down clients must get 503 + Retry-After (OTLP) or UNAVAILABLE (GraphQL),
// never a 500 or INTERNAL; once it is back the server must recover by itself,
// and every acknowledged trace must be stored complete.
func TestPostgresRestartDuringLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	pg := newPGCluster(t)
	p := startAPI(t, pg.URL(), "--request-timeout", "20s")
	l := newLoad(p.URL, loadShape{llmInAgent: 2, tracesPerRequest: 2})
	l.start(2, 2, 1, 5000)
	stopped := false
	defer func() {
		if !stopped {
			l.stop()
		}
	}()

	l.waitAcked(t, 0, 30*time.Second)
	for _, mode := range []string{"fast", "immediate"} {
		// Let writes pile up, so some are in flight when the server goes.
		time.Sleep(time.Second)
		before := l.outcomeCounts()
		pg.stop(t, mode)
		t.Logf("PostgreSQL stopped (-m %s)", mode)
		waitOutcome(t, l, before, "otlp 503")
		waitOutcome(t, l, before, "graphql UNAVAILABLE")
		waitOutcome(t, l, before, "query UNAVAILABLE")
		if resp, body := get(t, p.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("/readyz with the database down = %d %q, want 503", resp.StatusCode, body)
		}
		time.Sleep(500 * time.Millisecond)

		acked := l.ackedN.Load()
		pg.start(t)
		t.Logf("PostgreSQL started again")
		l.waitAcked(t, acked, 60*time.Second)
		waitOutcome(t, l, l.outcomeCounts(), "query ok")
		if resp, body := get(t, p.URL+"/readyz"); resp.StatusCode != http.StatusOK {
			t.Errorf("/readyz after recovery = %d %q, want 200", resp.StatusCode, body)
		}
		select {
		case <-p.done:
			t.Fatalf("api exited (%v) while PostgreSQL restarted", p.waitErr)
		default:
		}
	}
	time.Sleep(time.Second)
	l.stop()
	stopped = true
	l.report(t)
	t.Logf("causes in the server log: %v", logCauses(p.stderr))
	p.stop(t)
	l.checkStored(t, dbtest.MustOpenURL(t, pg.URL(), db.Options{SkipMigrations: true}))
}

// waitOutcome waits until the load has seen outcome more often than in before.
func waitOutcome(t *testing.T, l *load, before map[string]int, outcome string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for l.outcomeCounts()[outcome] <= before[outcome] {
		if time.Now().After(deadline) {
			t.Fatalf("no %q answer within 30s; outcomes %v", outcome, l.outcomeCounts())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logCauses counts the database failures the server logged, by kind, to
// show which shapes of failure a run went through.
func logCauses(l *logLines) map[string]int {
	kinds := []string{"57P01", "57P02", "57P03", "connection refused", "unexpected EOF", "conn closed",
		"bad connection", "broken pipe", "connection reset"}
	out := map[string]int{}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		for _, k := range kinds {
			if strings.Contains(line, k) {
				out[k]++
			}
		}
	}
	return out
}
