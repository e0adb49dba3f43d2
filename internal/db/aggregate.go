package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/agentgraph/agentgraph/internal/budget"
)

// Percentiles are the quantiles every aggregate reports, exact (continuous,
// as PostgreSQL's percentile_cont) on both databases.
var Percentiles = []float64{0.5, 0.9, 0.99}

// AggFunc is one aggregate over the rows of a group.
type AggFunc struct {
	Fn   string // SUM, COUNT, MIN, MAX or AVG
	Expr string // over alias t (and the joins of From)
}

// Aggregate is a grouped aggregation over one table (alias t): sums and
// the like per group, and the quantiles of Value.
type Aggregate struct {
	From   string   // "llm_call t" plus any joins
	Where  Cond     // over t
	Groups []string // group expressions; every one is returned as text
	Funcs  []AggFunc
	Value  string // expression whose quantiles are computed; "" for none
}

// AggRow is the result for one group. Quantiles are nil when the group has
// no non-NULL value.
type AggRow struct {
	Groups    []sql.NullString
	Funcs     []sql.NullFloat64
	Count     int64 // non-NULL values of Value
	Quantiles []*float64
}

// RunAggregate runs a in one statement and returns a row per group.
func (d *DB) RunAggregate(ctx context.Context, a Aggregate) ([]AggRow, error) {
	var inner, outer, groupBy []string
	for i, g := range a.Groups {
		inner = append(inner, fmt.Sprintf("CAST(%s AS TEXT) AS g%d", g, i))
		outer = append(outer, fmt.Sprintf("g%d", i))
		groupBy = append(groupBy, fmt.Sprintf("g%d", i))
	}
	for i, f := range a.Funcs {
		inner = append(inner, fmt.Sprintf("%s AS f%d", f.Expr, i))
		if f.Fn == "SUM" {
			outer = append(outer, d.sumOf(fmt.Sprintf("f%d", i)))
		} else {
			outer = append(outer, fmt.Sprintf("%s(f%d)", f.Fn, i))
		}
	}
	value := a.Value
	if value == "" {
		value = d.dialect.nullReal()
	}
	inner = append(inner, value+" AS qx")
	outer = append(outer, "COUNT(qx)")
	partition := "1"
	if len(groupBy) > 0 {
		partition = strings.Join(groupBy, ", ")
	}
	quantileCols := d.dialect.percentiles()
	outer = append(outer, quantileCols...)
	innerSQL := "SELECT " + strings.Join(inner, ", ") + " FROM " + a.From
	if a.Where.SQL != "" {
		innerSQL += " WHERE " + a.Where.SQL
	}
	innerSQL = d.dialect.percentileBase(innerSQL, partition)
	query := "SELECT " + strings.Join(outer, ", ") + " FROM (" + innerSQL + ") agg"
	if len(groupBy) > 0 {
		query += " GROUP BY " + strings.Join(groupBy, ", ") + " ORDER BY " + strings.Join(groupBy, ", ")
	}
	ctx, release, err := d.hold(ctx) // for the whole read of the rows
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := d.conn(ctx).Raw(query, a.Where.Args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := budget.From(ctx)
	var out []AggRow
	for rows.Next() {
		r := AggRow{Groups: make([]sql.NullString, len(a.Groups)), Funcs: make([]sql.NullFloat64, len(a.Funcs))}
		dest := make([]any, 0, len(a.Groups)+len(a.Funcs)+1+len(quantileCols))
		for i := range r.Groups {
			dest = append(dest, &r.Groups[i])
		}
		for i := range r.Funcs {
			dest = append(dest, &r.Funcs[i])
		}
		dest = append(dest, &r.Count)
		qs := make([]sql.NullFloat64, len(quantileCols))
		for i := range qs {
			dest = append(dest, &qs[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := b.Charge(aggRowBytes(r)); err != nil {
			return nil, err
		}
		r.Quantiles = d.dialect.quantiles(qs, r.Count)
		out = append(out, r)
	}
	return out, rows.Err()
}

func nullable(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

// aggRowBytes is what an aggregate's row weighs in its request's budget:
// its values and its groups' texts.
func aggRowBytes(r AggRow) int64 {
	n := int64(rowAllowance + 24*(len(r.Groups)+len(r.Funcs)+2*len(Percentiles)))
	for _, g := range r.Groups {
		n += int64(len(g.String))
	}
	return n
}
