package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The totals a batch keeps true: traces' cost and tokens, projects' spans.

// llmTotalsDeltas computes, for every trace of the round, how much its
// cost and token totals change when its calls replace the stored calls
// with the same external ids (which belong to the same trace, as checked).
func (d *DB) llmTotalsDeltas(ctx context.Context, ts []*roundTrace) error {
	byTrace := make(map[int64]*roundTrace, len(ts))
	keys := map[int64][]string{}
	for _, t := range ts {
		t.costDelta, t.tokenDelta = 0, 0
		for _, c := range t.llm {
			t.costDelta += c.Cost.Total
			t.tokenDelta = addDelta(t.tokenDelta, c.Tokens.Total)
			// A new trace replaces no stored call.
			if c.ExternalID != nil && !t.inserted {
				keys[t.projectID] = append(keys[t.projectID], *c.ExternalID)
			}
		}
		byTrace[t.w.Trace.ID] = t
	}
	if len(keys) == 0 {
		return nil
	}
	projects := make([]int64, 0, len(keys))
	for p := range keys {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	var parts []string
	var args []any
	for _, p := range projects {
		in, arg := d.inStrings("external_id", keys[p])
		parts = append(parts, `SELECT trace_id AS trace, COALESCE(SUM(total_cost), 0) AS cost, COALESCE(`+d.sumInt("total_tokens")+`, 0) AS tokens
			FROM llm_call WHERE project_id = ? AND `+in+` GROUP BY trace_id`)
		args = append(args, p, arg)
	}
	var old []struct {
		Trace  int64
		Cost   float64
		Tokens int64
	}
	if err := d.conn(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&old).Error; err != nil {
		return fmt.Errorf("read replaced llm calls: %w", err)
	}
	for _, o := range old {
		if t := byTrace[o.Trace]; t != nil {
			t.costDelta -= o.Cost
			t.tokenDelta = addDelta(t.tokenDelta, -o.Tokens)
		}
	}
	return nil
}

// addTraceTotals adds the traces' deltas to their cost and token totals in
// one statement.
func (d *DB) addTraceTotals(ctx context.Context, ts []*roundTrace) error {
	var values []string
	var args []any
	row := "(" + d.dialect.param("bigint") + ", " + d.dialect.param("double precision") + ", " + d.dialect.param("bigint") + ")"
	for _, t := range ts {
		if t.inserted || (t.costDelta == 0 && t.tokenDelta == 0) {
			continue
		}
		values = append(values, row)
		args = append(args, t.w.Trace.ID, t.costDelta, t.tokenDelta)
		t.w.Trace.TotalCost += t.costDelta
		t.w.Trace.TotalTokens = addTotalGo(t.w.Trace.TotalTokens, t.tokenDelta)
	}
	if len(values) == 0 {
		return nil
	}
	err := d.conn(ctx).Exec(`WITH v(id, cost, tokens) AS (VALUES `+strings.Join(values, ", ")+`)
		UPDATE traces SET total_cost = traces.total_cost + v.cost, total_tokens = `+d.addTotal("traces.total_tokens", "v.tokens")+`
		FROM v WHERE traces.id = v.id`, args...).Error
	if err != nil {
		return fmt.Errorf("trace totals: %w", err)
	}
	return nil
}

// addToProjects adds the round's traces to their projects' rollups, one
// project at a time in id order (the order every batch locks them in).
func (d *DB) addToProjects(ctx context.Context, ts []*roundTrace) error {
	type span struct {
		first, last *Trace
		cost        float64
		tokens      int64
	}
	spans := map[int64]*span{}
	var ids []int64
	for _, t := range ts {
		s := spans[t.projectID]
		if s == nil {
			s = &span{}
			spans[t.projectID] = s
			ids = append(ids, t.projectID)
		}
		tr := &t.w.Trace
		if s.first == nil || tr.StartTime.Before(s.first.StartTime) {
			s.first = tr
		}
		if s.last == nil || traceEnd(tr).After(traceEnd(s.last)) {
			s.last = tr
		}
		s.cost += t.costDelta
		s.tokens = addDelta(s.tokens, t.tokenDelta)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := spans[id]
		// The project's span covers its first start and its last end: the
		// same as adding the traces one by one.
		merged := &Trace{StartTime: s.first.StartTime}
		end := traceEnd(s.last)
		merged.EndTime = &end
		if err := d.addToProject(ctx, id, merged, s.cost, s.tokens); err != nil {
			return err
		}
	}
	return nil
}

func traceEnd(t *Trace) time.Time {
	if t.EndTime != nil {
		return *t.EndTime
	}
	return t.StartTime
}

// addToProject adds a written trace to its project's rollups: totals by the
// given deltas, the time span widened to cover the trace. It reads the
// project row's latest committed values under its lock, so concurrent
// writers never lose each other's updates.
func (d *DB) addToProject(ctx context.Context, projectID int64, tr *Trace, costDelta float64, tokenDelta int64) error {
	end := tr.StartTime
	if tr.EndTime != nil {
		end = *tr.EndTime
	}
	var row struct {
		StartTime scanTime
		EndTime   scanTime
		Duration  *float64
	}
	err := d.conn(ctx).Raw(`UPDATE project_info SET
			total_cost = total_cost + ?,
			total_tokens = `+d.addTotal("total_tokens", "?")+`,
			start_time = CASE WHEN start_time IS NULL OR ? < start_time THEN ? ELSE start_time END,
			end_time = CASE WHEN end_time IS NULL OR ? > end_time THEN ? ELSE end_time END
		WHERE id = ? RETURNING start_time, end_time, duration`,
		costDelta, tokenDelta, tr.StartTime, tr.StartTime, end, end, projectID).Scan(&row).Error
	if err != nil {
		return fmt.Errorf("project rollups: %w", err)
	}
	if !row.StartTime.Valid {
		return fmt.Errorf("project rollups: project %d not found", projectID)
	}
	duration := secondsBetween(row.StartTime.Time, row.EndTime.ptr())
	if sameSeconds(duration, row.Duration) {
		return nil
	}
	return d.conn(ctx).Model(&Project{}).Where("id = ?", projectID).Update("duration", duration).Error
}
