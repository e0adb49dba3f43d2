package load

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Fetch reads the values of keys, one per key in order, in as few
// statements as it can (normally one).
type Fetch[K comparable, V any] func(ctx context.Context, keys []K) ([]V, error)

// Batch is one loader of a request: values by key, cached for the request
// in a dataloader, fetched for a whole cohort of keys at a time.
type Batch[K comparable, V any] struct {
	name   string
	fetch  Fetch[K, V]
	report func(name string, keys int)
	mu     sync.Mutex // held while fetching, so siblings wait for one statement
	cache  *dataloader.InMemoryCache[K, V]
	loader *dataloader.Loader[K, V]
	failed map[K]error
}

// NewBatch returns an empty loader; report, if not nil, is told of every
// fetch, and wait is how long Gather collects keys.
func NewBatch[K comparable, V any](name string, fetch Fetch[K, V], report func(string, int), wait time.Duration) *Batch[K, V] {
	b := &Batch[K, V]{name: name, fetch: recovered(name, fetch), report: report, cache: dataloader.NewCache[K, V]()}
	// LoadFor primes the cache; the loader's own batch function serves Gather.
	b.loader = dataloader.NewBatchedLoader(b.batchFn, dataloader.WithCache[K, V](b.cache), dataloader.WithWait[K, V](wait))
	return b
}

// LoadFor returns the values of want, first fetching in one go every key
// of cohort and want that the request has not read yet.
func (b *Batch[K, V]) LoadFor(ctx context.Context, cohort, want []K) ([]V, error) {
	if err := b.fill(ctx, cohort, want); err != nil {
		return nil, err
	}
	out := make([]V, len(want))
	for i, k := range want {
		v, err := b.loader.Load(ctx, k)()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Gather returns the values of keys through the dataloader: it collects
// the keys that arrive within its wait of each other into one fetch. This
// is for root fields, which have no common parent to make a cohort of.
func (b *Batch[K, V]) Gather(ctx context.Context, keys []K) ([]V, error) {
	b.mu.Lock()
	for _, k := range keys {
		if err, ok := b.failed[k]; ok {
			b.mu.Unlock()
			return nil, err
		}
	}
	b.mu.Unlock()
	thunks := make([]dataloader.Thunk[V], len(keys))
	for i, k := range keys {
		thunks[i] = b.loader.Load(ctx, k)
	}
	out := make([]V, len(keys))
	for i, thunk := range thunks {
		v, err := thunk()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (b *Batch[K, V]) fill(ctx context.Context, cohort, want []K) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var missing []K
	seen := make(map[K]struct{}, len(cohort)+len(want))
	for _, keys := range [2][]K{want, cohort} {
		for _, k := range keys {
			if err, ok := b.failed[k]; ok {
				return err
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			if _, ok := b.cache.Get(ctx, k); !ok {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	values, err := b.run(ctx, missing)
	if err != nil {
		// Kept, so that the sibling lists do not run a failing statement again.
		if b.failed == nil {
			b.failed = map[K]error{}
		}
		for _, k := range missing {
			b.failed[k] = err
		}
		return err
	}
	for i, k := range missing {
		b.loader.Prime(ctx, k, values[i])
	}
	return nil
}

func (b *Batch[K, V]) run(ctx context.Context, keys []K) ([]V, error) {
	if b.report != nil {
		b.report(b.name, len(keys))
	}
	values, err := b.fetch(ctx, keys)
	if err == nil && len(values) != len(keys) {
		err = apperr.New(apperr.Internal, "internal error: %s returned %d values for %d keys", b.name, len(values), len(keys))
	}
	return values, err
}

func (b *Batch[K, V]) batchFn(ctx context.Context, keys []K) []*dataloader.Result[V] {
	values, err := b.run(ctx, keys)
	results := make([]*dataloader.Result[V], len(keys))
	for i := range results {
		if err != nil {
			results[i] = &dataloader.Result[V]{Error: err}
		} else {
			results[i] = &dataloader.Result[V]{Data: values[i]}
		}
	}
	return results
}

// recovered turns a panic in a fetch into an internal error, logged with
// its stack, so that one bad statement cannot take the server down.
func recovered[K comparable, V any](name string, fetch Fetch[K, V]) Fetch[K, V] {
	return func(ctx context.Context, keys []K) (values []V, err error) {
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(ctx, "panic in loader", "loader", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				values, err = nil, apperr.New(apperr.Internal, "internal error")
			}
		}()
		return fetch(ctx, keys)
	}
}
