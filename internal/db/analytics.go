package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Analytics sources: the table aggregated, its time column, the value whose
// statistics are computed, how its errors are counted, and the dimensions it
// can be grouped by.
type analyticsSource struct {
	from, time, value, errors string
	dims                      map[string]string
	tokens                    []string // SUM arguments: input, completion, reasoning, total
	cost                      []string
}

var agentJoin = " LEFT JOIN agent_call a ON a.id = t.agent_id"

func (d *DB) analyticsSources() map[string]analyticsSource {
	agentSeconds := d.dialect.secondsBetween("t.start_time", "t.end_time")
	zero4 := []string{"0", "0", "0", "0"}
	return map[string]analyticsSource{
		"TRACES": {from: "traces t", time: "start_time", value: "t.duration",
			errors: "(SELECT COUNT(*) FROM errors x WHERE x.trace_id = t.id)", dims: map[string]string{},
			tokens: []string{"0", "0", "0", "t.total_tokens"}, cost: []string{"0", "0", "0", "t.total_cost"}},
		"LLM_CALLS": {from: "llm_call t" + agentJoin, time: "start_time", value: "t.duration",
			errors: "(SELECT COUNT(*) FROM errors x WHERE x.llm_call_id = t.id)",
			dims:   map[string]string{"MODEL": "t.model", "AGENT": "a.name", "TRACE": "t.trace_id"},
			tokens: []string{"t.input_tokens", "t.completion_tokens", "t.reasoning_tokens", "t.total_tokens"},
			cost:   []string{"t.input_cost", "t.output_cost", "t.reasoning_cost", "t.total_cost"}},
		"TOOL_CALLS": {from: "tool_call t" + agentJoin, time: "start_time", value: "t.duration",
			errors: "(SELECT COUNT(*) FROM errors x WHERE x.tool_call_id = t.id)",
			dims:   map[string]string{"TOOL": "t.name", "AGENT": "a.name", "TRACE": "t.trace_id"}, tokens: zero4, cost: zero4},
		"AGENT_CALLS": {from: "agent_call t", time: "start_time", value: agentSeconds,
			errors: "(SELECT COUNT(*) FROM errors x WHERE x.agent_id = t.id)",
			dims:   map[string]string{"AGENT": "t.name", "TRACE": "t.trace_id"}, tokens: zero4, cost: zero4},
		"ERRORS": {from: "errors t" + agentJoin, time: "timestamp", value: "", errors: "1",
			dims: map[string]string{"ERROR_TYPE": "t.error_type", "AGENT": "a.name", "TRACE": "t.trace_id"}, tokens: zero4, cost: zero4},
		"METRICS": {from: "metrics t", time: "timestamp", value: "t.score", errors: "0",
			dims: map[string]string{"METRIC": "t.metric_name", "TRACE": "t.trace_id"}, tokens: zero4, cost: zero4},
	}
}

// AnalyticsQuery asks for the aggregates of one project's rows of Source
// over [From, To), grouped by time bins and dimensions.
type AnalyticsQuery struct {
	ProjectID int64
	Source    string // TRACES, LLM_CALLS, TOOL_CALLS, AGENT_CALLS, ERRORS or METRICS
	From, To  time.Time
	Dims      []string // MODEL, AGENT, TOOL, ERROR_TYPE, METRIC, TRACE
	Bin       time.Duration
	// WeekBins start bins on Mondays; Offset shifts bins to a time zone.
	WeekBins bool
	Offset   time.Duration
}

// MaxBins bounds the time bins of one analytics query.
const MaxBins = 5000

// AnalyticsRow is one group of one bin.
type AnalyticsRow struct {
	Bucket *time.Time
	Dims   map[string]*string
	Count  int64
	Errors int64
	Value  ValueStats
	Tokens TokenUsage
	Cost   Cost
}

// ValueStats summarize the values of a group.
type ValueStats struct {
	Sum, Avg, Min, Max, P50, P90, P99 *float64
}

// Model, Agent, Tool, ErrorType and Metric are the row's dimensions, nil
// when not grouped by them (or NULL in the data).
func (r *AnalyticsRow) Model() *string { return r.Dims["MODEL"] }

// Agent is the row's agent name dimension.
func (r *AnalyticsRow) Agent() *string { return r.Dims["AGENT"] }

// Tool is the row's tool name dimension.
func (r *AnalyticsRow) Tool() *string { return r.Dims["TOOL"] }

// ErrorType is the row's error type dimension.
func (r *AnalyticsRow) ErrorType() *string { return r.Dims["ERROR_TYPE"] }

// Metric is the row's metric name dimension.
func (r *AnalyticsRow) Metric() *string { return r.Dims["METRIC"] }

// TraceID is the row's trace when grouped by TRACE.
func (r *AnalyticsRow) TraceID() *int64 {
	v := r.Dims["TRACE"]
	if v == nil {
		return nil
	}
	id, err := strconv.ParseInt(*v, 10, 64)
	if err != nil {
		return nil
	}
	return &id
}

// Analytics runs q in one statement (and, with groupBy, one counting its
// groups first: see checkCells); every group gets a row for every bin,
// zero when empty.
func (d *DB) Analytics(ctx context.Context, q AnalyticsQuery) ([]AnalyticsRow, error) {
	src, ok := d.analyticsSources()[q.Source]
	if !ok {
		return nil, apperr.Invalid("source", "unknown source %q", q.Source)
	}
	if !q.To.After(q.From) {
		return nil, apperr.Invalid("timeRange", "to must be after from")
	}
	if err := requireProject(ctx, q.ProjectID); err != nil {
		return nil, err
	}
	var groups []string
	binSeconds := int64(q.Bin / time.Second)
	anchor := int64(0)
	if q.WeekBins {
		anchor = 4 * 86400 // 1970-01-05, a Monday
	}
	offset := int64(q.Offset / time.Second)
	if binSeconds > 0 {
		if n := (q.To.Unix() - q.From.Unix()) / binSeconds; n > MaxBins {
			return nil, apperr.Invalid("bin", "the range holds %d bins, more than %d; use a larger bin", n, MaxBins)
		}
		groups = append(groups, d.dialect.timeBin(src.time, offset-anchor, binSeconds))
	}
	for i, dim := range q.Dims {
		expr, ok := src.dims[dim]
		if !ok {
			return nil, apperr.Invalid(fmt.Sprintf("groupBy[%d]", i), "%s cannot group %s", dim, q.Source)
		}
		groups = append(groups, expr)
	}
	funcs := []AggFunc{{"COUNT", "1"}, {"SUM", src.errors}}
	value := src.value
	if value == "" {
		value = d.dialect.nullReal()
	}
	funcs = append(funcs, AggFunc{"SUM", value}, AggFunc{"AVG", value}, AggFunc{"MIN", value}, AggFunc{"MAX", value})
	for _, e := range append(slices.Clone(src.tokens), src.cost...) {
		funcs = append(funcs, AggFunc{"SUM", e})
	}
	where := And(Cond{SQL: "t.project_id = ?", Args: []any{q.ProjectID}}, TimeRange{From: &q.From, To: &q.To}.cond(src.time))
	bins := int64(0)
	if binSeconds > 0 {
		bins = binCount(q, binSeconds, anchor, offset)
	}
	if err := d.checkCells(ctx, src, where, q.Dims, bins); err != nil {
		return nil, err
	}
	rows, err := d.RunAggregate(ctx, Aggregate{
		From:   src.from,
		Where:  where,
		Groups: groups, Funcs: funcs, Value: src.value,
	})
	if err != nil {
		return nil, err
	}
	out := make([]AnalyticsRow, 0, len(rows))
	for _, r := range rows {
		qs := quantilesOf(r)
		row := AnalyticsRow{Dims: map[string]*string{}, Value: ValueStats{P50: qs.P50, P90: qs.P90, P99: qs.P99}}
		g := r.Groups
		if binSeconds > 0 {
			sec, _ := strconv.ParseInt(g[0].String, 10, 64)
			b := time.Unix(sec, 0).UTC()
			row.Bucket, g = &b, g[1:]
		}
		for i, dim := range q.Dims {
			if g[i].Valid {
				v := g[i].String
				row.Dims[dim] = &v
			}
		}
		f := r.Funcs
		row.Count, row.Errors = int64(f[0].Float64), int64(f[1].Float64)
		row.Value.Sum, row.Value.Avg, row.Value.Min, row.Value.Max = nullable(f[2]), nullable(f[3]), nullable(f[4]), nullable(f[5])
		row.Tokens = TokenUsage{Input: saturate(f[6].Float64), Completion: saturate(f[7].Float64), Reasoning: saturate(f[8].Float64), Total: saturate(f[9].Float64)}
		row.Cost = Cost{Input: f[10].Float64, Output: f[11].Float64, Reasoning: f[12].Float64, Total: f[13].Float64}
		out = append(out, row)
	}
	if binSeconds > 0 {
		if out, err = fillBins(out, q, binSeconds, anchor, offset); err != nil {
			return nil, err
		}
	}
	// Sorted here, not in SQL: the databases collate text differently.
	slices.SortStableFunc(out, func(a, b AnalyticsRow) int {
		if a.Bucket != nil && b.Bucket != nil {
			if c := a.Bucket.Compare(*b.Bucket); c != 0 {
				return c
			}
		}
		return strings.Compare(groupKey(q.Dims, a), groupKey(q.Dims, b))
	})
	return out, nil
}

// groupKey identifies a row's group; NULL sorts before every value.
func groupKey(dims []string, r AnalyticsRow) string {
	var b strings.Builder
	for _, dim := range dims {
		if v := r.Dims[dim]; v != nil {
			b.WriteString("=" + *v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
