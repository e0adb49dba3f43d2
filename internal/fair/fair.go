// Package fair shares a fixed number of turns (requests executing at once,
// database connections) between clients, so that no client can hold them
// all: one client holds at most three quarters of a limiter's turns, waits
// for a turn in its own queue beyond that, and is refused once that queue is
// full. Turns that free up go round the waiting clients in turn.
package fair

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// QueuePerTurn is how many requests one client may have waiting per turn of
// a limiter: enough for 32 concurrent clients behind one key or address on
// a limiter of 4 turns.
const QueuePerTurn = 8

// Share is the number of turns one client may hold of capacity: three
// quarters, at least one.
func Share(capacity int) int { return max(1, capacity*3/4) }

// Limiter hands out turns; safe for concurrent use.
type Limiter struct {
	capacity, share int
	queue           int // waiting requests per client; < 0 means no bound

	mu      sync.Mutex
	held    int
	clients map[string]*client
	waiting []*client // clients with waiters, in the order they are served
	next    int       // index in waiting of the client served next
}

type client struct {
	name    string
	held    int
	waiters []*waiter
}

type waiter struct {
	ready   chan struct{}
	granted bool
}

// New returns a limiter of capacity turns whose clients may each queue
// QueuePerTurn × capacity requests. It panics if capacity is under 1 (see
// Config.Validate).
func New(capacity int) *Limiter {
	return DefaultConfig(capacity).New()
}

// NewUnqueued is New without a bound on the waiting requests, for turns
// whose callers are bounded already (statements of requests that hold a
// turn of their endpoint).
func NewUnqueued(capacity int) *Limiter {
	return Config{Turns: capacity, QueuePerTurn: -1}.New()
}

// Capacity is the number of turns.
func (l *Limiter) Capacity() int { return l.capacity }

// errQueueFull is the refusal of a client whose queue is full.
func errQueueFull() *apperr.Error {
	return apperr.New(apperr.TooManyRequests,
		"too many requests of this client at once: it holds its share of the server and its queue is full; retry after the ones in flight finish")
}

// Acquire waits for a turn of client, until ctx ends or, when wait > 0,
// wait has passed. It fails with TOO_MANY_REQUESTS when the client's queue
// is full, with ctx's error when ctx ends, and with UNAVAILABLE when wait
// passes. Every nil return is followed by one Release(client).
func (l *Limiter) Acquire(ctx context.Context, name string, wait time.Duration) error {
	l.mu.Lock()
	c := l.clients[name]
	if c == nil {
		c = &client{name: name}
		l.clients[name] = c
	}
	// Freed turns go to waiters at once, so a client below its share with
	// a turn free has nobody ahead of it.
	if l.held < l.capacity && c.held < l.share {
		l.held++
		c.held++
		l.mu.Unlock()
		return nil
	}
	if l.queue >= 0 && len(c.waiters) >= l.queue {
		l.forget(c)
		l.mu.Unlock()
		return errQueueFull()
	}
	w := &waiter{ready: make(chan struct{})}
	if len(c.waiters) == 0 {
		l.waiting = append(l.waiting, c)
	}
	c.waiters = append(c.waiters, w)
	l.mu.Unlock()

	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timeout:
		err = apperr.New(apperr.Unavailable, "the server is busy; try again")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.granted {
		// The turn came as the wait ended: hand it on.
		l.release(c)
		return err
	}
	for i, o := range c.waiters {
		if o == w {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			break
		}
	}
	if len(c.waiters) == 0 {
		l.unqueue(c)
	}
	l.forget(c)
	return err
}

// Release gives back a turn of client.
func (l *Limiter) Release(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.clients[name]; c != nil && c.held > 0 {
		l.release(c)
	}
}

func (l *Limiter) release(c *client) {
	c.held--
	l.held--
	l.dispatch()
	l.forget(c)
}

// dispatch gives free turns to the waiting clients below their share,
// one turn per client in turn.
func (l *Limiter) dispatch() {
	for l.held < l.capacity && len(l.waiting) > 0 {
		served := false
		for range len(l.waiting) {
			if l.next >= len(l.waiting) {
				l.next = 0
			}
			c := l.waiting[l.next]
			if c.held >= l.share {
				l.next++
				continue
			}
			w := c.waiters[0]
			c.waiters = c.waiters[1:]
			w.granted = true
			close(w.ready)
			c.held++
			l.held++
			if len(c.waiters) == 0 {
				l.unqueue(c)
			} else {
				l.next++
			}
			served = true
			break
		}
		if !served {
			return
		}
	}
}

// unqueue removes c, which has no waiters left, from the waiting clients.
func (l *Limiter) unqueue(c *client) {
	for i, o := range l.waiting {
		if o == c {
			l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
			if i < l.next {
				l.next--
			}
			return
		}
	}
}

// forget drops the record of a client that holds and awaits nothing, so
// the clients map does not grow with every client ever seen.
func (l *Limiter) forget(c *client) {
	if c.held == 0 && len(c.waiters) == 0 {
		delete(l.clients, c.name)
	}
}

type clientKey struct{}

// WithClient returns ctx carrying the name of the request's client.
func WithClient(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, clientKey{}, name)
}

// Client returns the client name ctx carries, or "".
func Client(ctx context.Context) string {
	name, _ := ctx.Value(clientKey{}).(string)
	return name
}

// RemoteClient names the client of r by its remote address, without the port.
func RemoteClient(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}

// ClientOf names the client of r: the name its context carries (see
// WithClient), else its remote address.
func ClientOf(r *http.Request) string {
	if name := Client(r.Context()); name != "" {
		return name
	}
	return RemoteClient(r)
}

// Handler lets next serve a request once its client has a turn of l, waiting
// at most wait (0: as long as the request's context lasts). Refused requests
// are answered by deny: TOO_MANY_REQUESTS when the client's queue is full,
// UNAVAILABLE when no turn came in time, both with Retry-After and the
// connection closed after the answer.
func (l *Limiter) Handler(wait time.Duration, deny func(http.ResponseWriter, *http.Request, *apperr.Error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := ClientOf(r)
		if err := l.Acquire(r.Context(), name, wait); err != nil {
			refusal, ok := err.(*apperr.Error)
			if !ok {
				refusal = apperr.New(apperr.Unavailable, "the server is busy; try again")
			}
			w.Header().Set("Retry-After", "1")
			// Unread, the body would be read before the answer goes out;
			// a client told to come back later reconnects.
			w.Header().Set("Connection", "close")
			deny(w, r, refusal)
			return
		}
		defer l.Release(name)
		next.ServeHTTP(w, r)
	})
}
