package load

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Entity is a table served as a GraphQL type implementing Node.
type Entity[T any] struct {
	TypeName string // the GraphQL type, also the prefix of global ids
	slot     func(*Loaders) **Batch[int64, *T]
}

// The entities of the graph; nodeTypes makes them reachable by global id,
// and a test checks it against every type of the schema implementing Node.
var (
	Project         = Entity[db.Project]{"Project", func(l *Loaders) **Batch[int64, *db.Project] { return &l.ProjectByID }}
	Trace           = Entity[db.Trace]{"Trace", func(l *Loaders) **Batch[int64, *db.Trace] { return &l.TraceByID }}
	SystemInfo      = Entity[db.SystemInfo]{"SystemInfo", func(l *Loaders) **Batch[int64, *db.SystemInfo] { return &l.SystemInfoByID }}
	TraceError      = Entity[db.TraceError]{"TraceError", func(l *Loaders) **Batch[int64, *db.TraceError] { return &l.TraceErrorByID }}
	LLMCall         = Entity[db.LLMCall]{"LLMCall", func(l *Loaders) **Batch[int64, *db.LLMCall] { return &l.LLMCallByID }}
	ToolCall        = Entity[db.ToolCall]{"ToolCall", func(l *Loaders) **Batch[int64, *db.ToolCall] { return &l.ToolCallByID }}
	AgentCall       = Entity[db.AgentCall]{"AgentCall", func(l *Loaders) **Batch[int64, *db.AgentCall] { return &l.AgentCallByID }}
	UserInteraction = Entity[db.UserInteraction]{"UserInteraction", func(l *Loaders) **Batch[int64, *db.UserInteraction] { return &l.UserInteractionByID }}
	Metric          = Entity[db.Metric]{"Metric", func(l *Loaders) **Batch[int64, *db.Metric] { return &l.MetricByID }}
)

// nodeTypes loads, per GraphQL type, the nodes of row ids (nil where none).
var nodeTypes = map[string]func(ctx context.Context, ids []int64) ([]model.Node, error){
	Project.TypeName:         Project.nodes,
	Trace.TypeName:           Trace.nodes,
	SystemInfo.TypeName:      SystemInfo.nodes,
	TraceError.TypeName:      TraceError.nodes,
	LLMCall.TypeName:         LLMCall.nodes,
	ToolCall.TypeName:        ToolCall.nodes,
	AgentCall.TypeName:       AgentCall.nodes,
	UserInteraction.TypeName: UserInteraction.nodes,
	Metric.TypeName:          Metric.nodes,
}

// loader returns the request's loader of ent's rows by id.
func (ent Entity[T]) loader(l *Loaders) *Batch[int64, *T] {
	return batch(l, ent.slot(l), ent.TypeName+"ByID", func(ctx context.Context, ids []int64) ([]*T, error) {
		rows, err := db.FindByIDs[T](ctx, l.store, ids)
		if err == nil {
			Add(&l.cohorts, present(rows))
		}
		return rows, err
	})
}

// byIDs returns the rows of ids, nil where there is none, loading them
// together with the rest of cohort.
func (ent Entity[T]) byIDs(ctx context.Context, cohort, ids []int64) ([]*T, error) {
	return ent.loader(loadersFrom(ctx)).LoadFor(ctx, cohort, ids)
}

// atRoot returns the rows of ids for a root field. An operation with one
// root field loads them at once; the root fields of one with several
// (aliased lookups) run concurrently and have no common parent, so their
// ids are gathered by the loader's wait (Options.LoaderWait) into one
// statement per type.
func (ent Entity[T]) atRoot(ctx context.Context, ids []int64) ([]*T, error) {
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

func (ent Entity[T]) nodes(ctx context.Context, ids []int64) ([]model.Node, error) {
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

// NodeTypes lists the GraphQL types whose rows are reachable by global id.
func NodeTypes() []string {
	out := make([]string, 0, len(nodeTypes))
	for name := range nodeTypes {
		out = append(out, name)
	}
	return out
}
