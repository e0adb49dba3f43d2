package db

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// batchRows is the number of rows of one multi-row INSERT.
const batchRows = 500

// upsertTraceRows inserts or merges the trace rows of a round: keyed ones
// in multi-row statements, in (project, key) order so that concurrent
// batches lock the rows they share in the same order; unkeyed ones, which
// are always new, one by one.
func (d *DB) upsertTraceRows(ctx context.Context, ts []*roundTrace) error {
	var keyed []*roundTrace
	for _, t := range ts {
		if t.w.Trace.ExternalID == nil {
			if err := d.insertTraceRow(ctx, t); err != nil {
				return &BatchError{Index: t.index, Err: fmt.Errorf("insert trace: %w", err)}
			}
			continue
		}
		keyed = append(keyed, t)
	}
	slices.SortFunc(keyed, func(a, b *roundTrace) int {
		if a.projectID != b.projectID {
			return cmp.Compare(a.projectID, b.projectID)
		}
		return strings.Compare(*a.w.Trace.ExternalID, *b.w.Trace.ExternalID)
	})
	type traceKey struct {
		project int64
		ext     string
	}
	for len(keyed) > 0 {
		chunk := keyed[:min(len(keyed), batchRows)]
		keyed = keyed[len(chunk):]
		byKey := make(map[traceKey]*roundTrace, len(chunk))
		var sb strings.Builder
		args := make([]any, 0, 5*len(chunk))
		for i, t := range chunk {
			tr := &t.w.Trace
			utc(&tr.StartTime, tr.EndTime)
			tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			cost, tokens := d.newTraceTotals(t.w)
			args = append(args, tr.ProjectID, *tr.ExternalID, tr.StartTime, tr.EndTime, tr.Duration, cost, tokens)
			byKey[traceKey{tr.ProjectID, *tr.ExternalID}] = t
		}
		var rows []struct {
			ID          int64
			ProjectID   int64
			ExternalID  string
			StartTime   scanTime
			EndTime     scanTime
			Duration    *float64
			TotalCost   float64
			TotalTokens int64
			Inserted    bool
		}
		err := d.conn(ctx).Raw(`INSERT INTO traces (project_id, external_id, start_time, end_time, duration, total_cost, total_tokens)
			VALUES `+sb.String()+`
			ON CONFLICT (project_id, external_id) DO UPDATE SET
				start_time = CASE WHEN excluded.start_time < traces.start_time THEN excluded.start_time ELSE traces.start_time END,
				end_time = CASE WHEN traces.end_time IS NULL OR excluded.end_time > traces.end_time THEN excluded.end_time ELSE traces.end_time END
			RETURNING id, project_id, external_id, start_time, end_time, duration, total_cost, total_tokens, `+d.insertedColumn(), args...).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("upsert traces: %w", err)
		}
		if len(rows) != len(chunk) {
			return fmt.Errorf("trace upsert returned %d rows for %d traces", len(rows), len(chunk))
		}
		for _, row := range rows {
			t := byKey[traceKey{row.ProjectID, row.ExternalID}]
			if t == nil {
				return fmt.Errorf("trace upsert returned an unknown trace %q", row.ExternalID)
			}
			tr := &t.w.Trace
			tr.ID, tr.StartTime, tr.EndTime = row.ID, row.StartTime.Time, row.EndTime.ptr()
			tr.TotalCost, tr.TotalTokens = row.TotalCost, row.TotalTokens
			t.inserted = row.Inserted
			tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
			if !sameSeconds(tr.Duration, row.Duration) {
				// A merge moved the trace's start or end.
				if err := d.conn(ctx).Model(&Trace{}).Where("id = ?", tr.ID).Update("duration", tr.Duration).Error; err != nil {
					return fmt.Errorf("trace duration: %w", err)
				}
			}
		}
	}
	return nil
}

// insertTraceRow inserts an unkeyed trace row, which is always new.
func (d *DB) insertTraceRow(ctx context.Context, t *roundTrace) error {
	tr := &t.w.Trace
	utc(&tr.StartTime, tr.EndTime)
	tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
	tr.TotalCost, tr.TotalTokens = d.newTraceTotals(t.w)
	var row struct{ ID int64 }
	err := d.conn(ctx).Raw(`INSERT INTO traces (project_id, external_id, start_time, end_time, duration, total_cost, total_tokens)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		tr.ProjectID, tr.ExternalID, tr.StartTime, tr.EndTime, tr.Duration, tr.TotalCost, tr.TotalTokens).Scan(&row).Error
	if err != nil {
		return err
	}
	if row.ID == 0 {
		return fmt.Errorf("trace insert returned no row")
	}
	tr.ID = row.ID
	t.inserted = d.dialect.tellsInserted()
	return nil
}
