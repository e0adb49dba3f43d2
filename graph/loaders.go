package graph

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Loaders are the loaders of one request, named value-by-key and created
// on first use. They never outlive the request, so their caches cannot
// serve stale rows.
type Loaders struct {
	store    *db.DB
	wait     time.Duration
	observer Observer
	cohorts  load.Cohorts
	mu       sync.Mutex

	ProjectByID         *load.Batch[int64, *db.Project]
	TraceByID           *load.Batch[int64, *db.Trace]
	SystemInfoByID      *load.Batch[int64, *db.SystemInfo]
	TraceErrorByID      *load.Batch[int64, *db.TraceError]
	LLMCallByID         *load.Batch[int64, *db.LLMCall]
	ToolCallByID        *load.Batch[int64, *db.ToolCall]
	AgentCallByID       *load.Batch[int64, *db.AgentCall]
	UserInteractionByID *load.Batch[int64, *db.UserInteraction]
	MetricByID          *load.Batch[int64, *db.Metric]

	TracesByProjectID           pages[db.Trace]
	AgentCallsByProjectID       pages[db.AgentCall]
	LLMCallsByProjectID         pages[db.LLMCall]
	ToolCallsByProjectID        pages[db.ToolCall]
	UserInteractionsByProjectID pages[db.UserInteraction]
	ErrorsByProjectID           pages[db.TraceError]
	SystemInfoByProjectID       pages[db.SystemInfo]
	ErrorGroupsByProjectID      pages[db.ErrorGroup]

	AgentCallsByTraceID       pages[db.AgentCall]
	LLMCallsByTraceID         pages[db.LLMCall]
	ToolCallsByTraceID        pages[db.ToolCall]
	UserInteractionsByTraceID pages[db.UserInteraction]
	ErrorsByTraceID           pages[db.TraceError]
	MetricsByTraceID          pages[db.Metric]
	SystemInfoByTraceID       pages[db.SystemInfo]

	LLMCallsByAgentCallID         pages[db.LLMCall]
	ToolCallsByAgentCallID        pages[db.ToolCall]
	UserInteractionsByAgentCallID pages[db.UserInteraction]
	ErrorsByAgentCallID           pages[db.TraceError]
	ErrorsByLLMCallID             pages[db.TraceError]
	ErrorsByToolCallID            pages[db.TraceError]

	TraceStatsByTraceID        *load.Batch[int64, db.TraceStats]
	AgentStatsByAgentCallID    *load.Batch[int64, db.AgentStats]
	ProjectStatsByProjectID    *load.Batch[rangeKey, db.ProjectStats]
	MetricSummariesByProjectID *load.Batch[rangeKey, []db.MetricSummary]
}

// pages are the loaders of one edge: its pages, and its lists' sizes.
type pages[T any] struct {
	rows   *load.Batch[pageKey, db.PageResult[T]]
	counts *load.Batch[countKey, int64]
}

// pageKey asks for one page of one parent's children.
type pageKey struct {
	parentID int64
	args     pageArgs
}

// countKey asks for the size of one parent's list under a filter.
type countKey struct {
	parentID int64
	filter   string
}

// NewLoaders returns empty loaders over store; wait is how long a load of
// a key outside any cohort waits for others (see package load).
func NewLoaders(store *db.DB, wait time.Duration) *Loaders {
	return &Loaders{store: store, wait: wait}
}

// batch returns *slot, creating it with fetch on first use.
func batch[K comparable, V any](l *Loaders, slot **load.Batch[K, V], name string, fetch load.Fetch[K, V]) *load.Batch[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *slot == nil {
		var report func(string, int)
		if l.observer != nil {
			report = l.observer.Batch
		}
		*slot = load.NewBatch(name, fetch, report, l.wait)
	}
	return *slot
}

type loadersKey struct{}

// LoadersMiddleware gives every request its own loaders.
func LoadersMiddleware(store *db.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, NewLoaders(store, wait))
		ctx = context.WithValue(ctx, memoKey{}, &memo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// observeLoaders lets the request's loaders report their batches.
func observeLoaders(obs Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loadersFrom(r.Context()).observer = obs
		next.ServeHTTP(w, r)
	})
}

// loadersFrom returns the request's loaders.
func loadersFrom(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("graph: request has no loaders; wrap the handler in LoadersMiddleware")
	}
	return l
}

// memo holds what a request works out once per query document node: the
// arguments of a field (fieldargs.go), the columns a list may omit
// (listkinds.go).
type memo struct {
	mu    sync.Mutex
	omits map[omitKey]string
	args  map[*ast.Field]map[string]any
}

type memoKey struct{}

// remember returns the request's answer for key in the cache of m that
// cacheOf names, working it out with compute the first time; a failure is
// not kept. Without a memo (m nil) it only computes.
func remember[K comparable, V any](ctx context.Context, cacheOf func(*memo) *map[K]V, key K, compute func() (V, error)) (V, error) {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return compute()
	}
	cache := cacheOf(m)
	m.mu.Lock()
	v, ok := (*cache)[key]
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if *cache == nil {
		*cache = map[K]V{}
	}
	(*cache)[key] = v
	m.mu.Unlock()
	return v, nil
}
