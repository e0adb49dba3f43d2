// Package budget bounds the memory one request may make the server hold:
// rows read from the database, the answer built from them, and what decoding
// its body allocates. Each request carries one Budget in its context; code
// that holds memory on a request's behalf charges it, and the first charge
// over the limit fails with RESPONSE_TOO_LARGE (or the caller's own code),
// after which every charge fails, so the request stops early.
package budget

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// DefaultBytes is the budget of a request unless configured otherwise.
const DefaultBytes = 64 << 20

// Budget is the memory allowance of one request; safe for concurrent use.
type Budget struct {
	limit int64
	used  atomic.Int64
}

// New returns a budget of limit bytes; limit <= 0 means unbounded.
func New(limit int64) *Budget { return &Budget{limit: limit} }

// Limit is the budget's size in bytes (<= 0: unbounded).
func (b *Budget) Limit() int64 { return b.limit }

// Used is how many bytes have been charged so far.
func (b *Budget) Used() int64 { return b.used.Load() }

// Exceeded reports whether a charge has gone over the limit.
func (b *Budget) Exceeded() bool { return b.limit > 0 && b.used.Load() > b.limit }

// Charge adds n bytes and fails once the total is over the limit.
func (b *Budget) Charge(n int64) error {
	if b == nil || b.limit <= 0 {
		return nil
	}
	if b.used.Add(n) > b.limit {
		return b.err()
	}
	return nil
}

func (b *Budget) err() *apperr.Error {
	return apperr.New(apperr.ResponseTooLarge,
		"the request needs more than its memory budget of %s; ask for less: fewer or shorter text fields (prompts, outputs, payloads), smaller pages (first/last), fewer aliases, a narrower time range", Size(b.limit))
}

type key struct{}

// With returns ctx carrying b.
func With(ctx context.Context, b *Budget) context.Context { return context.WithValue(ctx, key{}, b) }

// From returns the budget of ctx's request, or nil (unbounded).
func From(ctx context.Context) *Budget {
	b, _ := ctx.Value(key{}).(*Budget)
	return b
}

// Charge charges n bytes to the budget of ctx's request, if it has one.
func Charge(ctx context.Context, n int64) error { return From(ctx).Charge(n) }

// Size renders a byte count for messages: "64 MiB", "1.5 KiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
