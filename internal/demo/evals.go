package demo

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// metrics evaluates the trace after its calls, starting now; failed traces
// score lower.
func (g *gen) metrics(n int, failed bool) []db.Metric {
	if n == 0 {
		return nil
	}
	out := make([]db.Metric, n)
	first := g.r.IntN(len(metricSpecs))
	for j := range out {
		spec := metricSpecs[(first+j)%len(metricSpecs)]
		var pct int
		switch {
		case failed:
			pct = between(g.r, 20, 75)
		case g.r.IntN(7) == 0:
			pct = between(g.r, 30, 69)
		default:
			pct = between(g.r, 70, 100)
		}
		score := float64(pct) / 100
		reason := spec.good
		if pct < 70 {
			reason = spec.poor
		}
		judge := "gpt-4o-mini"
		g.now += int64(between(g.r, 20, 200))
		ms := int64(between(g.r, 400, 3500))
		start := g.now
		g.now += ms
		scoreText := strconv.FormatFloat(score, 'f', -1, 64)
		out[j] = db.Metric{
			MetricName: spec.name,
			Score:      &score,
			Reason:     &reason,
			ResultDetail: db.RawJSON(fmt.Sprintf(`{"score":%s,"threshold":0.7,"passed":%t,"judge_model":%q,"steps_evaluated":%d}`,
				scoreText, pct >= 70, judge, between(g.r, 2, 9))),
			Config:    db.RawJSON(fmt.Sprintf(`{"model":%q,"threshold":0.7,"strict_mode":false,"temperature":0}`, judge)),
			StartTime: ptr(at(start)),
			EndTime:   ptr(at(g.now)),
			Duration:  seconds(ms),
			Timestamp: at(g.now),
		}
	}
	return out
}

// errors records one failure of each kind in a fully built tree: an LLM
// call, a tool call and an agent, each where one exists. The records point
// into tree's slices, which must not grow afterwards.
func (g *gen) errors(tree *db.TraceTree) []db.ErrorRecord {
	var out []db.ErrorRecord
	if c, agent := nthLLMCall(tree, g.r.IntN(max(countLLMCalls(tree), 1))); c != nil {
		out = append(out, db.ErrorRecord{
			Error:   failure("LLM", pick(g.r, llmErrors), *c.Model, *c.EndTime),
			LLMCall: c,
			Agent:   agent,
		})
	}
	if c, agent := nthToolCall(tree, g.r.IntN(max(countToolCalls(tree), 1))); c != nil {
		formats := localToolErrors
		if toolSpecs[c.Name].network {
			formats = networkToolErrors
		}
		rec := db.ErrorRecord{
			Error:    failure("Tool", pick(g.r, formats), c.Name, *c.EndTime),
			ToolCall: c,
			Agent:    agent,
		}
		msg := *rec.Error.ErrorMessage
		c.Output = ptr(msg)
		if calls := c.Calls(); len(calls) > 0 {
			last := &calls[len(calls)-1]
			for _, status := range []int{429, 503} {
				if strings.Contains(msg, "HTTP "+strconv.Itoa(status)) {
					last.StatusCode, last.Error = ptr(status), ptr(msg[strings.Index(msg, "HTTP "):])
					body := `{"error":"` + strings.ToLower(http.StatusText(status)) + `"}`
					last.ResponseBody = &body
					last.ResponseHeaders["Content-Length"] = strconv.Itoa(len(body))
				}
			}
		}
		out = append(out, rec)
	}
	if len(tree.Agents) > 0 {
		a := &tree.Agents[g.r.IntN(len(tree.Agents))].Agent
		out = append(out, db.ErrorRecord{
			Error: failure("Agent", pick(g.r, agentErrors), a.Name, *a.EndTime),
			Agent: a,
		})
	}
	return out
}

// failure is an error of type kind with message format applied to name.
func failure(kind, format, name string, when time.Time) db.TraceError {
	return db.TraceError{ErrorType: kind, ErrorMessage: ptr(fmt.Sprintf(format, name)), Timestamp: when}
}
