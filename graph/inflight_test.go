package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitInFlight runs at most n requests at once and one client's at
// most 3/4 of n, lets the others wait for a turn, turns away those whose
// time runs out while waiting, and always has a turn for another client.
func TestLimitInFlight(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	h := limitInFlight(4, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.RemoteAddr == "192.0.2.2:1" {
			return // the other client's quick request
		}
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		running.Add(-1)
	}))
	var wg sync.WaitGroup
	codes := make([]int, 5)
	for i := range codes {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
			codes[i] = rec.Code
		})
	}
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	late := httptest.NewRecorder()
	h.ServeHTTP(late, httptest.NewRequest(http.MethodPost, "/", nil).WithContext(ctx))
	if late.Code != http.StatusServiceUnavailable {
		t.Errorf("a request that found no turn in time got %d, want 503", late.Code)
	}
	other := httptest.NewRequest(http.MethodPost, "/", nil)
	other.RemoteAddr = "192.0.2.2:1"
	ctx, cancel = context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, other.WithContext(ctx))
	if rec.Code != http.StatusOK {
		t.Errorf("another client's request beside the first one's share got %d, want 200", rec.Code)
	}
	close(release)
	wg.Wait()
	if most.Load() != 3 {
		t.Errorf("%d requests of one client ran at once, want 3 of 4", most.Load())
	}
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d got %d", i, c)
		}
	}
}

// TestOperationOutcomes: the operations metric's outcome is a known code
// or "other", whatever an error carries.
func TestOperationOutcomes(t *testing.T) {
	for code, want := range map[any]string{
		"INVALID_ARGUMENT": "INVALID_ARGUMENT", "QUERY_TOO_DEEP": "QUERY_TOO_DEEP",
		"GRAPHQL_PARSE_FAILED": "GRAPHQL_PARSE_FAILED", "ok": "ok",
		"SOMETHING_A_CLIENT_SENT": "other", nil: "other", 42: "other",
	} {
		if got := operationOutcome(code); got != want {
			t.Errorf("operationOutcome(%v) = %q, want %q", code, got, want)
		}
	}
}
