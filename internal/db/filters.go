package db

import (
	"strings"
	"time"
)

// The filters below narrow lists; every field is optional and the zero
// filter keeps every row. Each renders as a Cond over alias t.

// TimeRange keeps rows whose time is in [From, To).
type TimeRange struct {
	From, To *time.Time
}

func (r TimeRange) cond(column string) Cond {
	var c []Cond
	if r.From != nil {
		c = append(c, Cond{SQL: "t." + column + " >= ?", Args: []any{r.From.UTC()}})
	}
	if r.To != nil {
		c = append(c, Cond{SQL: "t." + column + " < ?", Args: []any{r.To.UTC()}})
	}
	return And(c...)
}

// FloatRange keeps rows whose value is within [Min, Max].
type FloatRange struct {
	Min, Max *float64
}

func (r FloatRange) cond(expr string) Cond { return between(expr, r.Min, r.Max) }

// IntRange keeps rows whose value is within [Min, Max].
type IntRange struct {
	Min, Max *int64
}

func (r IntRange) cond(expr string) Cond { return between(expr, r.Min, r.Max) }

// between keeps rows whose expr is within the bounds given.
func between[N int64 | float64](expr string, lo, hi *N) Cond {
	var c []Cond
	if lo != nil {
		c = append(c, Cond{SQL: expr + " >= ?", Args: []any{*lo}})
	}
	if hi != nil {
		c = append(c, Cond{SQL: expr + " <= ?", Args: []any{*hi}})
	}
	return And(c...)
}

func equals(expr string, v *string) Cond {
	if v == nil {
		return Cond{}
	}
	return Cond{SQL: expr + " = ?", Args: []any{*v}}
}

// exists keeps traces with a row in table satisfying cond (over alias x).
func exists(table, cond string, args ...any) Cond {
	return Cond{SQL: "EXISTS (SELECT 1 FROM " + table + " x WHERE x.trace_id = t.id AND " + cond + ")", Args: args}
}

// MetricScore keeps traces with a metric of that name scored within range.
type MetricScore struct {
	Name  string
	Score FloatRange
}

// TraceFilter narrows trace lists.
type TraceFilter struct {
	Started   TimeRange
	HasErrors *bool
	ErrorType *string
	AgentName *string
	ToolName  *string
	Model     *string
	Duration  FloatRange
	Cost      FloatRange
	Tokens    IntRange
	Metric    *MetricScore
	// Search matches text in prompts, outputs, tool inputs and outputs and
	// interaction contents.
	Search *string
}

// Cond renders the filter for d's dialect.
func (f TraceFilter) Cond(d *DB) Cond {
	c := []Cond{f.Started.cond("start_time"), f.Duration.cond("t.duration"), f.Cost.cond("t.total_cost"), f.Tokens.cond("t.total_tokens")}
	if f.HasErrors != nil {
		e := exists("errors", "1 = 1")
		if !*f.HasErrors {
			e.SQL = "NOT " + e.SQL
		}
		c = append(c, e)
	}
	if f.ErrorType != nil {
		c = append(c, exists("errors", "LOWER(x.error_type) = LOWER(?)", *f.ErrorType))
	}
	if f.AgentName != nil {
		c = append(c, exists("agent_call", "x.name = ?", *f.AgentName))
	}
	if f.ToolName != nil {
		c = append(c, exists("tool_call", "x.name = ?", *f.ToolName))
	}
	if f.Model != nil {
		c = append(c, exists("llm_call", "x.model = ?", *f.Model))
	}
	if m := f.Metric; m != nil {
		score := m.Score.cond("x.score")
		sql := "x.metric_name = ?"
		args := []any{m.Name}
		if score.SQL != "" {
			sql += " AND " + score.SQL
			args = append(args, score.Args...)
		}
		c = append(c, exists("metrics", sql, args...))
	}
	if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
		c = append(c, d.traceTextSearch(strings.TrimSpace(*f.Search)))
	}
	return And(c...)
}

// LLMCallFilter narrows LLM call lists.
type LLMCallFilter struct {
	Name, Model *string
	Started     TimeRange
	Duration    FloatRange
	Cost        FloatRange
	Tokens      IntRange
}

// Cond renders the filter.
func (f LLMCallFilter) Cond() Cond {
	return And(equals("t.name", f.Name), equals("t.model", f.Model), f.Started.cond("start_time"),
		f.Duration.cond("t.duration"), f.Cost.cond("t.total_cost"), f.Tokens.cond("t.total_tokens"))
}

// ToolCallFilter narrows tool call lists.
type ToolCallFilter struct {
	Name     *string
	Started  TimeRange
	Duration FloatRange
}

// Cond renders the filter.
func (f ToolCallFilter) Cond() Cond {
	return And(equals("t.name", f.Name), f.Started.cond("start_time"), f.Duration.cond("t.duration"))
}

// AgentCallFilter narrows agent call lists.
type AgentCallFilter struct {
	Name    *string
	Started TimeRange
}

// Cond renders the filter.
func (f AgentCallFilter) Cond() Cond {
	return And(equals("t.name", f.Name), f.Started.cond("start_time"))
}

// ErrorFilter narrows error lists.
type ErrorFilter struct {
	ErrorType   *string
	Fingerprint *string
	Time        TimeRange
}

// Cond renders the filter.
func (f ErrorFilter) Cond() Cond {
	c := []Cond{equals("t.fingerprint", f.Fingerprint), f.Time.cond("timestamp")}
	if f.ErrorType != nil {
		c = append(c, Cond{SQL: "LOWER(t.error_type) = LOWER(?)", Args: []any{*f.ErrorType}})
	}
	return And(c...)
}

// InteractionFilter narrows user interaction lists.
type InteractionFilter struct {
	InteractionType *string
	Time            TimeRange
}

// Cond renders the filter.
func (f InteractionFilter) Cond() Cond {
	return And(equals("t.interaction_type", f.InteractionType), f.Time.cond("timestamp"))
}

// MetricFilter narrows metric lists.
type MetricFilter struct {
	MetricName *string
	Score      FloatRange
	Time       TimeRange
}

// Cond renders the filter.
func (f MetricFilter) Cond() Cond {
	return And(equals("t.metric_name", f.MetricName), f.Score.cond("t.score"), f.Time.cond("timestamp"))
}

// Sort orders. NULL durations and scores (calls still running, metrics
// without a score) sort as -1: before every real value.
var (
	nullsFirst = -1.0

	DurationOrder = Order{column: "duration", Kind: SortByReal, NullsAs: &nullsFirst}
	CostOrder     = Order{column: "total_cost", Kind: SortByReal}
	TokensOrder   = Order{column: "total_tokens", Kind: SortByInteger}
	ScoreOrder    = Order{column: "score", Kind: SortByReal, NullsAs: &nullsFirst}
)

// Descending returns o in the opposite direction when desc is set.
func (o Order) Descending(desc bool) Order {
	o.Desc = desc
	return o
}
