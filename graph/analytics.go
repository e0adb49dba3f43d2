package graph

import (
	"context"
	"time"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Time bins of analytics.
var bins = map[model.TimeBin]time.Duration{
	model.TimeBinMinute: time.Minute, model.TimeBinHour: time.Hour,
	model.TimeBinDay: 24 * time.Hour, model.TimeBinWeek: 7 * 24 * time.Hour,
}

// analytics serves the analytics query.
func analytics(ctx context.Context, store *db.DB, projectID string, source model.AnalyticsSource, r model.TimeRangeInput, groupBy []model.AnalyticsDimension, bin *model.TimeBin, tzOffset *int) ([]*db.AnalyticsRow, error) {
	id, err := relay.ParseTyped("projectId", projectID, load.Project.TypeName)
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
