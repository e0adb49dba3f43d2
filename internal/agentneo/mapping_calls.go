package agentneo

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

func (m *mapper) llmCall(r row, traceStart time.Time) ingest.LLMCall {
	start, end := m.span(r, traceStart)
	call := ingest.LLMCall{
		ExternalID:  m.ext(TableLLMCalls, r.id()),
		Name:        m.name(r, "name", ""),
		Model:       m.short(r, "model"),
		InputPrompt: str(r.get("input_prompt")),
		Output:      str(r.get("output")),
		ToolCall:    str(r.get("tool_call")),
		StartTime:   start,
		EndTime:     end,
		MemoryUsed:  integer(r.get("memory_used")),
	}
	if call.Name == "" {
		call.Name = "llm_call"
		if call.Model != nil && *call.Model != "" {
			call.Name = *call.Model
		}
	}

	var usage map[string]any
	if present, ok := decodeInto(r.get("token_usage"), &usage); !ok {
		m.warn("json", "llm_call %d: unreadable token_usage %q; tokens left at 0", r.id(), text(r.get("token_usage")))
	} else if present {
		count := func(what string, keys ...string) int64 {
			f, ok := firstNumber(usage, keys...)
			if !ok {
				return 0
			}
			if f < 0 {
				m.warn("json", "llm_call %d: negative %s tokens %v; imported as 0", r.id(), what, f)
				return 0
			}
			return int64(f)
		}
		call.Tokens.Input = count("input", "input", "prompt", "input_tokens", "prompt_tokens")
		call.Tokens.Completion = count("completion", "completion", "output", "completion_tokens", "output_tokens")
		call.Tokens.Reasoning = count("reasoning", "reasoning", "reasoning_tokens")
		if _, ok := firstNumber(usage, "total", "total_tokens"); ok {
			total := count("total", "total", "total_tokens")
			call.Tokens.Total = &total
		}
	}

	// A recorded cost is kept as recorded; only a call without one is
	// priced from the model price table.
	var cost map[string]any
	if present, ok := decodeInto(r.get("cost"), &cost); !ok {
		m.warn("json", "llm_call %d: unreadable cost %q; computed from the price table", r.id(), text(r.get("cost")))
	} else if present {
		var c ingest.Cost
		var found bool
		if f, ok := firstNumber(cost, "input", "prompt", "input_cost", "prompt_cost"); ok {
			c.Input, found = f, true
		}
		if f, ok := firstNumber(cost, "output", "completion", "output_cost", "completion_cost"); ok {
			c.Output, found = f, true
		}
		if f, ok := firstNumber(cost, "reasoning", "reasoning_cost"); ok {
			c.Reasoning, found = f, true
		}
		if f, ok := firstNumber(cost, "total", "total_cost"); ok {
			c.Total, found = &f, true
		}
		if found {
			call.Cost = &c
		}
	}
	return call
}

func (m *mapper) toolCall(r row, traceStart time.Time) ingest.ToolCall {
	start, end := m.span(r, traceStart)
	call := ingest.ToolCall{
		ExternalID:      m.ext(TableToolCalls, r.id()),
		Name:            m.name(r, "name", "tool_call"),
		InputParameters: str(r.get("input_parameters")),
		Output:          str(r.get("output")),
		StartTime:       start,
		EndTime:         end,
		MemoryUsed:      integer(r.get("memory_used")),
	}
	var calls []any
	present, ok := decodeInto(r.get("network_calls"), &calls)
	if !ok {
		var one map[string]any
		if p, ok1 := decodeInto(r.get("network_calls"), &one); p && ok1 {
			calls, ok = []any{one}, true
		}
	}
	if !ok {
		m.warn("json", "tool_call %d: unreadable network_calls; left empty", r.id())
	} else if present {
		call.NetworkCalls = make([]db.NetworkCall, 0, len(calls))
		for _, c := range calls {
			obj, isObj := c.(map[string]any)
			if !isObj {
				continue
			}
			n := m.networkCall(obj)
			if strings.TrimSpace(n.URL) == "" {
				m.warn("json", "tool_call %d: a network call without url; left out", r.id())
				continue
			}
			call.NetworkCalls = append(call.NetworkCalls, n)
		}
	}
	return call
}

// networkCall maps one recorded HTTP call; its times are naive local time
// too (Python's datetime.isoformat of datetime.now()).
func (m *mapper) networkCall(o map[string]any) db.NetworkCall {
	n := db.NetworkCall{Method: jsonText(o["method"]), URL: jsonText(o["url"])}
	if f, ok := firstNumber(o, "status_code", "status"); ok {
		code := int(f)
		n.StatusCode = &code
	}
	if e := jsonText(o["error"]); e != "" {
		n.Error = &e
	}
	if t, _ := parseTime(o["start_time"], m.loc); t != nil {
		n.StartTime = t
	}
	if t, _ := parseTime(o["end_time"], m.loc); t != nil && (n.StartTime == nil || !t.Before(*n.StartTime)) {
		n.EndTime = t
	}
	if f, ok := firstNumber(o, "duration"); ok {
		n.Duration = &f
	}
	n.RequestHeaders = jsonHeaders(o["request_headers"])
	n.ResponseHeaders = jsonHeaders(o["response_headers"])
	if o["request_body"] != nil {
		b := jsonText(o["request_body"])
		n.RequestBody = &b
	}
	if o["response_body"] != nil {
		b := jsonText(o["response_body"])
		n.ResponseBody = &b
	}
	return n
}

// jsonText renders a decoded JSON value as text: strings as they are,
// anything else as JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonHeaders(v any) map[string]string {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		out[k] = jsonText(val)
	}
	return out
}
