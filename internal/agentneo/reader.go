package agentneo

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// row is one scanned row: the values of tableSpec.columns, in order, as the
// driver returned them (int64, float64, string, []byte or nil).
type row struct {
	table string
	vals  []any
}

// get returns the value of column c.
func (r row) get(c string) any {
	for i, name := range specs[r.table].columns {
		if name == c {
			return r.vals[i]
		}
	}
	panic("agentneo: unknown column " + r.table + "." + c)
}

// id returns the row id; rows without a readable id are never returned by query.
func (r row) id() int64 { return *integer(r.vals[0]) }

// ref returns an integer reference column, nil when NULL or unreadable.
func (r row) ref(c string) *int64 { return integer(r.get(c)) }

// query reads rows of table matching where (args bound), ordered by id,
// with suffix (such as a LIMIT) after the ORDER BY.
// Rows whose id is NULL or not a number are counted in bad and left out.
func (s *source) query(ctx context.Context, table, where, suffix string, args ...any) (rows []row, bad int, err error) {
	if !s.has(table) {
		return nil, 0, nil
	}
	q := `SELECT ` + s.selectList(table) + ` FROM "` + table + `"`
	if where != "" {
		q += ` WHERE ` + where
	}
	q += ` ORDER BY "id"` + suffix
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", table, err)
	}
	defer rs.Close()
	n := len(specs[table].columns)
	for rs.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, 0, fmt.Errorf("read %s: %w", table, err)
		}
		if integer(vals[0]) == nil {
			bad++
			continue
		}
		rows = append(rows, row{table: table, vals: vals})
	}
	if err := rs.Err(); err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", table, err)
	}
	return rows, bad, nil
}

// traceBatch reads up to limit traces with ids above after, in id order.
func (s *source) traceBatch(ctx context.Context, after int64, limit int) ([]row, int, error) {
	return s.query(ctx, TableTraces, `"id" > ?`, ` LIMIT ?`, after, limit)
}

// childIndex locates the rows of a child table by trace: its (trace_id, id)
// pairs sorted by trace, read once at 16 bytes a row. AgentNeo declares no
// index on trace_id, so selecting a batch's children by trace_id would scan
// the whole table for every batch; selecting them by id is a B-tree lookup.
type childIndex []struct{ trace, id int64 }

// index reads the childIndex of table.
func (s *source) index(ctx context.Context, table string) (childIndex, error) {
	if !s.has(table) {
		return nil, nil
	}
	rs, err := s.db.QueryContext(ctx, `SELECT "trace_id", "id" FROM "`+table+`" WHERE "trace_id" IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rs.Close()
	var ix childIndex
	for rs.Next() {
		var trace, id any
		if err := rs.Scan(&trace, &id); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		t, i := integer(trace), integer(id)
		if t != nil && i != nil {
			ix = append(ix, struct{ trace, id int64 }{*t, *i})
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	slices.SortFunc(ix, func(a, b struct{ trace, id int64 }) int {
		if c := cmp.Compare(a.trace, b.trace); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return ix, nil
}

// entries returns the (trace, id) pairs whose trace id is in (after, last].
func (ix childIndex) entries(after, last int64) childIndex {
	lo, _ := slices.BinarySearchFunc(ix, after+1, func(e struct{ trace, id int64 }, t int64) int { return cmp.Compare(e.trace, t) })
	hi, _ := slices.BinarySearchFunc(ix, last+1, func(e struct{ trace, id int64 }, t int64) int { return cmp.Compare(e.trace, t) })
	return ix[lo:hi]
}

// ids returns, in ascending order, the ids of the rows whose trace id is
// in (after, last].
func (ix childIndex) ids(after, last int64) []int64 {
	es := ix.entries(after, last)
	ids := make([]int64, 0, len(es))
	for _, e := range es {
		ids = append(ids, e.id)
	}
	slices.Sort(ids)
	return ids
}

// maxParams keeps IN lists under SQLite's oldest limit on bound parameters (999).
const maxParams = 500

// byIDs reads the rows of table with the given ids (ascending), in id order.
func (s *source) byIDs(ctx context.Context, table string, ids []int64) ([]row, error) {
	var rows []row
	for chunk := range slices.Chunk(ids, maxParams) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		where := `"id" IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		part, _, err := s.query(ctx, table, where, "", args...)
		if err != nil {
			return nil, err
		}
		rows = append(rows, part...)
	}
	return rows, nil
}
