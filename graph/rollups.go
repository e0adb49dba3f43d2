package graph

import (
	"context"
	"encoding/json"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// byKeyLoader returns the loader called name of values computed for a slice
// of ids by one storage call.
func byKeyLoader[V any](l *Loaders, name string, batch func(*db.DB, context.Context, []int64) ([]V, error)) *dataloader.Loader[int64, V] {
	return loader(l, name, func(ctx context.Context, ids []int64) []*dataloader.Result[V] {
		values, err := batch(l.store, ctx, ids)
		return resultsOf(len(ids), values, err)
	})
}

func traceStatsLoader(l *Loaders) *dataloader.Loader[int64, db.TraceStats] {
	return byKeyLoader(l, "traceStatsByTraceID", (*db.DB).TraceStatsFor)
}

func agentStatsLoader(l *Loaders) *dataloader.Loader[int64, db.AgentStats] {
	return byKeyLoader(l, "agentStatsByAgentCallID", (*db.DB).AgentStatsFor)
}

// traceStats serves a trace's rollups.
func traceStats(ctx context.Context, traceID int64) (*db.TraceStats, error) {
	s, err := traceStatsLoader(loadersFrom(ctx)).Load(ctx, traceID)()
	return &s, err
}

// agentStats serves an agent call's rollups.
func agentStats(ctx context.Context, agentID int64) (*db.AgentStats, error) {
	s, err := agentStatsLoader(loadersFrom(ctx)).Load(ctx, agentID)()
	return &s, err
}

// rangeKey asks for a project's rollups over a time range (canonical JSON).
type rangeKey struct {
	projectID int64
	timeRange string
}

// byRangeLoader returns the loader called name of per-project values over
// time ranges: one storage call per distinct range in a batch.
func byRangeLoader[V any](l *Loaders, name string, batch func(*db.DB, context.Context, []int64, db.TimeRange) ([]V, error)) *dataloader.Loader[rangeKey, V] {
	return loader(l, name, groupedBatch(
		func(k rangeKey) (string, int64) { return k.timeRange, k.projectID },
		func(ctx context.Context, key string, ids []int64) ([]V, error) {
			r, err := parseRange(key)
			if err != nil {
				return nil, err
			}
			return batch(l.store, ctx, ids, r)
		}))
}

func projectStatsLoader(l *Loaders) *dataloader.Loader[rangeKey, db.ProjectStats] {
	return byRangeLoader(l, "projectStatsByProjectID", (*db.DB).ProjectStatsFor)
}

func metricSummariesLoader(l *Loaders) *dataloader.Loader[rangeKey, []db.MetricSummary] {
	return byRangeLoader(l, "metricSummariesByProjectID", (*db.DB).MetricSummariesFor)
}

// canonicalRange encodes a time range argument (typed or raw) for loader keys.
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

// projectStats serves a project's rollups over a time range.
func projectStats(ctx context.Context, projectID int64, r *model.TimeRangeInput) (*db.ProjectStats, error) {
	key, err := canonicalRange(r)
	if err != nil {
		return nil, err
	}
	s, err := projectStatsLoader(loadersFrom(ctx)).Load(ctx, rangeKey{projectID, key})()
	return &s, err
}

// metricSummaries serves a project's metric summaries over a time range.
func metricSummaries(ctx context.Context, projectID int64, r *model.TimeRangeInput) ([]*db.MetricSummary, error) {
	key, err := canonicalRange(r)
	if err != nil {
		return nil, err
	}
	rows, err := metricSummariesLoader(loadersFrom(ctx)).Load(ctx, rangeKey{projectID, key})()
	out := make([]*db.MetricSummary, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out, err
}

// errorGroups serves a project's error groups.
func errorGroups(ctx context.Context, projectID int64, first *int, after *string, last *int, before *string, filter *model.ErrorGroupFilter) (*model.Connection[db.ErrorGroup], error) {
	args, err := pageOf(first, after, last, before)
	if err != nil {
		return nil, err
	}
	if args.Filter, err = canonical[model.ErrorGroupFilter](filter, nil); err != nil {
		return nil, apperr.Invalid("filter", "malformed")
	}
	if _, err := args.dbPage(db.ErrorGroupOrder); err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	res, err := loader(l, "errorGroupsByProjectID", groupedBatch(
		func(k pageKey) (pageArgs, int64) { return k.args, k.parentID },
		func(ctx context.Context, a pageArgs, ids []int64) ([]db.PageResult[db.ErrorGroup], error) {
			page, err := a.dbPage(db.ErrorGroupOrder)
			if err != nil {
				return nil, err
			}
			f, err := errorGroupFilter(a.Filter)
			if err != nil {
				return nil, err
			}
			return l.store.ErrorGroupsFor(ctx, ids, f, page)
		},
	)).Load(ctx, pageKey{parentID: projectID, args: args})()
	if err != nil {
		return nil, err
	}
	// The total, asked for or not, ignores the cursors: a batch of its own.
	count := func(ctx context.Context) (int, error) {
		n, err := loader(l, "errorGroupCountByProjectID", groupedBatch(
			func(k countKey) (string, int64) { return k.filter, k.parentID },
			func(ctx context.Context, filter string, ids []int64) ([]int64, error) {
				f, err := errorGroupFilter(filter)
				if err != nil {
					return nil, err
				}
				return l.store.CountErrorGroupsFor(ctx, ids, f)
			},
		)).Load(ctx, countKey{parentID: projectID, filter: args.Filter})()
		return int(n), err
	}
	return &model.Connection[db.ErrorGroup]{
		Nodes:           res.Rows,
		HasNextPage:     res.HasNextPage,
		HasPreviousPage: res.HasPreviousPage,
		Count:           count,
		CursorOf:        func(g *db.ErrorGroup) (string, error) { return db.CursorOfGroup(g).Encode(), nil },
	}, nil
}

// errorGroupFilter decodes a canonical error group filter.
func errorGroupFilter(canonical string) (db.ErrorGroupFilter, error) {
	var f model.ErrorGroupFilter
	if canonical != "" {
		if err := json.Unmarshal([]byte(canonical), &f); err != nil {
			return db.ErrorGroupFilter{}, apperr.Invalid("filter", "malformed")
		}
	}
	if err := db.CheckSearch("filter.search", f.Search); err != nil {
		return db.ErrorGroupFilter{}, err
	}
	return db.ErrorGroupFilter{ErrorType: f.ErrorType, Time: timeRange(f.Timestamp), Search: f.Search}, nil
}

// Time bins of analytics.
var bins = map[model.TimeBin]time.Duration{
	model.TimeBinMinute: time.Minute, model.TimeBinHour: time.Hour,
	model.TimeBinDay: 24 * time.Hour, model.TimeBinWeek: 7 * 24 * time.Hour,
}

// analytics serves the analytics query.
func analytics(ctx context.Context, store *db.DB, projectID string, source model.AnalyticsSource, r model.TimeRangeInput, groupBy []model.AnalyticsDimension, bin *model.TimeBin, tzOffset *int) ([]*db.AnalyticsRow, error) {
	id, err := parseTypedID("projectId", projectID, projectEntity.typeName)
	if err != nil {
		return nil, err
	}
	if r.From == nil || r.To == nil {
		return nil, apperr.Invalid("timeRange", "needs both from and to")
	}
	q := db.AnalyticsQuery{ProjectID: id, Source: string(source), From: *r.From, To: *r.To}
	if tzOffset != nil {
		if *tzOffset < -14*60 || *tzOffset > 14*60 {
			return nil, apperr.Invalid("timeZoneOffsetMinutes", "must be between -840 and 840")
		}
		q.Offset = time.Duration(*tzOffset) * time.Minute
	}
	if bin != nil {
		q.Bin, q.WeekBins = bins[*bin], *bin == model.TimeBinWeek
	}
	for _, d := range groupBy {
		q.Dims = append(q.Dims, string(d))
	}
	rows, err := store.Analytics(ctx, q)
	out := make([]*db.AnalyticsRow, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out, err
}
