package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/graph-gophers/dataloader/v7"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/internal/db"
)

// Prefetching makes batching independent of scheduling. The loaders batch
// the keys that arrive within a short wait, but a wide query fans out into
// thousands of resolver goroutines, and on a busy machine their keys can
// straddle two windows. So each root resolver walks the query's selection
// breadth first and, for every edge below it, runs the edge's batch once for
// all parents of that level and primes the loaders with the results. The
// nested resolvers then find their pages in the loader caches: one statement
// per edge (per distinct arguments), whatever the data. Anything the walk
// does not cover, or any statement that fails here, is simply left to the
// loaders, which load it the ordinary way and report its errors.

// fieldPrefetch loads one field of T for all rows of a level; it reports
// whether that field and everything selected below it are now in the
// loaders' caches (complete: nothing below can wait on a batch).
type fieldPrefetch[T any] func(ctx context.Context, l *Loaders, rows []*T, f graphql.CollectedField) (complete bool)

// typePrefetch is what the walk knows about one entity type.
type typePrefetch[T any] struct {
	typeName string
	fields   map[string]fieldPrefetch[T]
}

var (
	prefetchOnce sync.Once
	prefetchers  map[reflect.Type]any // *typePrefetch[T] by T
)

// prefetchersFor returns the field table of T, nil for types without edges.
func prefetchersFor[T any]() *typePrefetch[T] {
	prefetchOnce.Do(registerPrefetchers)
	p, _ := prefetchers[reflect.TypeFor[T]()].(*typePrefetch[T])
	return p
}

func register[T any](ent entity[T], fields map[string]fieldPrefetch[T]) {
	prefetchers[reflect.TypeFor[T]()] = &typePrefetch[T]{typeName: ent.typeName, fields: fields}
}

// registerPrefetchers lists, per type, the fields that load through a loader.
// It runs once, lazily, because the tables refer to each other.
func registerPrefetchers() {
	prefetchers = map[reflect.Type]any{}
	projectID := func(p *db.Project) int64 { return p.ID }
	traceID := func(t *db.Trace) int64 { return t.ID }
	agentID := func(a *db.AgentCall) int64 { return a.ID }
	register(projectEntity, map[string]fieldPrefetch[db.Project]{
		"stats":            prefetchRanged(projectStatsLoader, (*db.DB).ProjectStatsFor),
		"metricSummaries":  prefetchRanged(metricSummariesLoader, (*db.DB).MetricSummariesFor),
		"systemInfo":       prefetchChild(systemInfoByProjectID, projectID),
		"traces":           prefetchChildren(tracesByProjectID, projectID),
		"agentCalls":       prefetchChildren(agentCallsByProjectID, projectID),
		"llmCalls":         prefetchChildren(llmCallsByProjectID, projectID),
		"toolCalls":        prefetchChildren(toolCallsByProjectID, projectID),
		"userInteractions": prefetchChildren(userInteractionsByProjectID, projectID),
		"errors":           prefetchChildren(errorsByProjectID, projectID),
	})
	register(traceEntity, map[string]fieldPrefetch[db.Trace]{
		"project":          prefetchParent(projectEntity, func(t *db.Trace) *int64 { return &t.ProjectID }),
		"systemInfo":       prefetchChild(systemInfoByTraceID, traceID),
		"stats":            prefetchKeyed(traceStatsLoader, (*db.DB).TraceStatsFor, traceID),
		"agentCalls":       prefetchChildren(agentCallsByTraceID, traceID),
		"llmCalls":         prefetchChildren(llmCallsByTraceID, traceID),
		"toolCalls":        prefetchChildren(toolCallsByTraceID, traceID),
		"userInteractions": prefetchChildren(userInteractionsByTraceID, traceID),
		"errors":           prefetchChildren(errorsByTraceID, traceID),
		"metrics":          prefetchChildren(metricsByTraceID, traceID),
	})
	register(systemInfoEntity, map[string]fieldPrefetch[db.SystemInfo]{
		"project": prefetchParent(projectEntity, func(s *db.SystemInfo) *int64 { return &s.ProjectID }),
		"trace":   prefetchParent(traceEntity, func(s *db.SystemInfo) *int64 { return &s.TraceID }),
	})
	register(traceErrorEntity, map[string]fieldPrefetch[db.TraceError]{
		"project":   prefetchParent(projectEntity, func(e *db.TraceError) *int64 { return &e.ProjectID }),
		"trace":     prefetchParent(traceEntity, func(e *db.TraceError) *int64 { return &e.TraceID }),
		"agentCall": prefetchParent(agentCallEntity, func(e *db.TraceError) *int64 { return e.AgentID }),
		"toolCall":  prefetchParent(toolCallEntity, func(e *db.TraceError) *int64 { return e.ToolCallID }),
		"llmCall":   prefetchParent(llmCallEntity, func(e *db.TraceError) *int64 { return e.LLMCallID }),
	})
	register(llmCallEntity, map[string]fieldPrefetch[db.LLMCall]{
		"project":   prefetchParent(projectEntity, func(c *db.LLMCall) *int64 { return &c.ProjectID }),
		"trace":     prefetchParent(traceEntity, func(c *db.LLMCall) *int64 { return &c.TraceID }),
		"agentCall": prefetchParent(agentCallEntity, func(c *db.LLMCall) *int64 { return c.AgentID }),
		"errors":    prefetchChildren(errorsByLLMCallID, func(c *db.LLMCall) int64 { return c.ID }),
	})
	register(toolCallEntity, map[string]fieldPrefetch[db.ToolCall]{
		"project":   prefetchParent(projectEntity, func(c *db.ToolCall) *int64 { return &c.ProjectID }),
		"trace":     prefetchParent(traceEntity, func(c *db.ToolCall) *int64 { return &c.TraceID }),
		"agentCall": prefetchParent(agentCallEntity, func(c *db.ToolCall) *int64 { return c.AgentID }),
		"errors":    prefetchChildren(errorsByToolCallID, func(c *db.ToolCall) int64 { return c.ID }),
	})
	register(agentCallEntity, map[string]fieldPrefetch[db.AgentCall]{
		"project":          prefetchParent(projectEntity, func(a *db.AgentCall) *int64 { return &a.ProjectID }),
		"trace":            prefetchParent(traceEntity, func(a *db.AgentCall) *int64 { return &a.TraceID }),
		"stats":            prefetchKeyed(agentStatsLoader, (*db.DB).AgentStatsFor, agentID),
		"llmCalls":         prefetchChildren(llmCallsByAgentCallID, agentID),
		"toolCalls":        prefetchChildren(toolCallsByAgentCallID, agentID),
		"userInteractions": prefetchChildren(userInteractionsByAgentCallID, agentID),
		"errors":           prefetchChildren(errorsByAgentCallID, agentID),
	})
	register(userInteractionEntity, map[string]fieldPrefetch[db.UserInteraction]{
		"project":   prefetchParent(projectEntity, func(u *db.UserInteraction) *int64 { return &u.ProjectID }),
		"trace":     prefetchParent(traceEntity, func(u *db.UserInteraction) *int64 { return &u.TraceID }),
		"agentCall": prefetchParent(agentCallEntity, func(u *db.UserInteraction) *int64 { return u.AgentID }),
	})
	register(metricEntity, map[string]fieldPrefetch[db.Metric]{
		"trace": prefetchParent(traceEntity, func(m *db.Metric) *int64 { return &m.TraceID }),
	})
}

// prefetchRows prefetches, for rows of T, every loader-backed field in sel.
// Fields are fetched concurrently; the call returns when all are done. It
// reports whether nothing selected can wait any more, and then, when the
// rows are the elements of list (a list field), records that for each row
// so that the list is marshalled without a goroutine per element.
func prefetchRows[T any](ctx context.Context, l *Loaders, rows []*T, sel ast.SelectionSet, list *ast.Field) bool {
	p := prefetchersFor[T]()
	if p == nil {
		return false
	}
	if len(rows) == 0 || len(sel) == 0 {
		return true
	}
	var wg sync.WaitGroup
	var incomplete atomic.Bool
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), sel, []string{p.typeName, "Node"}) {
		fetch, ok := p.fields[f.Name]
		if !ok {
			if f.IsDeferred() || mayWait(p.typeName, f.Name) {
				incomplete.Store(true)
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				// The loaders will meet the same fault and report it properly.
				if r := recover(); r != nil {
					incomplete.Store(true)
					slog.DebugContext(ctx, "prefetch panicked", "field", f.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				}
			}()
			if !fetch(ctx, l, rows, f) || f.IsDeferred() {
				incomplete.Store(true)
			}
		}()
	}
	wg.Wait()
	if incomplete.Load() {
		return false
	}
	if list != nil {
		markPrimed(l, list, rows)
	}
	return true
}

// mayWait reports whether a field without a prefetcher is resolved through
// a resolver that may wait on a loader: every resolver field but the ids.
func mayWait(typeName, field string) bool {
	switch field {
	case "id", "llmCallIds", "toolCallIds", "userInteractionIds":
		return false
	}
	return resolverFields[typeName][field]
}

// prefetchConnection prefetches below a connection field whose pages hold
// rows, and reports whether nothing below can wait (totalCount aside: its
// caller primes it).
func prefetchConnection[T any](ctx context.Context, l *Loaders, rows []*T, conn ast.SelectionSet) bool {
	opCtx := graphql.GetOperationContext(ctx)
	complete := true
	for _, f := range graphql.CollectFields(opCtx, conn, nil) {
		switch f.Name {
		case "nodes":
			complete = prefetchRows(ctx, l, rows, f.Selections, f.Field) && complete
		case "edges":
			for _, e := range graphql.CollectFields(opCtx, f.Selections, nil) {
				if e.Name == "node" {
					complete = prefetchRows(ctx, l, rows, e.Selections, nil) && complete
				}
			}
		}
	}
	return complete
}

// prefetchBelow prefetches the selection of the field being resolved, for a
// root resolver that returned rows (directly, or as a connection's page).
func prefetchBelow[T any](ctx context.Context, rows []*T, isConnection bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(rows) == 0 {
		return
	}
	l := loadersFrom(ctx)
	if isConnection {
		prefetchConnection(ctx, l, rows, fc.Field.Selections)
	} else {
		prefetchRows(ctx, l, rows, fc.Field.Selections, fc.Field.Field)
	}
}

// prefetchChildren loads one page of e per parent and the list sizes if asked.
func prefetchChildren[T, C any](e edge[C], key func(*T) int64) fieldPrefetch[T] {
	return func(ctx context.Context, l *Loaders, rows []*T, f graphql.CollectedField) bool {
		args, ok := fieldPageArgs(ctx, f, e.kind)
		if !ok {
			return false
		}
		args.Omit = omitFor(ctx, e.kind, f.Selections)
		parents := distinct(rows, func(r *T) *int64 { k := key(r); return &k })
		l.observeBatch(e.name, len(parents))
		pages, err := loadPages(ctx, l.store, e, parents, args)
		if err != nil {
			return false
		}
		pl := pageLoader(l, e)
		var all []*C
		for i, p := range parents {
			pl.Prime(ctx, pageKey{parentID: p, args: args}, pages[i])
			all = append(all, pages[i].Rows...)
		}
		markPrimed(l, f.Field, rows)
		complete := true
		if selects(ctx, f, "totalCount") {
			counts, err := countChildren[C](ctx, l.store, e, parents, args.Filter)
			if err == nil {
				cl := countLoader(l, e)
				for i, p := range parents {
					cl.Prime(ctx, countKey{parentID: p, filter: args.Filter}, counts[i])
				}
			}
			complete = err == nil
		}
		return prefetchConnection(ctx, l, all, f.Selections) && complete
	}
}

// prefetchChild loads the single child of each parent (a page of one).
func prefetchChild[T, C any](e edge[C], key func(*T) int64) fieldPrefetch[T] {
	return func(ctx context.Context, l *Loaders, rows []*T, f graphql.CollectedField) bool {
		args := pageArgs{First: 1}
		parents := distinct(rows, func(r *T) *int64 { k := key(r); return &k })
		l.observeBatch(e.name, len(parents))
		pages, err := loadPages(ctx, l.store, e, parents, args)
		if err != nil {
			return false
		}
		pl := pageLoader(l, e)
		var all []*C
		for i, p := range parents {
			pl.Prime(ctx, pageKey{parentID: p, args: args}, pages[i])
			all = append(all, pages[i].Rows...)
		}
		markPrimed(l, f.Field, rows)
		return prefetchRows(ctx, l, all, f.Selections, nil)
	}
}

// prefetchParent loads the rows that rows refer to.
func prefetchParent[T, P any](ent entity[P], ref func(*T) *int64) fieldPrefetch[T] {
	return func(ctx context.Context, l *Loaders, rows []*T, f graphql.CollectedField) bool {
		ids := distinct(rows, ref)
		if len(ids) == 0 {
			markPrimed(l, f.Field, rows)
			return true
		}
		l.observeBatch(ent.typeName+"ByID", len(ids))
		found, err := db.FindByIDs[P](ctx, l.store, ids)
		if err != nil {
			return false
		}
		bl := byIDLoader(l, ent)
		var all []*P
		for i, id := range ids {
			bl.Prime(ctx, id, found[i])
			if found[i] != nil {
				all = append(all, found[i])
			}
		}
		markPrimed(l, f.Field, rows)
		return prefetchRows(ctx, l, all, f.Selections, nil)
	}
}

// prefetchKeyed computes a per-row value (rollups) for all rows at once.
func prefetchKeyed[T, V any](loaderOf func(*Loaders) *dataloader.Loader[int64, V], batch func(*db.DB, context.Context, []int64) ([]V, error), key func(*T) int64) fieldPrefetch[T] {
	return func(ctx context.Context, l *Loaders, rows []*T, f graphql.CollectedField) bool {
		ids := distinct(rows, func(r *T) *int64 { k := key(r); return &k })
		values, err := batch(l.store, ctx, ids)
		if err != nil {
			return false
		}
		ld := loaderOf(l)
		for i, id := range ids {
			ld.Prime(ctx, id, values[i])
		}
		markPrimed(l, f.Field, rows)
		return true
	}
}

// prefetchRanged computes a per-project value over the field's time range.
func prefetchRanged[V any](loaderOf func(*Loaders) *dataloader.Loader[rangeKey, V], batch func(*db.DB, context.Context, []int64, db.TimeRange) ([]V, error)) fieldPrefetch[db.Project] {
	return func(ctx context.Context, l *Loaders, rows []*db.Project, f graphql.CollectedField) bool {
		key, err := canonicalRange(f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)["timeRange"])
		if err != nil {
			return false
		}
		r, err := parseRange(key)
		if err != nil {
			return false
		}
		ids := distinct(rows, func(p *db.Project) *int64 { return &p.ID })
		values, err := batch(l.store, ctx, ids, r)
		if err != nil {
			return false
		}
		ld := loaderOf(l)
		for i, id := range ids {
			ld.Prime(ctx, rangeKey{id, key}, values[i])
		}
		markPrimed(l, f.Field, rows)
		return true
	}
}

// distinct returns the non-nil keys of rows, each once, in first-seen order.
func distinct[T any](rows []*T, key func(*T) *int64) []int64 {
	seen := make(map[int64]bool, len(rows))
	out := make([]int64, 0, len(rows))
	for _, r := range rows {
		if k := key(r); k != nil && !seen[*k] {
			seen[*k] = true
			out = append(out, *k)
		}
	}
	return out
}

// selects reports whether f's selection includes the named field.
func selects(ctx context.Context, f graphql.CollectedField, name string) bool {
	for _, c := range graphql.CollectFields(graphql.GetOperationContext(ctx), f.Selections, nil) {
		if c.Name == name {
			return true
		}
	}
	return false
}

// fieldPageArgs reads a connection field's arguments as its resolver will
// see them; ok is false when they are invalid (the resolver reports that).
func fieldPageArgs(ctx context.Context, f graphql.CollectedField, kind *listKind) (pageArgs, bool) {
	m := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	first, ok1 := intArg(m["first"])
	last, ok2 := intArg(m["last"])
	after, ok3 := stringArg(m["after"])
	before, ok4 := stringArg(m["before"])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return pageArgs{}, false
	}
	args, err := pageOf(first, after, last, before)
	if err == nil {
		args, err = args.withListArgs(kind, m["filter"], m["orderBy"])
	}
	return args, err == nil
}

func intArg(v any) (*int, bool) {
	var n int64
	switch v := v.(type) {
	case nil:
		return nil, true
	case int:
		n = int64(v)
	case int64:
		n = v
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return nil, false
		}
		n = i
	case float64:
		if v != float64(int64(v)) {
			return nil, false
		}
		n = int64(v)
	default:
		return nil, false
	}
	i := int(n)
	return &i, true
}

func stringArg(v any) (*string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		return &v, true
	}
	return nil, false
}
