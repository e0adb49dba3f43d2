package db

import (
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

// inStrings renders "column is one of values" as one bound parameter.
func (d *DB) inStrings(column string, values []string) (string, any) {
	return d.dialect.inStrings(column, values)
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
