package graph_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// fact is one row of an analytics source, as the test reads it.
type fact struct {
	dims         map[string]string
	value        *float64
	errors       int
	tokens, cost float64
}

// facts computes, from the stored rows, what every source aggregates.
func facts(w world, project int64) map[string][]fact {
	agentName := map[int64]string{}
	for _, a := range w.agents {
		agentName[a.ID] = a.Name
	}
	agentOf := func(id *int64) string {
		if id == nil {
			return ""
		}
		return agentName[*id]
	}
	count := func(keep func(db.TraceError) bool) (n int) {
		for _, e := range w.errs {
			if keep(e) {
				n++
			}
		}
		return n
	}
	trace := func(id int64) string { return strconv.FormatInt(id, 10) }
	out := map[string][]fact{}
	for _, t := range w.traces {
		if t.ProjectID == project {
			out["TRACES"] = append(out["TRACES"], fact{dims: map[string]string{}, value: t.Duration,
				errors: count(func(e db.TraceError) bool { return e.TraceID == t.ID }), tokens: float64(t.TotalTokens), cost: t.TotalCost})
		}
	}
	for _, c := range w.llm {
		if c.ProjectID == project {
			out["LLM_CALLS"] = append(out["LLM_CALLS"], fact{dims: map[string]string{"MODEL": *c.Model, "AGENT": agentOf(c.AgentID), "TRACE": trace(c.TraceID)},
				value: c.Duration, errors: count(func(e db.TraceError) bool { return e.LLMCallID != nil && *e.LLMCallID == c.ID }),
				tokens: float64(c.Tokens.Total), cost: c.Cost.Total})
		}
	}
	for _, c := range w.tools {
		if c.ProjectID == project {
			out["TOOL_CALLS"] = append(out["TOOL_CALLS"], fact{dims: map[string]string{"TOOL": c.Name, "AGENT": agentOf(c.AgentID), "TRACE": trace(c.TraceID)},
				value: c.Duration, errors: count(func(e db.TraceError) bool { return e.ToolCallID != nil && *e.ToolCallID == c.ID })})
		}
	}
	for _, a := range w.agents {
		if a.ProjectID == project {
			out["AGENT_CALLS"] = append(out["AGENT_CALLS"], fact{dims: map[string]string{"AGENT": a.Name, "TRACE": trace(a.TraceID)},
				value: a.Duration(), errors: count(func(e db.TraceError) bool { return e.AgentID != nil && *e.AgentID == a.ID })})
		}
	}
	for _, e := range w.errs {
		if e.ProjectID == project {
			out["ERRORS"] = append(out["ERRORS"], fact{dims: map[string]string{"ERROR_TYPE": e.ErrorType, "AGENT": agentOf(e.AgentID), "TRACE": trace(e.TraceID)}, errors: 1})
		}
	}
	for _, m := range w.metrics {
		if m.ProjectID == project {
			out["METRICS"] = append(out["METRICS"], fact{dims: map[string]string{"METRIC": m.MetricName, "TRACE": trace(m.TraceID)}, value: m.Score})
		}
	}
	return out
}

// TestAnalyticsEverySource groups every source by each of its dimensions and
// compares every measure with values computed from the rows.
func TestAnalyticsEverySource(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		w := readWorld(t, e.store)
		all := facts(w, 2)
		dims := map[string][]string{
			"TRACES": {""}, "LLM_CALLS": {"MODEL", "AGENT", "TRACE"}, "TOOL_CALLS": {"TOOL", "AGENT"},
			"AGENT_CALLS": {"AGENT", "TRACE"}, "ERRORS": {"ERROR_TYPE", "AGENT"}, "METRICS": {"METRIC"},
		}
		field := map[string]string{"MODEL": "model", "AGENT": "agent", "TOOL": "tool", "ERROR_TYPE": "errorType", "METRIC": "metric", "TRACE": "trace { databaseId }"}
		for source, list := range dims {
			for _, dim := range list {
				groupBy, sel := "[]", ""
				if dim != "" {
					groupBy, sel = "["+dim+"]", field[dim]
				}
				var data struct {
					Analytics []map[string]any
				}
				e.mustData(t, fmt.Sprintf(`{ analytics(projectId: "UHJvamVjdDoy", source: %s, groupBy: %s,
					timeRange: {from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"}) {
					%s count errorCount value { sum avg min max p50 p90 p99 } tokens { total } cost { total } } }`, source, groupBy, sel), nil, &data)

				want := map[string][]fact{}
				for _, f := range all[source] {
					want[f.dims[dim]] = append(want[f.dims[dim]], f)
				}
				if len(data.Analytics) != len(want) || len(want) == 0 {
					t.Errorf("%s by %s: %d rows, want %d", source, dim, len(data.Analytics), len(want))
					continue
				}
				for _, row := range data.Analytics {
					key := ""
					switch v := row[strings.ToLower(strings.ReplaceAll(dim, "_TYPE", "Type"))].(type) {
					case string:
						key = v
					case map[string]any:
						key = strconv.FormatFloat(v["databaseId"].(float64), 'f', 0, 64)
					}
					if dim == "ERROR_TYPE" {
						key, _ = row["errorType"].(string)
					}
					fs := want[key]
					var vals []float64
					errs, tokens, cost := 0, 0.0, 0.0
					for _, f := range fs {
						if f.value != nil {
							vals = append(vals, *f.value)
						}
						errs += f.errors
						tokens += f.tokens
						cost += f.cost
					}
					value := row["value"].(map[string]any)
					num := func(k string) *float64 {
						if v, ok := value[k].(float64); ok {
							return &v
						}
						return nil
					}
					var sum, avg, lo, hi *float64
					if len(vals) > 0 {
						s := 0.0
						for _, v := range vals {
							s += v
						}
						a, mn, mx := s/float64(len(vals)), slices.Min(vals), slices.Max(vals)
						sum, avg, lo, hi = &s, &a, &mn, &mx
					}
					got := quantiles{Count: len(vals), P50: num("p50"), P90: num("p90"), P99: num("p99")}
					if int(row["count"].(float64)) != len(fs) || int(row["errorCount"].(float64)) != errs ||
						!nearPtr(num("sum"), sum) || !nearPtr(num("avg"), avg) || !nearPtr(num("min"), lo) || !nearPtr(num("max"), hi) ||
						!got.equal(wantQuantiles(vals)) ||
						!near(row["tokens"].(map[string]any)["total"].(float64), tokens) || !near(row["cost"].(map[string]any)["total"].(float64), cost) {
						t.Errorf("%s by %s = %q: %v\nwant count %d errors %d sum %v avg %v min %v max %v quantiles %+v tokens %v cost %v",
							source, dim, key, row, len(fs), errs, deref(sum), deref(avg), deref(lo), deref(hi), wantQuantiles(vals), tokens, cost)
					}
				}
			}
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
