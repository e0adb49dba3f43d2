package graph

import (
	"context"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// MaxNodeIDs caps the ids of one nodes(ids:) call.
const MaxNodeIDs = 100

// nodeThunk starts loading the object named by a global id and returns a
// function that waits for it; the loads of many ids batch per type.
func nodeThunk(ctx context.Context, field, id string) (func() (model.Node, error), error) {
	typeName, rowID, err := parseGlobalID(field, id)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	switch typeName {
	case projectEntity.typeName:
		return asNode(byIDLoader(l, projectEntity).Load(ctx, rowID)), nil
	case traceEntity.typeName:
		return asNode(byIDLoader(l, traceEntity).Load(ctx, rowID)), nil
	case systemInfoEntity.typeName:
		return asNode(byIDLoader(l, systemInfoEntity).Load(ctx, rowID)), nil
	case traceErrorEntity.typeName:
		return asNode(byIDLoader(l, traceErrorEntity).Load(ctx, rowID)), nil
	case llmCallEntity.typeName:
		return asNode(byIDLoader(l, llmCallEntity).Load(ctx, rowID)), nil
	case toolCallEntity.typeName:
		return asNode(byIDLoader(l, toolCallEntity).Load(ctx, rowID)), nil
	case agentCallEntity.typeName:
		return asNode(byIDLoader(l, agentCallEntity).Load(ctx, rowID)), nil
	case userInteractionEntity.typeName:
		return asNode(byIDLoader(l, userInteractionEntity).Load(ctx, rowID)), nil
	case metricEntity.typeName:
		return asNode(byIDLoader(l, metricEntity).Load(ctx, rowID)), nil
	}
	return nil, apperr.Invalid(field, "%q is not an id issued by this API", id)
}

// loadNode loads the object of one global id and prefetches below it.
func loadNode(ctx context.Context, id string) (model.Node, error) {
	thunk, err := nodeThunk(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	n, err := thunk()
	if err != nil || n == nil {
		return nil, err
	}
	prefetchNode(ctx, n)
	return n, nil
}

// prefetchNode prefetches below one object of any type.
func prefetchNode(ctx context.Context, n model.Node) {
	switch row := n.(type) {
	case *db.Project:
		prefetchBelow(ctx, []*db.Project{row}, false)
	case *db.Trace:
		prefetchBelow(ctx, []*db.Trace{row}, false)
	case *db.SystemInfo:
		prefetchBelow(ctx, []*db.SystemInfo{row}, false)
	case *db.TraceError:
		prefetchBelow(ctx, []*db.TraceError{row}, false)
	case *db.LLMCall:
		prefetchBelow(ctx, []*db.LLMCall{row}, false)
	case *db.ToolCall:
		prefetchBelow(ctx, []*db.ToolCall{row}, false)
	case *db.AgentCall:
		prefetchBelow(ctx, []*db.AgentCall{row}, false)
	case *db.UserInteraction:
		prefetchBelow(ctx, []*db.UserInteraction{row}, false)
	case *db.Metric:
		prefetchBelow(ctx, []*db.Metric{row}, false)
	}
}

// asNode adapts a row thunk; a missing row becomes a nil Node, not a typed nil.
func asNode[T any](thunk func() (*T, error)) func() (model.Node, error) {
	return func() (model.Node, error) {
		row, err := thunk()
		if err != nil || row == nil {
			return nil, err
		}
		return row, nil
	}
}

// loadNodes loads the objects of many global ids in one batch per type.
func loadNodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > MaxNodeIDs {
		return nil, apperr.Invalid("ids", "at most %d ids per call, got %d", MaxNodeIDs, len(ids))
	}
	thunks := make([]func() (model.Node, error), len(ids))
	for i, id := range ids {
		t, err := nodeThunk(ctx, "ids", id)
		if err != nil {
			return nil, err
		}
		thunks[i] = t
	}
	out := make([]model.Node, len(ids))
	for i, t := range thunks {
		n, err := t()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
