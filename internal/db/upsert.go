package db

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
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

// upsertKey is the unique key a table's rows merge on, with what a merge
// keeps: the columns in set take the new values, and keepEnd, if given,
// keeps its old value when the new one is NULL (an end time sent before the
// call ended must not erase one sent after).
type upsertKey struct {
	columns []string
	set     []string
	keepEnd string
}

// byExternalID is the key of the rows a trace's write names by external id.
func byExternalID(set []string, keepEnd string) upsertKey {
	return upsertKey{columns: []string{"project_id", "external_id"}, set: set, keepEnd: keepEnd}
}

// upsertRows inserts rows, each under the id it carries (reserved by
// reserveIDs), or merges it with the stored row under its key, whose id
// it then takes. Multi-row statements built from the model's plan return
// each row's id with its key, and ids go back to the rows by key, never
// by position: neither engine promises RETURNING's order. A row with a
// NULL key column merges with nothing and keeps its id.
func upsertRows[T any](g *gorm.DB, rows []*T, key upsertKey) error {
	if len(rows) == 0 {
		return nil
	}
	plan, err := planFor[T](g)
	if err != nil {
		return err
	}
	cols := make([]fieldPlan, len(plan.columns))
	for i, c := range plan.columns {
		cols[i] = plan.fields[c]
	}
	keyCols := make([]fieldPlan, len(key.columns))
	for i, c := range key.columns {
		f, ok := plan.fields[c]
		if !ok {
			return fmt.Errorf("upsert %s: no key column %s", plan.table, c)
		}
		keyCols[i] = f
	}
	var tail strings.Builder
	tail.WriteString(" ON CONFLICT (" + strings.Join(key.columns, ", ") + ") DO UPDATE SET ")
	for i, c := range key.set {
		if i > 0 {
			tail.WriteString(", ")
		}
		fmt.Fprintf(&tail, "%[1]s = excluded.%[1]s", c)
	}
	if key.keepEnd != "" {
		fmt.Fprintf(&tail, ", %[1]s = COALESCE(excluded.%[1]s, %[2]s.%[1]s)", key.keepEnd, plan.table)
	}
	tail.WriteString(" RETURNING id, " + strings.Join(key.columns, ", "))
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + plan.table + " (" + strings.Join(plan.columns, ", ") + ") VALUES "
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
		returned, err := readReturned(g, q.String(), args, len(key.columns))
		if err != nil {
			return err
		}
		if err := assignReturned(plan, keyCols, chunk, returned); err != nil {
			return fmt.Errorf("upsert %s: %w", plan.table, err)
		}
	}
	return nil
}

// returnedRow is a row's id and key as an upsert's RETURNING gives them;
// a NULL key column is not valid.
type returnedRow struct {
	id  int64
	key []sql.NullString
}

func readReturned(g *gorm.DB, query string, args []any, keyCols int) ([]returnedRow, error) {
	res, err := g.Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out []returnedRow
	dest := make([]any, 1+keyCols)
	for res.Next() {
		r := returnedRow{key: make([]sql.NullString, keyCols)}
		dest[0] = &r.id
		for i := range r.key {
			dest[1+i] = &r.key[i]
		}
		if err := res.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, res.Err()
}

// assignReturned gives each row of chunk the id returned under its key (a
// merged row's stored id), in whatever order the rows came back; a row
// without a complete key is matched by the id it was inserted under.
func assignReturned[T any](plan *rowPlan, keyCols []fieldPlan, chunk []*T, returned []returnedRow) error {
	if len(returned) != len(chunk) {
		return fmt.Errorf("%d rows returned for %d written", len(returned), len(chunk))
	}
	byKey := make(map[string][]*T, len(chunk))
	byID := make(map[int64]*T)
	for _, r := range chunk {
		base := unsafe.Pointer(r)
		if k, ok := rowKey(keyCols, base); ok {
			byKey[k] = append(byKey[k], r)
		} else {
			byID[*(*int64)(unsafe.Add(base, plan.id.offset))] = r
		}
	}
	matched := 0
	for _, ret := range returned {
		k, ok := returnedKey(ret.key)
		if !ok {
			if byID[ret.id] == nil {
				return fmt.Errorf("an unkeyed row came back under id %d, which none was written with", ret.id)
			}
			matched++
			continue
		}
		rs := byKey[k]
		if rs == nil {
			return fmt.Errorf("a row came back under a key none was written with")
		}
		// One key sent twice in a statement is one stored row (SQLite merges
		// the second into the first; PostgreSQL refuses the statement).
		for _, r := range rs {
			*(*int64)(unsafe.Add(unsafe.Pointer(r), plan.id.offset)) = ret.id
		}
		matched += len(rs)
		delete(byKey, k)
	}
	if matched != len(chunk) {
		return fmt.Errorf("%d of %d rows got their ids back", matched, len(chunk))
	}
	return nil
}

// rowKey renders a row's key columns as the text RETURNING reads them as;
// ok is false when one is NULL.
func rowKey(keyCols []fieldPlan, base unsafe.Pointer) (string, bool) {
	var b strings.Builder
	for i, f := range keyCols {
		if i > 0 {
			b.WriteByte(0)
		}
		switch v := f.valueAt(base).(type) {
		case nil:
			return "", false
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case string:
			b.WriteString(v)
		default:
			fmt.Fprint(&b, v)
		}
	}
	return b.String(), true
}

func returnedKey(key []sql.NullString) (string, bool) {
	var b strings.Builder
	for i, k := range key {
		if !k.Valid {
			return "", false
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(k.String)
	}
	return b.String(), true
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

// inStrings renders "column is one of values" as one bound parameter.
func (d *DB) inStrings(column string, values []string) (string, any) {
	return d.dialect.inStrings(column, values)
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
