package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// TraceStats are the rollups of one trace.
type TraceStats struct {
	TraceID      int64
	AgentCalls   int64
	LLMCalls     int64
	ToolCalls    int64
	Interactions int64
	Errors       int64
	Tokens       TokenUsage `gorm:"embedded"`
	Cost         Cost       `gorm:"embedded"`
	LLMTime      float64    // seconds spent in LLM calls
	ToolTime     float64    // seconds spent in tool calls
}

// tokenSums renders the sums of an LLM call subquery's token columns.
func (d *DB) tokenSums() string {
	cols := []string{"input_tokens", "completion_tokens", "reasoning_tokens", "total_tokens"}
	sums := make([]string, len(cols))
	for i, c := range cols {
		sums[i] = d.sumInt(c) + " AS " + c
	}
	return strings.Join(sums, ", ")
}

// countsOf renders a per-parent count of table as a join for alias t.
func countsOf(table, column, alias, in string) string {
	return fmt.Sprintf(" LEFT JOIN (SELECT %[2]s AS k, COUNT(*) AS n FROM %[1]s WHERE %[4]s GROUP BY %[2]s) %[3]s ON %[3]s.k = t.id",
		table, column, alias, in)
}

// TraceStatsFor returns the rollups of traces, in the order of ids, from
// one statement.
func (d *DB) TraceStatsFor(ctx context.Context, ids []int64) ([]TraceStats, error) {
	in, arg := d.inSet("trace_id", ids)
	tIn, tArg := d.inSet("t.id", ids)
	query := `SELECT t.id AS trace_id, COALESCE(a.n, 0) AS agent_calls, COALESCE(l.n, 0) AS llm_calls,
			COALESCE(tc.n, 0) AS tool_calls, COALESCE(ui.n, 0) AS interactions, COALESCE(e.n, 0) AS errors,
			COALESCE(l.input_tokens, 0) AS input_tokens, COALESCE(l.completion_tokens, 0) AS completion_tokens,
			COALESCE(l.reasoning_tokens, 0) AS reasoning_tokens, COALESCE(l.total_tokens, 0) AS total_tokens,
			COALESCE(l.input_cost, 0) AS input_cost, COALESCE(l.output_cost, 0) AS output_cost,
			COALESCE(l.reasoning_cost, 0) AS reasoning_cost, COALESCE(l.total_cost, 0) AS total_cost,
			COALESCE(l.seconds, 0) AS llm_time, COALESCE(tc.seconds, 0) AS tool_time
		FROM traces t
		LEFT JOIN (SELECT trace_id AS k, COUNT(*) AS n, ` + d.tokenSums() + `, SUM(input_cost) AS input_cost,
				SUM(output_cost) AS output_cost, SUM(reasoning_cost) AS reasoning_cost, SUM(total_cost) AS total_cost,
				SUM(duration) AS seconds
			FROM llm_call WHERE ` + in + ` GROUP BY trace_id) l ON l.k = t.id
		LEFT JOIN (SELECT trace_id AS k, COUNT(*) AS n, SUM(duration) AS seconds FROM tool_call WHERE ` + in + ` GROUP BY trace_id) tc ON tc.k = t.id` +
		countsOf("agent_call", "trace_id", "a", in) +
		countsOf("user_interactions", "trace_id", "ui", in) +
		countsOf("errors", "trace_id", "e", in) +
		` WHERE ` + tIn
	var rows []TraceStats
	if err := d.conn(ctx).Raw(query, arg, arg, arg, arg, arg, tArg).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return inKeyOrder(ids, rows, func(s TraceStats) int64 { return s.TraceID }, func(id int64) TraceStats { return TraceStats{TraceID: id} }), nil
}

// AgentStats are the rollups of one agent call.
type AgentStats struct {
	AgentID      int64
	LLMCalls     int64
	ToolCalls    int64
	Interactions int64
	Errors       int64
	Tokens       TokenUsage `gorm:"embedded"`
	Cost         Cost       `gorm:"embedded"`
}

// AgentStatsFor returns the rollups of agent calls, in the order of ids,
// from one statement.
func (d *DB) AgentStatsFor(ctx context.Context, ids []int64) ([]AgentStats, error) {
	in, arg := d.inSet("agent_id", ids)
	tIn, tArg := d.inSet("t.id", ids)
	query := `SELECT t.id AS agent_id, COALESCE(l.n, 0) AS llm_calls, COALESCE(tc.n, 0) AS tool_calls,
			COALESCE(ui.n, 0) AS interactions, COALESCE(e.n, 0) AS errors,
			COALESCE(l.input_tokens, 0) AS input_tokens, COALESCE(l.completion_tokens, 0) AS completion_tokens,
			COALESCE(l.reasoning_tokens, 0) AS reasoning_tokens, COALESCE(l.total_tokens, 0) AS total_tokens,
			COALESCE(l.input_cost, 0) AS input_cost, COALESCE(l.output_cost, 0) AS output_cost,
			COALESCE(l.reasoning_cost, 0) AS reasoning_cost, COALESCE(l.total_cost, 0) AS total_cost
		FROM agent_call t
		LEFT JOIN (SELECT agent_id AS k, COUNT(*) AS n, ` + d.tokenSums() + `, SUM(input_cost) AS input_cost,
				SUM(output_cost) AS output_cost, SUM(reasoning_cost) AS reasoning_cost, SUM(total_cost) AS total_cost
			FROM llm_call WHERE ` + in + ` GROUP BY agent_id) l ON l.k = t.id` +
		countsOf("tool_call", "agent_id", "tc", in) +
		countsOf("user_interactions", "agent_id", "ui", in) +
		countsOf("errors", "agent_id", "e", in) +
		` WHERE ` + tIn
	var rows []AgentStats
	if err := d.conn(ctx).Raw(query, arg, arg, arg, arg, tArg).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return inKeyOrder(ids, rows, func(s AgentStats) int64 { return s.AgentID }, func(id int64) AgentStats { return AgentStats{AgentID: id} }), nil
}

// inKeyOrder arranges rows in the order of ids, with empty where missing.
func inKeyOrder[R any](ids []int64, rows []R, key func(R) int64, empty func(int64) R) []R {
	byID := make(map[int64]R, len(rows))
	for _, r := range rows {
		byID[key(r)] = r
	}
	out := make([]R, len(ids))
	for i, id := range ids {
		if r, ok := byID[id]; ok {
			out[i] = r
		} else {
			out[i] = empty(id)
		}
	}
	return out
}

// Quantiles summarize the values of a duration or score.
type Quantiles struct {
	Count         int64
	P50, P90, P99 *float64
}

func quantilesOf(r AggRow) Quantiles {
	return Quantiles{Count: r.Count, P50: r.Quantiles[0], P90: r.Quantiles[1], P99: r.Quantiles[2]}
}

// ProjectStats are the rollups of a project over a time range.
type ProjectStats struct {
	ProjectID        int64
	Traces           int64
	TracesWithErrors int64
	Errors           int64
	Tokens           TokenUsage
	Cost             Cost
	TraceLatency     Quantiles
	LLMLatency       Quantiles
	ToolLatency      Quantiles
}

// ProjectStatsFor returns the rollups of projects over r (traces and calls
// by start time, errors by timestamp), in the order of ids, from four
// statements whatever the number of projects.
func (d *DB) ProjectStatsFor(ctx context.Context, ids []int64, r TimeRange) ([]ProjectStats, error) {
	in, arg := d.inSet("t.project_id", visibleProjects(ctx, ids))
	scope := func(timeColumn string) Cond { return And(Cond{SQL: in, Args: []any{arg}}, r.cond(timeColumn)) }
	stats := make(map[int64]*ProjectStats, len(ids))
	for _, id := range ids {
		stats[id] = &ProjectStats{ProjectID: id}
	}
	project := func(row AggRow) *ProjectStats {
		id, _ := strconv.ParseInt(row.Groups[0].String, 10, 64)
		return stats[id]
	}
	traces, err := d.RunAggregate(ctx, Aggregate{
		From: "traces t", Where: scope("start_time"), Groups: []string{"t.project_id"}, Value: "t.duration",
		Funcs: []AggFunc{{"COUNT", "1"}, {"SUM", "CASE WHEN EXISTS (SELECT 1 FROM errors x WHERE x.trace_id = t.id) THEN 1 ELSE 0 END"}},
	})
	if err != nil {
		return nil, err
	}
	for _, row := range traces {
		if s := project(row); s != nil {
			s.Traces, s.TracesWithErrors = int64(row.Funcs[0].Float64), int64(row.Funcs[1].Float64)
			s.TraceLatency = quantilesOf(row)
		}
	}
	llm, err := d.RunAggregate(ctx, Aggregate{
		From: "llm_call t", Where: scope("start_time"), Groups: []string{"t.project_id"}, Value: "t.duration",
		Funcs: []AggFunc{{"SUM", "t.input_tokens"}, {"SUM", "t.completion_tokens"}, {"SUM", "t.reasoning_tokens"}, {"SUM", "t.total_tokens"},
			{"SUM", "t.input_cost"}, {"SUM", "t.output_cost"}, {"SUM", "t.reasoning_cost"}, {"SUM", "t.total_cost"}},
	})
	if err != nil {
		return nil, err
	}
	for _, row := range llm {
		if s := project(row); s != nil {
			f := row.Funcs
			s.Tokens = TokenUsage{Input: saturate(f[0].Float64), Completion: saturate(f[1].Float64), Reasoning: saturate(f[2].Float64), Total: saturate(f[3].Float64)}
			s.Cost = Cost{Input: f[4].Float64, Output: f[5].Float64, Reasoning: f[6].Float64, Total: f[7].Float64}
			s.LLMLatency = quantilesOf(row)
		}
	}
	tools, err := d.RunAggregate(ctx, Aggregate{From: "tool_call t", Where: scope("start_time"), Groups: []string{"t.project_id"}, Value: "t.duration"})
	if err != nil {
		return nil, err
	}
	for _, row := range tools {
		if s := project(row); s != nil {
			s.ToolLatency = quantilesOf(row)
		}
	}
	errs, err := d.RunAggregate(ctx, Aggregate{From: "errors t", Where: scope("timestamp"), Groups: []string{"t.project_id"}, Funcs: []AggFunc{{"COUNT", "1"}}})
	if err != nil {
		return nil, err
	}
	for _, row := range errs {
		if s := project(row); s != nil {
			s.Errors = int64(row.Funcs[0].Float64)
		}
	}
	out := make([]ProjectStats, len(ids))
	for i, id := range ids {
		out[i] = *stats[id]
	}
	return out, nil
}

// MetricSummary summarizes the scores of one metric of a project.
type MetricSummary struct {
	ProjectID  int64
	MetricName string
	Count      int64
	Min        *float64
	Avg        *float64
	Max        *float64
	Score      Quantiles
}

// MetricSummariesFor returns, per project in the order of ids, the score
// summary of each metric name recorded over r, from one statement.
func (d *DB) MetricSummariesFor(ctx context.Context, ids []int64, r TimeRange) ([][]MetricSummary, error) {
	in, arg := d.inSet("t.project_id", visibleProjects(ctx, ids))
	rows, err := d.RunAggregate(ctx, Aggregate{
		From: "metrics t", Where: And(Cond{SQL: in, Args: []any{arg}}, r.cond("timestamp")),
		Groups: []string{"t.project_id", "t.metric_name"}, Value: "t.score",
		Funcs: []AggFunc{{"COUNT", "1"}, {"MIN", "t.score"}, {"AVG", "t.score"}, {"MAX", "t.score"}},
	})
	if err != nil {
		return nil, err
	}
	byProject := map[int64][]MetricSummary{}
	for _, row := range rows {
		id, _ := strconv.ParseInt(row.Groups[0].String, 10, 64)
		byProject[id] = append(byProject[id], MetricSummary{
			ProjectID: id, MetricName: row.Groups[1].String, Count: int64(row.Funcs[0].Float64),
			Min: nullable(row.Funcs[1]), Avg: nullable(row.Funcs[2]), Max: nullable(row.Funcs[3]), Score: quantilesOf(row),
		})
	}
	out := make([][]MetricSummary, len(ids))
	for i, id := range ids {
		out[i] = byProject[id]
	}
	return out, nil
}

// ErrorRate is the share of traces with errors, 0 without traces.
func (s *ProjectStats) ErrorRate() float64 {
	if s.Traces == 0 {
		return 0
	}
	return float64(s.TracesWithErrors) / float64(s.Traces)
}
