package httpx

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/fair"
)

// WithTimeout bounds the time of every request, database work included
// (timeout <= 0: unbounded).
func WithTimeout(timeout time.Duration, next http.Handler) http.Handler {
	if timeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Turns returns a wrapper letting at most n requests through at once, and
// one client (fair.ClientOf) at most its share of them; the others wait for
// a turn at most wait (0: until their context ends, then 503), or are
// refused with 429 once their client's queue is full, answered by deny in
// the endpoint's format. n <= 0 means no cap.
func Turns(n int, wait time.Duration, deny func(http.ResponseWriter, *http.Request, *apperr.Error)) func(http.Handler) http.Handler {
	if n <= 0 {
		return func(h http.Handler) http.Handler { return h }
	}
	l := fair.New(n)
	return func(h http.Handler) http.Handler { return l.Handler(wait, deny, h) }
}

// Limits bound what an endpoint's requests may take.
type Limits struct {
	// MaxBodyBytes caps a request body, as sent and decompressed; larger
	// ones get 413.
	MaxBodyBytes int64
	// Timeout bounds the time a request may take, database work included.
	Timeout time.Duration
	// MemoryBytes is each request's memory budget (internal/budget). Zero
	// means budget.DefaultBytes; negative, no budget.
	MemoryBytes int64
	// MaxInFlight caps the requests served at once (see Turns). Zero means
	// InFlightPerCPU per CPU (GOMAXPROCS); negative, no cap.
	MaxInFlight int
}

// Defaults of Limits.
const (
	DefaultMaxBodyBytes = 8 << 20 // ingestion carries prompts and outputs
	DefaultTimeout      = 30 * time.Second
	// InFlightPerCPU is the default of MaxInFlight per CPU: on a few cores
	// more concurrency adds no throughput, only memory.
	InFlightPerCPU = 4
)

// WithDefaults fills in the zero fields of l.
func (l Limits) WithDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = budget.DefaultBytes
	}
	if l.MaxInFlight == 0 {
		l.MaxInFlight = InFlightPerCPU * runtime.GOMAXPROCS(0)
	}
	return l
}
