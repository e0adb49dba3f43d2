package graph

import (
	"context"
	"fmt"
	"github.com/vektah/gqlparser/v2/ast"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// edge is a parent->children relation, served as a connection.
type edge[T any] struct {
	name   string          // the page loader's name, value-by-key
	column db.ParentColumn // the children's column that holds the parent id
	kind   *listKind
}

// The edges of the graph, named value-by-key.
var (
	tracesByProjectID           = edge[db.Trace]{"tracesByProjectID", db.ByProject, traceKind}
	agentCallsByProjectID       = edge[db.AgentCall]{"agentCallsByProjectID", db.ByProject, agentCallKind}
	llmCallsByProjectID         = edge[db.LLMCall]{"llmCallsByProjectID", db.ByProject, llmCallKind}
	toolCallsByProjectID        = edge[db.ToolCall]{"toolCallsByProjectID", db.ByProject, toolCallKind}
	userInteractionsByProjectID = edge[db.UserInteraction]{"userInteractionsByProjectID", db.ByProject, interactionKind}
	errorsByProjectID           = edge[db.TraceError]{"errorsByProjectID", db.ByProject, errorKind}
	systemInfoByProjectID       = edge[db.SystemInfo]{"systemInfoByProjectID", db.ByProject, systemInfoKind}

	agentCallsByTraceID       = edge[db.AgentCall]{"agentCallsByTraceID", db.ByTrace, agentCallKind}
	llmCallsByTraceID         = edge[db.LLMCall]{"llmCallsByTraceID", db.ByTrace, llmCallKind}
	toolCallsByTraceID        = edge[db.ToolCall]{"toolCallsByTraceID", db.ByTrace, toolCallKind}
	userInteractionsByTraceID = edge[db.UserInteraction]{"userInteractionsByTraceID", db.ByTrace, interactionKind}
	errorsByTraceID           = edge[db.TraceError]{"errorsByTraceID", db.ByTrace, errorKind}
	metricsByTraceID          = edge[db.Metric]{"metricsByTraceID", db.ByTrace, metricKind}
	systemInfoByTraceID       = edge[db.SystemInfo]{"systemInfoByTraceID", db.ByTrace, systemInfoKind}

	llmCallsByAgentCallID         = edge[db.LLMCall]{"llmCallsByAgentCallID", db.ByAgentCall, llmCallKind}
	toolCallsByAgentCallID        = edge[db.ToolCall]{"toolCallsByAgentCallID", db.ByAgentCall, toolCallKind}
	userInteractionsByAgentCallID = edge[db.UserInteraction]{"userInteractionsByAgentCallID", db.ByAgentCall, interactionKind}
	errorsByAgentCallID           = edge[db.TraceError]{"errorsByAgentCallID", db.ByAgentCall, errorKind}
	errorsByLLMCallID             = edge[db.TraceError]{"errorsByLLMCallID", db.ByLLMCall, errorKind}
	errorsByToolCallID            = edge[db.TraceError]{"errorsByToolCallID", db.ByToolCall, errorKind}
)

// entity is a table served as a GraphQL type implementing Node.
type entity[T any] struct {
	typeName string // the GraphQL type, also the prefix of global ids
}

// The entities of the graph.
var (
	projectEntity         = entity[db.Project]{"Project"}
	traceEntity           = entity[db.Trace]{"Trace"}
	systemInfoEntity      = entity[db.SystemInfo]{"SystemInfo"}
	traceErrorEntity      = entity[db.TraceError]{"TraceError"}
	llmCallEntity         = entity[db.LLMCall]{"LLMCall"}
	toolCallEntity        = entity[db.ToolCall]{"ToolCall"}
	agentCallEntity       = entity[db.AgentCall]{"AgentCall"}
	userInteractionEntity = entity[db.UserInteraction]{"UserInteraction"}
	metricEntity          = entity[db.Metric]{"Metric"}
)

// pageKey asks for one page of one parent's children.
type pageKey struct {
	parentID int64
	args     pageArgs
}

// Loaders are the dataloaders of one request, created on first use. They
// never outlive the request, so their caches cannot serve stale rows.
type Loaders struct {
	store    *db.DB
	wait     time.Duration
	observer Observer
	mu       sync.Mutex
	all      map[string]any
	omits    map[omitKey]string            // omitFor's answers
	args     map[*ast.Field]map[string]any // fieldArgs' answers
	primed   primedSet                     // see inline.go
}

// NewLoaders returns empty loaders over store that batch the keys arriving
// within wait of each other.
func NewLoaders(store *db.DB, wait time.Duration) *Loaders {
	return &Loaders{store: store, wait: wait, all: map[string]any{}}
}

// remember returns the request's answer for key in the cache of l that
// cacheOf names, working it out with compute the first time; a failure is
// not kept. Without loaders (l nil) it only computes.
func remember[K comparable, V any](l *Loaders, cacheOf func(*Loaders) *map[K]V, key K, compute func() (V, error)) (V, error) {
	if l == nil {
		return compute()
	}
	cache := cacheOf(l)
	l.mu.Lock()
	v, ok := (*cache)[key]
	l.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	l.mu.Lock()
	if *cache == nil {
		*cache = map[K]V{}
	}
	(*cache)[key] = v
	l.mu.Unlock()
	return v, nil
}

type loadersKey struct{}

// LoadersMiddleware gives every request its own loaders.
func LoadersMiddleware(store *db.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, NewLoaders(store, wait))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// observeBatch reports a batch run outside the loaders (by the prefetch).
func (l *Loaders) observeBatch(name string, keys int) {
	if l.observer != nil {
		l.observer.Batch(name, keys)
	}
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

// loader returns the loader called name, creating it with batch.
func loader[K comparable, V any](l *Loaders, name string, batch dataloader.BatchFunc[K, V]) *dataloader.Loader[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if existing, ok := l.all[name]; ok {
		return existing.(*dataloader.Loader[K, V])
	}
	if obs := l.observer; obs != nil {
		inner := batch
		batch = func(ctx context.Context, keys []K) []*dataloader.Result[V] {
			obs.Batch(name, len(keys))
			return inner(ctx, keys)
		}
	}
	created := dataloader.NewBatchedLoader(recovered(name, batch), dataloader.WithWait[K, V](l.wait))
	l.all[name] = created
	return created
}

// recovered turns a panic in a batch function into an internal error for
// every key, logged with its stack, so one bad batch cannot kill the server.
func recovered[K comparable, V any](name string, batch dataloader.BatchFunc[K, V]) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) (results []*dataloader.Result[V]) {
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(ctx, "panic in batch function", "loader", name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err := apperr.New(apperr.Internal, "internal error")
				results = make([]*dataloader.Result[V], len(keys))
				for i := range results {
					results[i] = &dataloader.Result[V]{Error: err}
				}
			}
		}()
		return batch(ctx, keys)
	}
}

// pageLoader returns the loader of e's pages: one statement per distinct page
// arguments (normally one per request), whatever the number of parents.
func pageLoader[T any](l *Loaders, e edge[T]) *dataloader.Loader[pageKey, db.PageResult[T]] {
	return loader(l, e.name, groupedBatch(
		func(k pageKey) (pageArgs, int64) { return k.args, k.parentID },
		func(ctx context.Context, args pageArgs, parents []int64) ([]db.PageResult[T], error) {
			return loadPages(ctx, l.store, e, parents, args)
		}))
}

// groupedBatch builds a batch function for keys made of a group (page
// arguments, a filter, a time range) and a parent id: one call of run per
// distinct group in the batch, its results put back in key order.
func groupedBatch[K, G comparable, V any](split func(K) (G, int64), run func(context.Context, G, []int64) ([]V, error)) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		results := make([]*dataloader.Result[V], len(keys))
		groups := map[G][]int{}
		var order []G
		for i, k := range keys {
			g, _ := split(k)
			if _, seen := groups[g]; !seen {
				order = append(order, g)
			}
			groups[g] = append(groups[g], i)
		}
		for _, g := range order {
			idx := groups[g]
			parents := make([]int64, len(idx))
			for j, i := range idx {
				_, parents[j] = split(keys[i])
			}
			values, err := run(ctx, g, parents)
			for j, r := range resultsOf(len(idx), values, err) {
				results[idx[j]] = r
			}
		}
		return results
	}
}

func loadPages[T any](ctx context.Context, store *db.DB, e edge[T], parents []int64, args pageArgs) ([]db.PageResult[T], error) {
	where, order, page, err := args.spec(store, e.kind)
	if err != nil {
		return nil, err
	}
	return db.ListByParent[T](ctx, store, e.column, parents, where, order, page)
}

// countKey asks for the size of one parent's list under a filter.
type countKey struct {
	parentID int64
	filter   string
}

// countLoader returns the loader of the sizes of e's lists, one statement
// per distinct filter in a batch.
func countLoader[T any](l *Loaders, e edge[T]) *dataloader.Loader[countKey, int64] {
	return loader(l, e.name+"Count", groupedBatch(
		func(k countKey) (string, int64) { return k.filter, k.parentID },
		func(ctx context.Context, filter string, parents []int64) ([]int64, error) {
			return countChildren[T](ctx, l.store, e, parents, filter)
		}))
}

func countChildren[T any](ctx context.Context, store *db.DB, e edge[T], parents []int64, filter string) ([]int64, error) {
	where, _, err := e.kind.spec(store, filter, "")
	if err != nil {
		return nil, err
	}
	return db.CountByParent[T](ctx, store, e.column, parents, where)
}

// byIDLoader returns the loader of ent's rows by id, nil where there is none.
func byIDLoader[T any](l *Loaders, ent entity[T]) *dataloader.Loader[int64, *T] {
	return loader(l, ent.typeName+"ByID", func(ctx context.Context, ids []int64) []*dataloader.Result[*T] {
		rows, err := db.FindByIDs[T](ctx, l.store, ids)
		return resultsOf(len(ids), rows, err)
	})
}

// resultsOf wraps n values, or n copies of err, as loader results.
func resultsOf[V any](n int, values []V, err error) []*dataloader.Result[V] {
	results := make([]*dataloader.Result[V], n)
	for i := range results {
		if err != nil {
			results[i] = &dataloader.Result[V]{Error: err}
		} else {
			results[i] = &dataloader.Result[V]{Data: values[i]}
		}
	}
	return results
}
