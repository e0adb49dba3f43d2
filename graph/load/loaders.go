package load

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// Loaders are the loaders of one request, named value-by-key and created
// on first use. They never outlive the request, so their caches cannot
// serve stale rows.
type Loaders struct {
	store    *db.DB
	wait     time.Duration
	observer Reporter
	cohorts  Cohorts
	mu       sync.Mutex

	ProjectByID         *Batch[int64, *db.Project]
	TraceByID           *Batch[int64, *db.Trace]
	SystemInfoByID      *Batch[int64, *db.SystemInfo]
	TraceErrorByID      *Batch[int64, *db.TraceError]
	LLMCallByID         *Batch[int64, *db.LLMCall]
	ToolCallByID        *Batch[int64, *db.ToolCall]
	AgentCallByID       *Batch[int64, *db.AgentCall]
	UserInteractionByID *Batch[int64, *db.UserInteraction]
	MetricByID          *Batch[int64, *db.Metric]

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

	TraceStatsByTraceID        *Batch[int64, db.TraceStats]
	AgentStatsByAgentCallID    *Batch[int64, db.AgentStats]
	ProjectStatsByProjectID    *Batch[rangeKey, db.ProjectStats]
	MetricSummariesByProjectID *Batch[rangeKey, []db.MetricSummary]
}

// pages are the loaders of one edge: its pages, and its lists' sizes.
type pages[T any] struct {
	rows   *Batch[pageKey, db.PageResult[T]]
	counts *Batch[countKey, int64]
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
func batch[K comparable, V any](l *Loaders, slot **Batch[K, V], name string, fetch Fetch[K, V]) *Batch[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *slot == nil {
		var report func(string, int)
		if l.observer != nil {
			report = l.observer.Batch
		}
		*slot = NewBatch(name, fetch, report, l.wait)
	}
	return *slot
}

type loadersKey struct{}

// Middleware gives every request its own loaders.
func Middleware(store *db.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, NewLoaders(store, wait))
		ctx = context.WithValue(ctx, memoKey{}, &memo{})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Reporter learns of every batch the loaders run.
type Reporter interface {
	Batch(loader string, keys int)
}

// Observe lets the request's loaders report their batches to obs.
func Observe(obs Reporter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loadersFrom(r.Context()).observer = obs
		next.ServeHTTP(w, r)
	})
}

// loadersFrom returns the request's loaders.
func loadersFrom(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("graph: request has no loaders; wrap the handler in load.Middleware")
	}
	return l
}

// memo holds what a request works out once per query document node: the
// columns a list may omit (listkinds.go).
type memo struct {
	mu    sync.Mutex
	omits map[omitKey]string
}

type memoKey struct{}

// omit returns the request's omitted columns for key, working them out
// with compute the first time (every time without a memo).
func omit(ctx context.Context, key omitKey, compute func() string) string {
	m, _ := ctx.Value(memoKey{}).(*memo)
	if m == nil {
		return compute()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.omits[key]
	if !ok {
		if m.omits == nil {
			m.omits = map[omitKey]string{}
		}
		v = compute()
		m.omits[key] = v
	}
	return v
}
