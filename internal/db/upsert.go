package db

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"gorm.io/gorm"
)

// TraceWrite is a validated trace tree to merge into the store. Every entity
// may carry an ExternalID; one already stored under the same project, entity
// type and external id is updated in place instead of inserted.
type TraceWrite struct {
	Trace        Trace
	SystemInfo   *SystemInfo
	Agents       []AgentWrite
	LLMCalls     []LLMCall // outside any agent of this write; AgentExternalID may name one stored elsewhere
	ToolCalls    []ToolCall
	Interactions []UserInteraction
	// Errors name where they happened by external id (AgentExternalID,
	// LLMCallExternalID, ToolCallExternalID), in this write or stored already.
	Errors  []TraceError
	Metrics []Metric
}

// AgentWrite is an agent call with the calls and interactions made inside it.
type AgentWrite struct {
	Agent        AgentCall
	LLMCalls     []LLMCall
	ToolCalls    []ToolCall
	Interactions []UserInteraction
}

// resolve returns the id of ref among ids, noting when it is not there.
func resolve(ids map[string]int64, ref *string, unresolved *bool) *int64 {
	if ref == nil {
		return nil
	}
	if id, ok := ids[*ref]; ok {
		return &id
	}
	*unresolved = true
	return nil
}

// upsertRows inserts rows, updating those whose (project_id, external_id)
// is stored already: the columns in set take the new values, and keepEnd, if
// given, keeps its old value when the new one is NULL (an end time sent
// before the call ended must not erase one sent after). It writes multi-row
// statements built from the model's plan and sets the rows' ids from their
// RETURNING clause, in row order.
func upsertRows[T any](g *gorm.DB, rows []*T, set []string, keepEnd string) error {
	if len(rows) == 0 {
		return nil
	}
	plan, err := planFor[T](g)
	if err != nil {
		return err
	}
	var cols []fieldPlan
	var names []string
	for _, c := range plan.columns {
		if c != "id" {
			cols = append(cols, plan.fields[c])
			names = append(names, c)
		}
	}
	var tail strings.Builder
	tail.WriteString(" ON CONFLICT (project_id, external_id) DO UPDATE SET ")
	for i, c := range set {
		if i > 0 {
			tail.WriteString(", ")
		}
		fmt.Fprintf(&tail, "%[1]s = excluded.%[1]s", c)
	}
	if keepEnd != "" {
		fmt.Fprintf(&tail, ", %[1]s = COALESCE(excluded.%[1]s, %[2]s.%[1]s)", keepEnd, plan.table)
	}
	tail.WriteString(" RETURNING id")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + plan.table + " (" + strings.Join(names, ", ") + ") VALUES "
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), batchRows)]
		rows = rows[len(chunk):]
		var q strings.Builder
		q.Grow(len(head) + len(chunk)*(len(row)+2) + tail.Len())
		q.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			base := unsafe.Pointer(r)
			for _, f := range cols {
				args = append(args, f.valueAt(base))
			}
		}
		q.WriteString(tail.String())
		res, err := g.Raw(q.String(), args...).Rows()
		if err != nil {
			return err
		}
		n := 0
		for res.Next() {
			if n == len(chunk) {
				break
			}
			if err := res.Scan((*int64)(unsafe.Add(unsafe.Pointer(chunk[n]), plan.id.offset))); err != nil {
				_ = res.Close()
				return err
			}
			n++
		}
		if err := res.Err(); err != nil {
			_ = res.Close()
			return err
		}
		_ = res.Close()
		if n != len(chunk) {
			return fmt.Errorf("upsert %s: %d ids returned for %d rows", plan.table, n, len(chunk))
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
	t.inserted = d.dialect == Postgres
	return nil
}

// inStrings renders "column is one of values" as one bound parameter: a
// text array on PostgreSQL (= ANY uses the index whatever the statistics),
// a JSON array on SQLite.
func (d *DB) inStrings(column string, values []string) (string, any) {
	if d.dialect == Postgres {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
			b.WriteByte('"')
		}
		b.WriteByte('}')
		return column + " = ANY(?::text[])", b.String()
	}
	b, _ := json.Marshal(values)
	return column + " IN (SELECT value FROM json_each(?))", string(b)
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

// sameSeconds compares two optional durations.
func sameSeconds(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

// SecondsBetween is end-start in seconds, nil without an end.
func SecondsBetween(start time.Time, end *time.Time) *float64 { return secondsBetween(start, end) }
