package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// schemaOf returns GORM's parsed description of the model T (cached by GORM).
func schemaOf[T any](d *DB) (*schema.Schema, error) {
	stmt := &gorm.Statement{DB: d.gorm}
	if err := stmt.Parse(new(T)); err != nil {
		return nil, err
	}
	return stmt.Schema, nil
}

// inSet renders "column is one of ids" as one bound parameter, whatever the
// number of ids.
func (d *DB) inSet(column string, ids []int64) (string, any) { return d.dialect.inSet(column, ids) }

// joinIDs is ids in decimal, comma-separated.
func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// keyset renders the conditions and ORDER BY of a page over alias "t".
func keyset(order Order, page Page) (conds []string, args []any, orderBy string) {
	desc := order.Desc != page.Backward // a backward page reads the list from its end
	dir, beyond, precede := "ASC", ">", "<"
	if order.Desc {
		beyond, precede = "<", ">"
	}
	if desc {
		dir = "DESC"
	}
	cmp := func(op string, c *Cursor) {
		if order.column == "id" {
			conds = append(conds, "t.id "+op+" ?")
			args = append(args, c.ID)
			return
		}
		conds = append(conds, fmt.Sprintf("(%s, t.id) %s (?, ?)", order.expr(), op))
		args = append(args, c.value(), c.ID)
	}
	if page.After != nil {
		cmp(beyond, page.After)
	}
	if page.Before != nil {
		cmp(precede, page.Before)
	}
	if order.column == "id" {
		return conds, args, "t.id " + dir
	}
	return conds, args, fmt.Sprintf("%s %s, t.id %s", order.expr(), dir, dir)
}

// finishPage trims the look-ahead row, restores list order for backward
// pages and fills the page flags.
func finishPage[T any](rows []*T, page Page) PageResult[T] {
	res := PageResult[T]{}
	more := len(rows) > page.Limit
	if more {
		rows = rows[:page.Limit]
	}
	if page.Backward {
		slices.Reverse(rows)
		res.HasPreviousPage, res.HasNextPage = more, page.Before != nil
	} else {
		res.HasNextPage, res.HasPreviousPage = more, page.After != nil
	}
	res.Rows = rows
	return res
}

// List returns one page of all rows of T in the given order.
func List[T any](ctx context.Context, d *DB, where Cond, order Order, page Page) (PageResult[T], error) {
	plan, err := planOf[T](d)
	if err != nil {
		return PageResult[T]{}, err
	}
	where = And(where, d.scopeCond(ctx, plan.table))
	conds, args, orderBy := keyset(order, page)
	if where.SQL != "" {
		conds = append([]string{where.SQL}, conds...)
		args = append(append([]any{}, where.Args...), args...)
	}
	clause := ""
	if len(conds) > 0 {
		clause = " WHERE " + strings.Join(conds, " AND ")
	}
	query := fmt.Sprintf("SELECT %s FROM %s t%s ORDER BY %s LIMIT %d", plan.selectList(page.Omit), plan.table, clause, orderBy, page.Limit+1)
	rows, err := queryModels[T](d, plan, d.conn(ctx), query, args...)
	if err != nil {
		return PageResult[T]{}, err
	}
	return finishPage(rows, page), nil
}

// ParentColumn is the column of a child table holding its parent's id, by
// which ListByParent and CountByParent read: one of the constants below, so
// that no caller puts text of its own into their SQL.
type ParentColumn uint8

// The parent columns.
const (
	ByProject   ParentColumn = iota + 1 // project_id
	ByTrace                             // trace_id
	ByAgentCall                         // agent_id
	ByLLMCall                           // llm_call_id
	ByToolCall                          // tool_call_id
)

var parentColumns = [...]string{ByProject: "project_id", ByTrace: "trace_id", ByAgentCall: "agent_id", ByLLMCall: "llm_call_id", ByToolCall: "tool_call_id"}

// of returns the column's name, checking that table's model has it.
func (c ParentColumn) of(p *rowPlan) (string, error) {
	if c == 0 || int(c) >= len(parentColumns) {
		return "", fmt.Errorf("list %s: no parent column %d", p.table, c)
	}
	name := parentColumns[c]
	if _, ok := p.fields[name]; !ok {
		return "", fmt.Errorf("list %s: no column %s", p.table, name)
	}
	return name, nil
}

// ListByParent returns one page of children for each parent id, in the order
// of parentIDs, from a single statement that reads each parent's page
// through the (parent, sort) index: a LATERAL subquery per parent on
// PostgreSQL, a UNION ALL of per-parent subqueries on SQLite (and, for very
// many parents there, a window function numbering each parent's rows).
func ListByParent[T any](ctx context.Context, d *DB, parent ParentColumn, parentIDs []int64, where Cond, order Order, page Page) ([]PageResult[T], error) {
	plan, err := planOf[T](d)
	if err != nil {
		return nil, err
	}
	parentColumn, err := parent.of(plan)
	if err != nil {
		return nil, err
	}
	parents := make([]int64, 0, len(parentIDs))
	seen := make(map[int64]bool, len(parentIDs))
	for _, id := range parentIDs {
		if !seen[id] {
			seen[id] = true
			parents = append(parents, id)
		}
	}
	keyConds, keyArgs, orderBy := keyset(order, page)
	own := And(append([]Cond{where, d.scopeCond(ctx, plan.table)}, condsOf(keyConds, keyArgs)...)...)
	cols := plan.selectList(page.Omit)
	if len(parents) == 0 {
		return make([]PageResult[T], len(parentIDs)), nil
	}
	query, args := d.dialect.pagesByParent(parentPages{table: plan.table, column: parentColumn, cols: cols,
		orderBy: orderBy, parents: parents, own: own, limit: page.Limit + 1})
	rows, err := queryModels[T](d, plan, d.conn(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	byParent := make(map[int64][]*T, len(parents))
	for _, row := range rows {
		key, ok := plan.int64At(unsafe.Pointer(row), parentColumn)
		if !ok {
			return nil, fmt.Errorf("list %s: column %s is not an integer", plan.table, parentColumn)
		}
		byParent[key] = append(byParent[key], row)
	}
	out := make([]PageResult[T], len(parentIDs))
	for i, id := range parentIDs {
		out[i] = finishPage(slices.Clone(byParent[id]), page)
	}
	return out, nil
}

// condsOf pairs keyset conditions with their arguments, one per condition.
func condsOf(sqls []string, args []any) []Cond {
	out := make([]Cond, 0, len(sqls))
	i := 0
	for _, s := range sqls {
		n := strings.Count(s, "?")
		out = append(out, Cond{SQL: s, Args: args[i : i+n]})
		i += n
	}
	return out
}

// CountByParent returns the number of rows of T satisfying where per parent
// id, in the order of parentIDs, from a single statement.
func CountByParent[T any](ctx context.Context, d *DB, parent ParentColumn, parentIDs []int64, where Cond) ([]int64, error) {
	plan, err := planOf[T](d)
	if err != nil {
		return nil, err
	}
	parentColumn, err := parent.of(plan)
	if err != nil {
		return nil, err
	}
	in, inArg := d.inSet("t."+parentColumn, parentIDs)
	filter := And(Cond{SQL: in, Args: []any{inArg}}, where, d.scopeCond(ctx, plan.table))
	var counts []struct {
		Parent int64
		N      int64
	}
	query := fmt.Sprintf(`SELECT t.%s AS parent, COUNT(*) AS n FROM %s t WHERE %s GROUP BY t.%s`,
		parentColumn, plan.table, filter.SQL, parentColumn)
	if err := d.conn(ctx).Raw(query, filter.Args...).Scan(&counts).Error; err != nil {
		return nil, err
	}
	byParent := make(map[int64]int64, len(counts))
	for _, c := range counts {
		byParent[c.Parent] = c.N
	}
	out := make([]int64, len(parentIDs))
	for i, id := range parentIDs {
		out[i] = byParent[id]
	}
	return out, nil
}

// Count returns the number of rows of T satisfying where.
func Count[T any](ctx context.Context, d *DB, where Cond) (int64, error) {
	sch, err := schemaOf[T](d)
	if err != nil {
		return 0, err
	}
	where = And(where, d.scopeCond(ctx, sch.Table))
	query := "SELECT COUNT(*) FROM " + sch.Table + " t"
	if where.SQL != "" {
		query += " WHERE " + where.SQL
	}
	var n int64
	err = d.conn(ctx).Raw(query, where.Args...).Scan(&n).Error
	return n, err
}

// FindByIDs returns the rows of T with the given ids, in the order of ids,
// with nil where no row has that id.
func FindByIDs[T any](ctx context.Context, d *DB, ids []int64) ([]*T, error) {
	plan, err := planOf[T](d)
	if err != nil {
		return nil, err
	}
	in, inArg := d.inSet("t.id", ids)
	where := And(Cond{SQL: in, Args: []any{inArg}}, d.scopeCond(ctx, plan.table))
	rows, err := queryModels[T](d, plan, d.conn(ctx), fmt.Sprintf("SELECT t.* FROM %s t WHERE %s", plan.table, where.SQL), where.Args...)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*T, len(rows))
	for _, row := range rows {
		byID[*(*int64)(unsafe.Add(unsafe.Pointer(row), plan.id.offset))] = row
	}
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// findRows returns the rows of T (alias t) satisfying where, then tail
// (ORDER BY, LIMIT): model rows are read the one way queryModels reads
// them, whatever the caller.
func findRows[T any](ctx context.Context, d *DB, where Cond, tail string) ([]*T, error) {
	plan, err := planOf[T](d)
	if err != nil {
		return nil, err
	}
	query := "SELECT t.* FROM " + plan.table + " t"
	if where.SQL != "" {
		query += " WHERE " + where.SQL
	}
	if tail != "" {
		query += " " + tail
	}
	return queryModels[T](d, plan, d.conn(ctx), query, where.Args...)
}

// findRow is findRows' first row, nil when there is none.
func findRow[T any](ctx context.Context, d *DB, where Cond) (*T, error) {
	rows, err := findRows[T](ctx, d, where, "LIMIT 1")
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

// CursorOf returns the position of row in a list sorted by order.
func CursorOf[T any](ctx context.Context, d *DB, row *T, order Order) (Cursor, error) {
	plan, err := planOf[T](d)
	if err != nil {
		return Cursor{}, err
	}
	base := unsafe.Pointer(row)
	c := Cursor{Column: order.column, ID: *(*int64)(unsafe.Add(base, plan.id.offset))}
	if order.column == "id" {
		return c, nil
	}
	f, ok := plan.fields[order.column]
	if !ok {
		return Cursor{}, fmt.Errorf("cursor: %s has no column %s", plan.table, order.column)
	}
	ptr := unsafe.Add(base, f.offset)
	var isNull bool
	switch f.typ {
	case timeType:
		t := (*time.Time)(ptr).UTC()
		c.Time = &t
	case timePtrType:
		if v := *(**time.Time)(ptr); v != nil {
			t := v.UTC()
			c.Time = &t
		} else {
			isNull = true
		}
	case float64Type:
		v := *(*float64)(ptr)
		c.Num = &v
	case float64Ptr:
		if v := *(**float64)(ptr); v != nil {
			n := *v
			c.Num = &n
		} else {
			isNull = true
		}
	case int64Type:
		n := float64(*(*int64)(ptr))
		c.Num = &n
	case int64Ptr:
		if v := *(**int64)(ptr); v != nil {
			n := float64(*v)
			c.Num = &n
		} else {
			isNull = true
		}
	default:
		return Cursor{}, fmt.Errorf("cursor: column %s has unsupported type %s", order.column, f.typ)
	}
	if isNull && order.NullsAs != nil {
		n := *order.NullsAs
		c.Num = &n
	}
	if c.value() == nil {
		return Cursor{}, fmt.Errorf("cursor: %s.%s is null", plan.table, order.column)
	}
	return c, nil
}
