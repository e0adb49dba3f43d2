package graph

import (
	"context"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
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
