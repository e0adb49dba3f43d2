package agentneo

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// interaction maps a user_interactions row; one whose interaction_type is
// neither "input" nor "output" is skipped with a warning.
func (m *mapper) interaction(r row, traceStart time.Time) (ingest.Interaction, bool) {
	ts := m.time(r, "timestamp")
	if ts == nil {
		ts = &traceStart
	}
	typ := strings.ToLower(strings.TrimSpace(text(r.get("interaction_type"))))
	if typ != "input" && typ != "output" {
		m.warn("interaction", "user_interactions %d: interaction_type %q is neither input nor output; skipped", r.id(), typ)
		return ingest.Interaction{}, false
	}
	return ingest.Interaction{
		ExternalID: m.ext(TableInteractions, r.id()),
		Type:       typ,
		Content:    str(r.get("content")),
		Timestamp:  *ts,
	}, true
}

// error maps an errors row; its references to an agent, LLM call or tool
// call become external-id refs when the referenced row is in the same trace.
func (m *mapper) error(r row, traceStart time.Time, agents map[int64]int, llmCalls, toolCalls map[int64]bool, traceID int64) ingest.Error {
	ts := m.time(r, "timestamp")
	if ts == nil {
		ts = &traceStart
	}
	e := ingest.Error{
		ExternalID: m.ext(TableErrors, r.id()),
		Type:       normalizeErrorType(text(r.get("error_type"))),
		Message:    str(r.get("error_message")),
		Timestamp:  *ts,
	}
	if a := r.ref("agent_id"); a != nil {
		if _, ok := agents[*a]; ok {
			e.AgentRef = m.ext(TableAgentCalls, *a)
		} else {
			m.warn("ref", "errors %d: agent_call %d is not in trace %d; reference dropped", r.id(), *a, traceID)
		}
	}
	if l := r.ref("llm_call_id"); l != nil {
		if llmCalls[*l] {
			e.LLMCallRef = m.ext(TableLLMCalls, *l)
		} else {
			m.warn("ref", "errors %d: llm_call %d is not in trace %d; reference dropped", r.id(), *l, traceID)
		}
	}
	if t := r.ref("tool_call_id"); t != nil {
		if toolCalls[*t] {
			e.ToolCallRef = m.ext(TableToolCalls, *t)
		} else {
			m.warn("ref", "errors %d: tool_call %d is not in trace %d; reference dropped", r.id(), *t, traceID)
		}
	}
	if e.Type != "LLM" && e.Type != "Tool" && e.Type != "Agent" {
		// Say where it happened, most specific first.
		recorded := e.Type
		switch {
		case e.LLMCallRef != "":
			e.Type = "LLM"
		case e.ToolCallRef != "":
			e.Type = "Tool"
		default:
			e.Type = "Agent"
		}
		m.warn("ref", "errors %d: error_type %q is not LLM, Tool or Agent; imported as %s", r.id(), recorded, e.Type)
	}
	return e
}

func (m *mapper) metric(r row, traceStart time.Time) ingest.Metric {
	start := m.time(r, "start_time")
	end := m.time(r, "end_time")
	if start != nil && end != nil && end.Before(*start) {
		m.warn("time", "metrics %d: end_time before start_time; end left empty", r.id())
		end = nil
	}
	if start == nil && end != nil {
		m.warn("time", "metrics %d: end_time without start_time; used as its timestamp only", r.id())
	}
	ts := m.time(r, "timestamp")
	switch {
	case ts != nil:
	case end != nil:
		ts = end
	case start != nil:
		ts = start
	default:
		ts = &traceStart
	}
	name := m.name(r, "metric_name", "metric")
	return ingest.Metric{
		ExternalID:   m.ext(TableMetrics, r.id()),
		Name:         name,
		Score:        float(r.get("score")),
		Reason:       str(r.get("reason")),
		ResultDetail: m.document(r, "result_detail"),
		Config:       m.document(r, "config"),
		StartTime:    start,
		EndTime:      endIf(start, end),
		Timestamp:    *ts,
	}
}

// document reads a free-form JSON column; text that is not JSON is kept as a JSON string.
func (m *mapper) document(r row, col string) json.RawMessage {
	doc, ok := decodeJSON(r.get(col))
	if ok {
		return doc
	}
	m.warn("json", "%s %d: %s is not JSON; kept as a string", r.table, r.id(), col)
	b, _ := json.Marshal(text(r.get(col)))
	return b
}
