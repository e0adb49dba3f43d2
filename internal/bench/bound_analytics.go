package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// --- (d) Query.analytics over a day, LLM calls by hour and model: 1 statement.

type dValue struct {
	Avg *float64 `json:"avg"`
	P50 *float64 `json:"p50"`
	P99 *float64 `json:"p99"`
}

type dRow struct {
	Bucket time.Time `json:"bucket"`
	Model  *string   `json:"model"`
	Count  int64     `json:"count"`
	Tokens tokens    `json:"tokens"`
	Cost   totalCost `json:"cost"`
	Value  dValue    `json:"value"`
}

// analytics is the bound of (d), analyticsQuery: one GROUP BY over the
// project's LLM calls of the range (percentile_cont on PostgreSQL; SQLite,
// which has none, returns the values sorted and the quantiles are
// interpolated here the same way), then the empty hours of every model
// filled with zeros, as the API answers. When analyticsQuery changes,
// change this with it.
func (s *boundServer) analytics(ctx context.Context, projectID string, from, to *time.Time) (any, error) {
	_, pid, ok := parseGID(projectID)
	if !ok || from == nil || to == nil {
		return nil, fmt.Errorf("analytics bound: bad variables")
	}
	var rows []*dRow
	if s.raw.dialect == db.Postgres {
		var r dRow
		var sec int64
		err := s.scanAll(ctx, s.q.dayLLM, []any{pid, from.UTC(), to.UTC()}, []any{&sec, &r.Model, &r.Count,
			&r.Tokens.Input, &r.Tokens.Completion, &r.Tokens.Total, &r.Cost.Total, &r.Value.Avg, &r.Value.P50, &r.Value.P99}, func() {
			row := r
			row.Bucket = time.Unix(sec, 0).UTC()
			rows = append(rows, &row)
		})
		if err != nil {
			return nil, err
		}
	} else {
		var cur *dRow
		var values []float64
		var sum float64
		flush := func() {
			if cur == nil {
				return
			}
			if n := len(values); n > 0 {
				avg := sum / float64(n)
				cur.Value.Avg, cur.Value.P50, cur.Value.P99 = &avg, quantile(values, 0.5), quantile(values, 0.99)
			}
			rows = append(rows, cur)
		}
		var sec int64
		var model *string
		var dur *float64
		var in, comp, total int64
		var cost float64
		err := s.scanAll(ctx, s.q.dayLLM, []any{pid, from.UTC(), to.UTC()}, []any{&sec, &model, &dur, &in, &comp, &total, &cost}, func() {
			b := time.Unix(sec, 0).UTC()
			if cur == nil || !cur.Bucket.Equal(b) || !sameString(cur.Model, model) {
				flush()
				cur, values, sum = &dRow{Bucket: b, Model: model}, values[:0], 0
			}
			cur.Count++
			cur.Tokens.Input += in
			cur.Tokens.Completion += comp
			cur.Tokens.Total += total
			cur.Cost.Total += cost
			if dur != nil {
				values = append(values, *dur)
				sum += *dur
			}
		})
		if err != nil {
			return nil, err
		}
		flush()
	}
	return map[string]any{"analytics": fillHours(rows, *from, *to)}, nil
}

// quantile interpolates the p-quantile of sorted values as percentile_cont.
func quantile(sorted []float64, p float64) *float64 {
	pos := p * float64(len(sorted)-1)
	lo := int(pos)
	v := sorted[lo]
	if lo+1 < len(sorted) {
		v += (pos - float64(lo)) * (sorted[lo+1] - sorted[lo])
	}
	return &v
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// fillHours adds a zero row for every hour of [from, to) a model lacks and
// sorts the rows by hour, then model (no model first).
func fillHours(rows []*dRow, from, to time.Time) []*dRow {
	type cell struct {
		model  string
		bucket int64
	}
	key := func(m *string) string {
		if m == nil {
			return ""
		}
		return "=" + *m
	}
	have := map[cell]bool{}
	models := map[string]*string{}
	var order []string
	for _, r := range rows {
		k := key(r.Model)
		have[cell{k, r.Bucket.Unix()}] = true
		if _, ok := models[k]; !ok {
			models[k] = r.Model
			order = append(order, k)
		}
	}
	first := from.Unix() / 3600 * 3600
	if from.Unix() < 0 && from.Unix()%3600 != 0 {
		first -= 3600
	}
	for b := first; b < to.Unix(); b += 3600 {
		for _, k := range order {
			if !have[cell{k, b}] {
				rows = append(rows, &dRow{Bucket: time.Unix(b, 0).UTC(), Model: models[k]})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b *dRow) int {
		if c := a.Bucket.Compare(b.Bucket); c != 0 {
			return c
		}
		return strings.Compare(key(a.Model), key(b.Model))
	})
	return rows
}
