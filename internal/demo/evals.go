package demo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// metrics evaluates the trace after its calls, starting now; failed traces
// score lower.
func (g *gen) metrics(n int, failed bool) []ingest.Metric {
	if n == 0 {
		return nil
	}
	out := make([]ingest.Metric, n)
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
		out[j] = ingest.Metric{
			ExternalID: g.childKey("metric", j),
			Name:       spec.name,
			Score:      &score,
			Reason:     &reason,
			ResultDetail: json.RawMessage(fmt.Sprintf(`{"score":%s,"threshold":0.7,"passed":%t,"judge_model":%q,"steps_evaluated":%d}`,
				scoreText, pct >= 70, judge, between(g.r, 2, 9))),
			Config:    json.RawMessage(fmt.Sprintf(`{"model":%q,"threshold":0.7,"strict_mode":false,"temperature":0}`, judge)),
			StartTime: ptr(at(start)),
			EndTime:   ptr(at(g.now)),
			Timestamp: at(g.now),
		}
	}
	return out
}

// errors records one failure of each kind in a fully built tree: an LLM
// call, a tool call and an agent, each where one exists. The records name
// the calls and agents by external id; an error of a call inside an agent
// names that agent too.
func (g *gen) errors(tree *ingest.Trace) []ingest.Error {
	var out []ingest.Error
	if c, agent := nthLLMCall(tree, g.r.IntN(max(countLLMCalls(tree), 1))); c != nil {
		e := failure("LLM", pick(g.r, llmErrors), *c.Model, *c.EndTime)
		e.LLMCallRef, e.AgentRef = c.ExternalID, agentKey(agent)
		out = append(out, e)
	}
	if c, agent := nthToolCall(tree, g.r.IntN(max(countToolCalls(tree), 1))); c != nil {
		formats := localToolErrors
		if toolSpecs[c.Name].network {
			formats = networkToolErrors
		}
		e := failure("Tool", pick(g.r, formats), c.Name, *c.EndTime)
		e.ToolCallRef, e.AgentRef = c.ExternalID, agentKey(agent)
		msg := *e.Message
		c.Output = ptr(msg)
		if calls := c.NetworkCalls; len(calls) > 0 {
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
		out = append(out, e)
	}
	if len(tree.Agents) > 0 {
		a := &tree.Agents[g.r.IntN(len(tree.Agents))]
		e := failure("Agent", pick(g.r, agentErrors), a.Name, *a.EndTime)
		e.AgentRef = a.ExternalID
		out = append(out, e)
	}
	for j := range out {
		out[j].ExternalID = g.childKey("error", j)
	}
	return out
}

// agentKey is the external id of agent, "" for none.
func agentKey(agent *ingest.Agent) string {
	if agent == nil {
		return ""
	}
	return agent.ExternalID
}

// failure is an error of type kind with message format applied to name.
func failure(kind, format, name string, when time.Time) ingest.Error {
	return ingest.Error{Type: kind, Message: ptr(fmt.Sprintf(format, name)), Timestamp: when}
}
