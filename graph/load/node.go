package load

import (
	"context"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// MaxNodeIDs caps the ids of one nodes(ids:) call.
const MaxNodeIDs = 100

// Node loads the object of one global id, nil when there is none.
func Node(ctx context.Context, id string) (model.Node, error) {
	nodes, err := loadNodesOf(ctx, "id", []string{id})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// Nodes loads the objects of many global ids, one statement per type.
func Nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	if len(ids) > MaxNodeIDs {
		return nil, apperr.Invalid("ids", "at most %d ids per call, got %d", MaxNodeIDs, len(ids))
	}
	return loadNodesOf(ctx, "ids", ids)
}

func loadNodesOf(ctx context.Context, field string, ids []string) ([]model.Node, error) {
	var order []string
	byType := map[string][]int64{}
	where := map[string][]int{}
	for i, id := range ids {
		typeName, rowID, err := relay.Parse(field, id)
		if err != nil {
			return nil, err
		}
		if _, ok := nodeTypes[typeName]; !ok {
			return nil, apperr.Invalid(field, "%q is not an id issued by this API", id)
		}
		if _, seen := byType[typeName]; !seen {
			order = append(order, typeName)
		}
		byType[typeName] = append(byType[typeName], rowID)
		where[typeName] = append(where[typeName], i)
	}
	out := make([]model.Node, len(ids))
	for _, typeName := range order {
		nodes, err := nodeTypes[typeName](ctx, byType[typeName])
		if err != nil {
			return nil, err
		}
		for j, n := range nodes {
			out[where[typeName][j]] = n
		}
	}
	return out, nil
}

// AnalyticsTraces serves the traces analytics rows point to (nil when a
// row is not per trace).
func AnalyticsTraces(ctx context.Context, rows []*db.AnalyticsRow) ([]*db.Trace, error) {
	var ids []int64
	for _, r := range rows {
		if id := r.TraceID(); id != nil {
			ids = append(ids, *id)
		}
	}
	found, err := Trace.byIDs(ctx, ids, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*db.Trace, len(rows))
	j := 0
	for i, r := range rows {
		if r.TraceID() != nil {
			out[i] = found[j]
			j++
		}
	}
	return out, nil
}
