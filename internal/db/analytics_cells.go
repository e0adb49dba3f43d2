package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// MaxCells bounds the rows of one analytics answer: its time bins (1
// without bin) times its groups (the distinct values of the groupBy
// dimensions in the range). Every group gets a row for every bin, empty
// or not, so the answer holds exactly that many.
const MaxCells = 50_000

// firstBin is the start of the bin holding q.From, in Unix seconds.
func firstBin(q AnalyticsQuery, bin, anchor, offset int64) int64 {
	return floorDiv(q.From.Unix()+offset-anchor, bin)*bin + anchor - offset
}

// binCount is the number of bins from the one holding q.From to the last
// starting before q.To: those fillBins gives every group.
func binCount(q AnalyticsQuery, bin, anchor, offset int64) int64 {
	return (q.To.Unix() - firstBin(q, bin, anchor, offset) + bin - 1) / bin
}

// checkCells refuses q before its aggregate runs when bins × groups would
// exceed MaxCells. It counts the groups in one statement over the rows the
// aggregate reads, and stops counting past MaxCells.
func (d *DB) checkCells(ctx context.Context, src analyticsSource, where Cond, dims []string, bins int64) error {
	if len(dims) == 0 {
		return nil // one group, and MaxBins < MaxCells
	}
	var exprs []string
	for i, dim := range dims {
		exprs = append(exprs, fmt.Sprintf("%s AS d%d", src.dims[dim], i))
	}
	query := "SELECT COUNT(*) FROM (SELECT DISTINCT " + strings.Join(exprs, ", ") + " FROM " + src.from +
		" WHERE " + where.SQL + " LIMIT " + strconv.Itoa(MaxCells+1) + ") g"
	var groups int64
	if err := d.conn(ctx).Raw(query, where.Args...).Row().Scan(&groups); err != nil {
		return err
	}
	return checkCellCount(bins, groups)
}

// checkCellCount is the rule itself; bins is 0 without bin.
func checkCellCount(bins, groups int64) error {
	if max(bins, 1)*groups <= MaxCells {
		return nil
	}
	g := plural(groups, "group")
	if groups > MaxCells {
		g = "more than " + plural(MaxCells, "group")
	}
	if bins == 0 {
		return apperr.Invalid("groupBy", "%s, more than %s: use a shorter timeRange or fewer groupBy dimensions", g, thousands(MaxCells))
	}
	cells := thousands(bins*groups) + " cells"
	if groups > MaxCells {
		cells = "more than " + thousands(bins*MaxCells) + " cells"
	}
	return apperr.Invalid("bin", "%s × %s = %s, more than %s: use a coarser bin, a shorter timeRange or fewer groupBy dimensions",
		plural(bins, "bin"), g, cells, thousands(MaxCells))
}

// plural writes n things, in the singular for one.
func plural(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return thousands(n) + " " + thing + "s"
}

// thousands writes n (not negative) with commas between groups of three
// digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// fillBins adds a zero row for every bin of the range that a group lacks.
// It refuses, rather than build, an answer over MaxCells rows: checkCells
// counted the groups before the aggregate ran, but rows written in
// between can add groups.
func fillBins(rows []AnalyticsRow, q AnalyticsQuery, bin, anchor, offset int64) ([]AnalyticsRow, error) {
	key := func(r AnalyticsRow) string { return groupKey(q.Dims, r) }
	type cell struct {
		group  string
		bucket int64
	}
	have := map[cell]bool{}
	groups := map[string]map[string]*string{}
	var order []string
	for _, r := range rows {
		k := key(r)
		have[cell{k, r.Bucket.Unix()}] = true
		if _, ok := groups[k]; !ok {
			groups[k] = r.Dims
			order = append(order, k)
		}
	}
	if len(q.Dims) == 0 && len(order) == 0 {
		order = append(order, key(AnalyticsRow{}))
		groups[order[0]] = map[string]*string{}
	}
	if err := checkCellCount(binCount(q, bin, anchor, offset), int64(len(order))); err != nil {
		return nil, err
	}
	for b := firstBin(q, bin, anchor, offset); b < q.To.Unix(); b += bin {
		for _, k := range order {
			if !have[cell{k, b}] {
				t := time.Unix(b, 0).UTC()
				rows = append(rows, AnalyticsRow{Bucket: &t, Dims: groups[k]})
			}
		}
	}
	return rows, nil
}
