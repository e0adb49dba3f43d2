package fair

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

func TestShare(t *testing.T) {
	for capacity, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 3, 8: 6, 16: 12} {
		if got := Share(capacity); got != want {
			t.Errorf("Share(%d) = %d, want %d", capacity, got, want)
		}
	}
}

// acquired runs Acquire in the background and reports its result.
func acquired(l *Limiter, ctx context.Context, name string) chan error {
	done := make(chan error, 1)
	go func() { done <- l.Acquire(ctx, name, 0) }()
	return done
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func (l *Limiter) waiters(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.clients[name]; c != nil {
		return len(c.waiters)
	}
	return 0
}

// TestOneClientKeepsToItsShare: a client holds 3 of 4 turns and queues the
// rest; another client gets the fourth at once.
func TestOneClientKeepsToItsShare(t *testing.T) {
	l := New(4)
	ctx := context.Background()
	for range 3 {
		if err := l.Acquire(ctx, "a", 0); err != nil {
			t.Fatal(err)
		}
	}
	fourth := acquired(l, ctx, "a")
	waitFor(t, func() bool { return l.waiters("a") == 1 })
	select {
	case err := <-fourth:
		t.Fatalf("a got a fourth turn of 4 (%v)", err)
	default:
	}
	if err := l.Acquire(ctx, "b", 0); err != nil {
		t.Fatalf("b found no turn beside a: %v", err)
	}
	// b's turn back, then one of a's: a's waiter gets a turn.
	l.Release("b")
	select {
	case <-fourth:
		t.Fatal("a's waiter got b's turn while a holds its share")
	case <-time.After(20 * time.Millisecond):
	}
	l.Release("a")
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		l.Release("a")
	}
	if l.held != 0 || len(l.clients) != 0 || len(l.waiting) != 0 {
		t.Errorf("after every release: held %d, clients %d, waiting %d", l.held, len(l.clients), len(l.waiting))
	}
}

// TestFullQueueIsRefused: beyond its share and its queue, a client is
// refused at once with TOO_MANY_REQUESTS; other clients are not.
func TestFullQueueIsRefused(t *testing.T) {
	l := New(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := l.Acquire(ctx, "a", 0); err != nil {
		t.Fatal(err)
	}
	var queued []chan error
	for range QueuePerTurn {
		queued = append(queued, acquired(l, ctx, "a"))
	}
	waitFor(t, func() bool { return l.waiters("a") == QueuePerTurn })
	err := l.Acquire(ctx, "a", 0)
	if apperr.CodeOf(err) != apperr.TooManyRequests {
		t.Fatalf("a's request beyond its queue: %v, want TOO_MANY_REQUESTS", err)
	}
	b := acquired(l, ctx, "b")
	waitFor(t, func() bool { return l.waiters("b") == 1 })
	cancel()
	for _, q := range append(queued, b) {
		if err := <-q; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled waiter: %v", err)
		}
	}
	l.Release("a")
	if l.held != 0 || len(l.clients) != 0 || len(l.waiting) != 0 {
		t.Errorf("after every release: held %d, clients %d, waiting %d", l.held, len(l.clients), len(l.waiting))
	}
}

// TestTurnsGoRoundTheClients: freed turns alternate between the waiting
// clients, whatever the length of their queues.
func TestTurnsGoRoundTheClients(t *testing.T) {
	l := New(4) // share 3
	ctx := context.Background()
	for range 3 {
		if err := l.Acquire(ctx, "x", 0); err != nil {
			t.Fatal(err)
		}
	}
	// x holds its share; the fourth turn is y's.
	if err := l.Acquire(ctx, "y", 0); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	start := func(name string) {
		wg.Go(func() {
			if err := l.Acquire(ctx, name, 0); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		})
	}
	for range 3 {
		start("a")
	}
	waitFor(t, func() bool { return l.waiters("a") == 3 })
	for range 3 {
		start("b")
	}
	waitFor(t, func() bool { return l.waiters("b") == 3 })
	// Each release by y frees one turn; a and b take them in turn.
	l.Release("y")
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	for i := 1; i < 4; i++ {
		first := order[len(order)-1]
		l.Release(first)
		waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == i+1 })
	}
	mu.Lock()
	got := append([]string(nil), order...)
	mu.Unlock()
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("turns went %v, want a and b alternating", got)
			break
		}
	}
	// Let everything finish.
	for range 6 {
		l.Release("x")
		l.Release("a")
		l.Release("b")
	}
	wg.Wait()
}

// TestWaitBound: a turn that does not come within wait is UNAVAILABLE.
func TestWaitBound(t *testing.T) {
	l := New(1)
	if err := l.Acquire(context.Background(), "a", 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := l.Acquire(context.Background(), "a", 30*time.Millisecond)
	if apperr.CodeOf(err) != apperr.Unavailable || time.Since(start) > 2*time.Second {
		t.Fatalf("after %s: %v, want UNAVAILABLE after 30ms", time.Since(start), err)
	}
	l.Release("a")
	if len(l.clients) != 0 {
		t.Errorf("%d clients left", len(l.clients))
	}
}

// TestHandler: a refused request gets 429 with Retry-After in the
// endpoint's format; clients are told apart by remote address.
func TestHandler(t *testing.T) {
	release := make(chan struct{})
	l := New(1)
	h := l.Handler(0, func(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
		w.WriteHeader(e.Code.Status())
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	req := func(remote string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RemoteAddr = remote
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	var wg sync.WaitGroup
	codes := make([]int, 1+QueuePerTurn)
	for i := range codes {
		wg.Go(func() { codes[i] = req("10.0.0.1:1234").Code })
		if i == 0 {
			waitFor(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.held == 1 })
		}
	}
	waitFor(t, func() bool { return l.waiters("ip:10.0.0.1") == QueuePerTurn })
	over := req("10.0.0.1:999")
	if over.Code != http.StatusTooManyRequests || over.Header().Get("Retry-After") != "1" {
		t.Errorf("over the queue: %d, Retry-After %q; want 429, 1", over.Code, over.Header().Get("Retry-After"))
	}
	close(release)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d within share and queue: %d", i, c)
		}
	}
}
