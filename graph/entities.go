package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/db"
)

// entity is a table served as a GraphQL type implementing Node.
type entity[T any] struct {
	typeName string // the GraphQL type, also the prefix of global ids
	slot     func(*Loaders) **load.Batch[int64, *T]
}

// The entities of the graph; nodeTypes makes them reachable by global id,
// and a test checks it against every type of the schema implementing Node.
var (
	projectEntity         = entity[db.Project]{"Project", func(l *Loaders) **load.Batch[int64, *db.Project] { return &l.ProjectByID }}
	traceEntity           = entity[db.Trace]{"Trace", func(l *Loaders) **load.Batch[int64, *db.Trace] { return &l.TraceByID }}
	systemInfoEntity      = entity[db.SystemInfo]{"SystemInfo", func(l *Loaders) **load.Batch[int64, *db.SystemInfo] { return &l.SystemInfoByID }}
	traceErrorEntity      = entity[db.TraceError]{"TraceError", func(l *Loaders) **load.Batch[int64, *db.TraceError] { return &l.TraceErrorByID }}
	llmCallEntity         = entity[db.LLMCall]{"LLMCall", func(l *Loaders) **load.Batch[int64, *db.LLMCall] { return &l.LLMCallByID }}
	toolCallEntity        = entity[db.ToolCall]{"ToolCall", func(l *Loaders) **load.Batch[int64, *db.ToolCall] { return &l.ToolCallByID }}
	agentCallEntity       = entity[db.AgentCall]{"AgentCall", func(l *Loaders) **load.Batch[int64, *db.AgentCall] { return &l.AgentCallByID }}
	userInteractionEntity = entity[db.UserInteraction]{"UserInteraction", func(l *Loaders) **load.Batch[int64, *db.UserInteraction] { return &l.UserInteractionByID }}
	metricEntity          = entity[db.Metric]{"Metric", func(l *Loaders) **load.Batch[int64, *db.Metric] { return &l.MetricByID }}
)

// nodeTypes loads, per GraphQL type, the nodes of row ids (nil where none).
var nodeTypes = map[string]func(ctx context.Context, ids []int64) ([]model.Node, error){
	projectEntity.typeName:         projectEntity.nodes,
	traceEntity.typeName:           traceEntity.nodes,
	systemInfoEntity.typeName:      systemInfoEntity.nodes,
	traceErrorEntity.typeName:      traceErrorEntity.nodes,
	llmCallEntity.typeName:         llmCallEntity.nodes,
	toolCallEntity.typeName:        toolCallEntity.nodes,
	agentCallEntity.typeName:       agentCallEntity.nodes,
	userInteractionEntity.typeName: userInteractionEntity.nodes,
	metricEntity.typeName:          metricEntity.nodes,
}

// loader returns the request's loader of ent's rows by id.
func (ent entity[T]) loader(l *Loaders) *load.Batch[int64, *T] {
	return batch(l, ent.slot(l), ent.typeName+"ByID", func(ctx context.Context, ids []int64) ([]*T, error) {
		rows, err := db.FindByIDs[T](ctx, l.store, ids)
		if err == nil {
			load.Add(&l.cohorts, present(rows))
		}
		return rows, err
	})
}

// byIDs returns the rows of ids, nil where there is none, loading them
// together with the rest of cohort.
func (ent entity[T]) byIDs(ctx context.Context, cohort, ids []int64) ([]*T, error) {
	return ent.loader(loadersFrom(ctx)).LoadFor(ctx, cohort, ids)
}

// atRoot returns the rows of ids for a root field. An operation with one
// root field loads them at once; the root fields of one with several
// (aliased lookups) run concurrently and have no common parent, so their
// ids are gathered by the loader's wait (Options.LoaderWait) into one
// statement per type.
func (ent entity[T]) atRoot(ctx context.Context, ids []int64) ([]*T, error) {
	if soleRootField(ctx) {
		return ent.byIDs(ctx, ids, ids)
	}
	return ent.loader(loadersFrom(ctx)).Gather(ctx, ids)
}

// soleRootField reports whether the operation selects one root field.
func soleRootField(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	return oc != nil && oc.Operation != nil && len(graphql.CollectFields(oc, oc.Operation.SelectionSet, nil)) == 1
}

func (ent entity[T]) nodes(ctx context.Context, ids []int64) ([]model.Node, error) {
	rows, err := ent.atRoot(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.Node, len(rows))
	for i, r := range rows {
		if r != nil { // a missing row is a nil Node, not a typed nil
			out[i] = any(r).(model.Node)
		}
	}
	return out, nil
}

// present returns the rows that are not nil.
func present[T any](rows []*T) []*T {
	out := make([]*T, 0, len(rows))
	for _, r := range rows {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}
