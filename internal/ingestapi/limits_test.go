package ingestapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
)

// TestIngestEndpointWithTheDatabaseDown wants 503 with Retry-After and a
// message that names no SQL, as the other endpoints answer.
func TestWithTheDatabaseDown(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		srv := httptest.NewServer(ingestapi.NewHandler(ingest.New(store, ingest.Options{}), httpx.Limits{}))
		t.Cleanup(srv.Close)
		_ = store.Close()
		r := postIngest(t, srv.URL, ingestBody(runningTrace(true)))
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || r.code() != "UNAVAILABLE" {
			t.Fatalf("status %d, Retry-After %q: %s", r.status, r.header.Get("Retry-After"), r.body)
		}
		for _, bad := range []string{"sql", "closed", "traces", "llm_call"} {
			if strings.Contains(strings.ToLower(r.Errors[0].Message), bad) {
				t.Errorf("message %q reveals %q", r.Errors[0].Message, bad)
			}
		}
	})
}

// TestIngestEndpointInFlightCap holds the only turn with a request whose
// body is still arriving: another request waits for the turn until its
// time is up, then gets 503.
func TestInFlightCap(t *testing.T) {
	store := dbtest.MustOpen(t, dbtest.Backends()[0])
	svc := ingest.New(store, ingest.Options{})
	srv := httptest.NewServer(ingestapi.NewHandler(svc, httpx.Limits{MaxInFlight: 1, Timeout: time.Second}))
	t.Cleanup(srv.Close)

	slowBody, slowWriter := io.Pipe()
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, slowBody)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	if _, err := io.WriteString(slowWriter, `{"traces": [`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the slow request takes the turn
	start := time.Now()
	r := postIngest(t, srv.URL, ingestBody(runningTrace(true)))
	if r.status != http.StatusServiceUnavailable || r.code() != "UNAVAILABLE" {
		t.Errorf("a request with no turn: %d %s, want 503", r.status, r.body)
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("turned away after %s, before its time was up", waited)
	}
	_, _ = io.WriteString(slowWriter, `]}`)
	_ = slowWriter.Close()
	<-slowDone
	if r := postIngest(t, srv.URL, ingestBody(runningTrace(true))); r.status != 200 {
		t.Errorf("once the turn is free: %d %s", r.status, r.body)
	}
}
