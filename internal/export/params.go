package export

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// params reads query parameters, remembering the first bad one.
type params struct {
	q    url.Values
	used map[string]bool
	err  error
}

func (p *params) str(name string) *string {
	p.used[name] = true
	if !p.q.Has(name) {
		return nil
	}
	v := p.q.Get(name)
	if err := db.CheckText(name, v); err != nil && p.err == nil {
		p.err = err
	}
	return &v
}

// search is a search parameter, refused over the limits of one search.
func (p *params) search(name string) *string {
	s := p.str(name)
	if err := db.CheckSearch(name, s); err != nil && p.err == nil {
		p.err = err
	}
	return s
}

func (p *params) float(name string) *float64 {
	s := p.str(name)
	if s == nil {
		return nil
	}
	f, err := strconv.ParseFloat(*s, 64)
	if (err != nil || math.IsNaN(f) || math.IsInf(f, 0)) && p.err == nil {
		p.err = apperr.Invalid(name, "must be a finite number, got %q", *s)
	}
	return &f
}

func (p *params) int(name string) *int64 {
	s := p.str(name)
	if s == nil {
		return nil
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil && p.err == nil {
		p.err = apperr.Invalid(name, "must be an integer, got %q", *s)
	}
	return &n
}

func (p *params) bool(name string) *bool {
	s := p.str(name)
	if s == nil {
		return nil
	}
	b, err := strconv.ParseBool(*s)
	if err != nil && p.err == nil {
		p.err = apperr.Invalid(name, "must be true or false, got %q", *s)
	}
	return &b
}

func (p *params) time(name string) *time.Time {
	s := p.str(name)
	if s == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil && p.err == nil {
		p.err = apperr.Invalid(name, "must be an RFC 3339 time such as 2026-01-05T09:00:00Z, got %q", *s)
	}
	return &t
}

func (p *params) floats(min, max string) db.FloatRange {
	return db.FloatRange{Min: p.float(min), Max: p.float(max)}
}

// conditions turns an export's query parameters into SQL: the project
// (project=NAME or projectId=ID), the time range (from, to) and the filters
// of the entity's GraphQL list. An unknown parameter is an error.
func conditions(ctx context.Context, store *db.DB, entity string, spec db.Export, q url.Values) (db.Cond, error) {
	p := &params{q: q, used: map[string]bool{}}
	var conds []db.Cond
	if name := p.str("project"); name != nil {
		if p.err != nil {
			return db.Cond{}, p.err
		}
		project, err := store.FindProjectByName(ctx, *name)
		if err != nil {
			return db.Cond{}, err
		}
		conds = append(conds, spec.Scope(project.ID))
	}
	if id := p.int("projectId"); id != nil {
		if !db.ProjectVisible(ctx, *id) {
			return db.Cond{}, apperr.NotFoundf("no project with id %d", *id)
		}
		conds = append(conds, spec.Scope(*id))
	}
	rangeCond, err := spec.Range(db.TimeRange{From: p.time("from"), To: p.time("to")})
	if err != nil {
		return db.Cond{}, err
	}
	conds = append(conds, rangeCond)
	switch entity {
	case "traces":
		f := db.TraceFilter{
			HasErrors: p.bool("hasErrors"), ErrorType: p.str("errorType"), AgentName: p.str("agentName"),
			ToolName: p.str("toolName"), Model: p.str("model"), Search: p.search("search"),
			Duration: p.floats("minDuration", "maxDuration"), Cost: p.floats("minCost", "maxCost"),
			Tokens: db.IntRange{Min: p.int("minTokens"), Max: p.int("maxTokens")},
		}
		if name := p.str("metric"); name != nil {
			f.Metric = &db.MetricScore{Name: *name, Score: p.floats("minScore", "maxScore")}
		}
		conds = append(conds, f.Cond(store))
	case "llm_calls":
		conds = append(conds, db.LLMCallFilter{Name: p.str("name"), Model: p.str("model"), Duration: p.floats("minDuration", "maxDuration"),
			Cost: p.floats("minCost", "maxCost"), Tokens: db.IntRange{Min: p.int("minTokens"), Max: p.int("maxTokens")}}.Cond())
	case "tool_calls":
		conds = append(conds, db.ToolCallFilter{Name: p.str("name"), Duration: p.floats("minDuration", "maxDuration")}.Cond())
	case "agent_calls":
		conds = append(conds, db.AgentCallFilter{Name: p.str("name")}.Cond())
	case "errors":
		conds = append(conds, db.ErrorFilter{ErrorType: p.str("errorType"), Fingerprint: p.str("fingerprint")}.Cond())
	case "user_interactions":
		conds = append(conds, db.InteractionFilter{InteractionType: p.str("interactionType")}.Cond())
	case "metrics":
		conds = append(conds, db.MetricFilter{MetricName: p.str("metricName"), Score: p.floats("minScore", "maxScore")}.Cond())
	}
	if p.err != nil {
		return db.Cond{}, p.err
	}
	for name := range q {
		if !p.used[name] {
			return db.Cond{}, apperr.Invalid(name, "is not a filter of %s exports", entity)
		}
	}
	return db.And(conds...), nil
}
