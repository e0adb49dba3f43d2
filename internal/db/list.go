package db

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

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
// number of ids: an array on PostgreSQL, a JSON array on SQLite.
func (d *DB) inSet(column string, ids []int64) (string, any) {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if d.dialect == Postgres {
		return column + " = ANY(?::bigint[])", "{" + b.String() + "}"
	}
	return column + " IN (SELECT value FROM json_each(?))", "[" + b.String() + "]"
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
		if order.Column == "id" {
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
	if order.Column == "id" {
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
	sch, err := schemaOf[T](d)
	if err != nil {
		return PageResult[T]{}, err
	}
	where = And(where, d.scopeCond(ctx, sch.Table))
	conds, args, orderBy := keyset(order, page)
	if where.SQL != "" {
		conds = append([]string{where.SQL}, conds...)
		args = append(append([]any{}, where.Args...), args...)
	}
	clause := ""
	if len(conds) > 0 {
		clause = " WHERE " + strings.Join(conds, " AND ")
	}
	query := fmt.Sprintf("SELECT t.* FROM %s t%s ORDER BY %s LIMIT %d", sch.Table, clause, orderBy, page.Limit+1)
	var rows []*T
	if err := d.conn(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return PageResult[T]{}, err
	}
	return finishPage(rows, page), nil
}

// ListByParent returns one page of children for each parent id, in the order
// of parentIDs, from a single statement: a window function numbers each
// parent's rows that satisfy where and keeps the first page of each.
func ListByParent[T any](ctx context.Context, d *DB, parentColumn string, parentIDs []int64, where Cond, order Order, page Page) ([]PageResult[T], error) {
	sch, err := schemaOf[T](d)
	if err != nil {
		return nil, err
	}
	parentField := sch.LookUpField(parentColumn)
	if parentField == nil {
		return nil, fmt.Errorf("list %s: no column %s", sch.Table, parentColumn)
	}
	in, inArg := d.inSet("t."+parentColumn, parentIDs)
	conds, args, orderBy := keyset(order, page)
	filter := And(Cond{SQL: in, Args: []any{inArg}}, where, d.scopeCond(ctx, sch.Table))
	conds = append([]string{filter.SQL}, conds...)
	args = append(filter.Args, args...)
	query := fmt.Sprintf(`SELECT * FROM (
		SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.%[1]s ORDER BY %[2]s) AS page_rank
		FROM %[3]s t WHERE %[4]s) ranked
		WHERE page_rank <= %[5]d ORDER BY %[1]s, page_rank`,
		parentColumn, orderBy, sch.Table, strings.Join(conds, " AND "), page.Limit+1)
	var rows []*T
	if err := d.conn(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	byParent := make(map[int64][]*T, len(parentIDs))
	for _, row := range rows {
		key, err := int64Field(ctx, parentField, row)
		if err != nil {
			return nil, err
		}
		byParent[key] = append(byParent[key], row)
	}
	out := make([]PageResult[T], len(parentIDs))
	for i, id := range parentIDs {
		out[i] = finishPage(byParent[id], page)
	}
	return out, nil
}

// CountByParent returns the number of rows of T satisfying where per parent
// id, in the order of parentIDs, from a single statement.
func CountByParent[T any](ctx context.Context, d *DB, parentColumn string, parentIDs []int64, where Cond) ([]int64, error) {
	sch, err := schemaOf[T](d)
	if err != nil {
		return nil, err
	}
	in, inArg := d.inSet("t."+parentColumn, parentIDs)
	filter := And(Cond{SQL: in, Args: []any{inArg}}, where, d.scopeCond(ctx, sch.Table))
	var counts []struct {
		Parent int64
		N      int64
	}
	query := fmt.Sprintf(`SELECT t.%s AS parent, COUNT(*) AS n FROM %s t WHERE %s GROUP BY t.%s`,
		parentColumn, sch.Table, filter.SQL, parentColumn)
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
	sch, err := schemaOf[T](d)
	if err != nil {
		return nil, err
	}
	in, inArg := d.inSet("t.id", ids)
	where := And(Cond{SQL: in, Args: []any{inArg}}, d.scopeCond(ctx, sch.Table))
	var rows []*T
	if err := d.conn(ctx).Raw(fmt.Sprintf("SELECT t.* FROM %s t WHERE %s", sch.Table, where.SQL), where.Args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	byID := make(map[int64]*T, len(rows))
	for _, row := range rows {
		id, err := int64Field(ctx, sch.PrioritizedPrimaryField, row)
		if err != nil {
			return nil, err
		}
		byID[id] = row
	}
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// CursorOf returns the position of row in a list sorted by order.
func CursorOf[T any](ctx context.Context, d *DB, row *T, order Order) (Cursor, error) {
	sch, err := schemaOf[T](d)
	if err != nil {
		return Cursor{}, err
	}
	id, err := int64Field(ctx, sch.PrioritizedPrimaryField, row)
	if err != nil {
		return Cursor{}, err
	}
	c := Cursor{Column: order.Column, ID: id}
	if order.Column == "id" {
		return c, nil
	}
	f := sch.LookUpField(order.Column)
	if f == nil {
		return Cursor{}, fmt.Errorf("cursor: %s has no column %s", sch.Table, order.Column)
	}
	v, _ := f.ValueOf(ctx, reflect.ValueOf(row).Elem())
	if order.NullsAs != nil {
		if rv := reflect.ValueOf(v); !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
			v = *order.NullsAs
		}
	}
	switch v := v.(type) {
	case time.Time:
		t := v.UTC()
		c.Time = &t
	case *time.Time:
		if v != nil {
			t := v.UTC()
			c.Time = &t
		}
	case float64:
		c.Num = &v
	case *float64:
		c.Num = v
	case int64:
		n := float64(v)
		c.Num = &n
	case *int64:
		if v != nil {
			n := float64(*v)
			c.Num = &n
		}
	default:
		return Cursor{}, fmt.Errorf("cursor: column %s has unsupported type %T", order.Column, v)
	}
	if c.value() == nil {
		return Cursor{}, fmt.Errorf("cursor: %s.%s is null", sch.Table, order.Column)
	}
	return c, nil
}

// int64Field reads an integer column of row, treating NULL as 0.
func int64Field(ctx context.Context, f *schema.Field, row any) (int64, error) {
	v, _ := f.ValueOf(ctx, reflect.ValueOf(row).Elem())
	switch v := v.(type) {
	case int64:
		return v, nil
	case *int64:
		if v == nil {
			return 0, nil
		}
		return *v, nil
	}
	return 0, fmt.Errorf("column %s: want int64, have %T", f.DBName, v)
}
