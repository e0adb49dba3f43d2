package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestSIGTERMDuringIngestion stops the binary while concurrent OTLP and
// GraphQL ingestion runs. Given time, in-flight writes finish and are
// acknowledged (one is held in the handler to be sure); cut off by a short
// shutdown timeout, they are not acknowledged. Either way every acknowledged
// trace is stored complete and no trace is stored in part.
func TestSIGTERMDuringIngestion(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the binary under load")
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		t.Run("graceful", func(t *testing.T) {
			dbURL := b.NewURL(t)
			p := startAPI(t, dbURL)
			l := newLoad(p.URL, loadShape{llmInAgent: 20, tracesPerRequest: 3})
			l.connErrorsOK = true
			l.start(3, 3, 0, 500)
			l.waitAcked(t, 0, 30*time.Second)
			time.Sleep(300 * time.Millisecond)

			// A write held inside the handler across the signal.
			ids := l.nextIDs("held")
			payload, _ := json.Marshal(map[string]any{"query": ingestMutation, "variables": map[string]any{"input": graphqlTraces(ids, l.shape)}})
			conn, br := startStuckRequest(t, p, string(payload))

			p.signal(t, syscall.SIGTERM)
			p.waitLog(t, "shutting down; finishing in-flight requests", stopTimeout)
			if _, err := io.WriteString(conn, string(payload)); err != nil {
				t.Fatalf("send the held body: %v", err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("held write: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || strings.Contains(string(body), `"errors"`) || !strings.Contains(string(body), ids[len(ids)-1]) {
				t.Fatalf("held write after SIGTERM: %d %s; want it finished and acknowledged", resp.StatusCode, body)
			}
			l.ack(ids)

			if code := p.wait(t, 30*time.Second); code != 0 {
				t.Errorf("exit code %d after a graceful shutdown", code)
			}
			if _, ok := p.stderr.find("stopped"); !ok {
				t.Errorf("no \"stopped\" log line")
			}
			l.stop()
			l.report(t)
			l.checkStored(t, dbtest.MustOpenURL(t, dbURL, db.Options{SkipMigrations: true}))
		})

		t.Run("cut off", func(t *testing.T) {
			dbURL := b.NewURL(t)
			p := startAPI(t, dbURL, "--shutdown-timeout", "20ms")
			l := newLoad(p.URL, loadShape{llmInAgent: 100, tracesPerRequest: 3})
			l.connErrorsOK = true
			l.start(3, 3, 0, 500)
			l.waitAcked(t, 0, 30*time.Second)
			time.Sleep(300 * time.Millisecond)

			p.signal(t, syscall.SIGTERM)
			code := p.wait(t, 30*time.Second)
			l.stop()
			t.Logf("exit code %d; cut off: %v", code, strings.Contains(p.stderr.String(), "api: shutdown:"))
			l.report(t)
			l.checkStored(t, dbtest.MustOpenURL(t, dbURL, db.Options{SkipMigrations: true}))
		})
	})
}
