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

// TestLimitInFlight runs at most n requests at once, lets the others wait
// for a turn, and turns away those whose time runs out while waiting.
func TestLimitInFlight(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	h := limitInFlight(2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	close(release)
	wg.Wait()
	if most.Load() != 2 {
		t.Errorf("%d requests ran at once, want 2", most.Load())
	}
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d got %d", i, c)
		}
	}
}
