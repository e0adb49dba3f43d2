package load

import (
	"context"
	"encoding/json"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Rollups (the stats of traces, agent calls and projects) are computed for
// a whole cohort of rows in one statement, like the edges.

// keyed loads one value per row id, with the rest of the rows' cohort.
func keyed[P, V any](ctx context.Context, slot **Batch[int64, V], name string, fetch func(*db.DB, context.Context, []int64) ([]V, error), rows []*P, id func(*P) int64) ([]*V, error) {
	l := loadersFrom(ctx)
	b := batch(l, slot, name, func(ctx context.Context, ids []int64) ([]V, error) { return fetch(l.store, ctx, ids) })
	values, err := b.LoadFor(ctx, idsOf(Of(&l.cohorts, rows), id), idsOf(rows, id))
	if err != nil {
		return nil, err
	}
	out := make([]*V, len(values))
	for i := range values {
		out[i] = &values[i]
	}
	return out, nil
}

func idsOf[P any](rows []*P, id func(*P) int64) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func TraceStats(ctx context.Context, traces []*db.Trace) ([]*db.TraceStats, error) {
	return keyed(ctx, &loadersFrom(ctx).TraceStatsByTraceID, "traceStatsByTraceID", (*db.DB).TraceStatsFor, traces, traceID)
}

func AgentStats(ctx context.Context, agents []*db.AgentCall) ([]*db.AgentStats, error) {
	return keyed(ctx, &loadersFrom(ctx).AgentStatsByAgentCallID, "agentStatsByAgentCallID", (*db.DB).AgentStatsFor, agents, agentID)
}

// rangeKey asks for a project's value over a time range (canonical JSON).
type rangeKey struct {
	projectID int64
	timeRange string
}

// ranged loads one value per project over one time range, with the rest
// of the projects' cohort.
func ranged[V any](ctx context.Context, slot **Batch[rangeKey, V], name string, fetch func(*db.DB, context.Context, []int64, db.TimeRange) ([]V, error), projects []*db.Project, r *model.TimeRangeInput) ([]V, error) {
	key, err := canonicalRange(r)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	b := batch(l, slot, name, groupedBatch(
		func(k rangeKey) (string, int64) { return k.timeRange, k.projectID },
		func(ctx context.Context, key string, ids []int64) ([]V, error) {
			r, err := parseRange(key)
			if err != nil {
				return nil, err
			}
			return fetch(l.store, ctx, ids, r)
		}))
	keys := func(rows []*db.Project) []rangeKey {
		out := make([]rangeKey, len(rows))
		for i, p := range rows {
			out[i] = rangeKey{p.ID, key}
		}
		return out
	}
	return b.LoadFor(ctx, keys(Of(&l.cohorts, projects)), keys(projects))
}

func ProjectStats(ctx context.Context, projects []*db.Project, r *model.TimeRangeInput) ([]*db.ProjectStats, error) {
	values, err := ranged(ctx, &loadersFrom(ctx).ProjectStatsByProjectID, "projectStatsByProjectID", (*db.DB).ProjectStatsFor, projects, r)
	if err != nil {
		return nil, err
	}
	out := make([]*db.ProjectStats, len(values))
	for i := range values {
		out[i] = &values[i]
	}
	return out, nil
}

func MetricSummaries(ctx context.Context, projects []*db.Project, r *model.TimeRangeInput) ([][]*db.MetricSummary, error) {
	values, err := ranged(ctx, &loadersFrom(ctx).MetricSummariesByProjectID, "metricSummariesByProjectID", (*db.DB).MetricSummariesFor, projects, r)
	if err != nil {
		return nil, err
	}
	out := make([][]*db.MetricSummary, len(values))
	for i, rows := range values {
		out[i] = make([]*db.MetricSummary, len(rows))
		for j := range rows {
			out[i][j] = &rows[j]
		}
	}
	return out, nil
}

// canonicalRange is the loader key of a time range argument.
func canonicalRange(v any) (string, error) {
	key, err := canonical[model.TimeRangeInput](v, nil)
	if err != nil {
		return "", apperr.Invalid("timeRange", "malformed")
	}
	return key, nil
}

func parseRange(key string) (db.TimeRange, error) {
	if key == "" {
		return db.TimeRange{}, nil
	}
	var r model.TimeRangeInput
	if err := json.Unmarshal([]byte(key), &r); err != nil {
		return db.TimeRange{}, apperr.Invalid("timeRange", "malformed")
	}
	return timeRange(&r), nil
}
