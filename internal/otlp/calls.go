package otlp

import (
	"math"
	"strconv"
	"strings"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// spanKind is what a span is stored as (classify decides).
type spanKind int

const (
	kindNone spanKind = iota // not stored; still walked for ancestry
	kindLLM
	kindTool
	kindAgent
)

// errorType is the error_type of errors recorded on a span of this kind.
func (k spanKind) errorType() string {
	switch k {
	case kindLLM:
		return "LLM"
	case kindTool:
		return "Tool"
	case kindAgent:
		return "Agent"
	}
	return ""
}

var (
	llmOperations   = map[string]bool{"chat": true, "text_completion": true, "generate_content": true, "embeddings": true}
	agentOperations = map[string]bool{"invoke_agent": true, "create_agent": true}
)

// classify decides what a span is: OpenInference's span kind first, then
// the GenAI operation name, then the presence of GenAI model attributes.
func classify(a attrs) spanKind {
	if k, ok := a.str("openinference.span.kind"); ok {
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "LLM", "EMBEDDING":
			return kindLLM
		case "TOOL":
			return kindTool
		case "AGENT":
			return kindAgent
		}
		return kindNone
	}
	if op, ok := a.str("gen_ai.operation.name"); ok {
		op = strings.ToLower(strings.TrimSpace(op))
		switch {
		case llmOperations[op]:
			return kindLLM
		case op == "execute_tool":
			return kindTool
		case agentOperations[op]:
			return kindAgent
		}
	}
	if _, ok := a.str("gen_ai.request.model", "gen_ai.system", "gen_ai.provider.name"); ok {
		return kindLLM
	}
	return kindNone
}

// build fills in the entity a span maps to and the errors recorded on it.
func (m *mapper) build(sp *span) {
	a := sp.attrs
	switch sp.kind {
	case kindLLM:
		sp.llm = llmCall(sp)
	case kindTool:
		sp.tool = &ingest.ToolCall{
			ExternalID:      sp.id,
			AgentRef:        sp.agentRef,
			Name:            firstNonEmpty(str(a, "gen_ai.tool.name", "tool.name"), sp.s.Name, "tool"),
			InputParameters: a.strPtr("gen_ai.tool.call.arguments", "input.value"),
			Output:          a.strPtr("gen_ai.tool.call.result", "output.value"),
			StartTime:       sp.start,
			EndTime:         sp.end,
		}
		if sp.agentSpan != nil {
			sp.tool.AgentRef = ""
		}
	case kindAgent:
		sp.agent = &ingest.Agent{
			ExternalID: sp.id,
			Name:       firstNonEmpty(str(a, "gen_ai.agent.name", "agent.name"), sp.s.Name, "agent"),
			StartTime:  sp.start,
			EndTime:    sp.end,
		}
	}
	sp.errs = spanErrors(sp)
}

func llmCall(sp *span) *ingest.LLMCall {
	a := sp.attrs
	c := &ingest.LLMCall{
		ExternalID: sp.id,
		Name:       firstNonEmpty(sp.s.Name, str(a, "gen_ai.operation.name"), "llm"),
		Model:      a.strPtr("gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "embedding.model_name"),
		StartTime:  sp.start,
		EndTime:    sp.end,
	}
	if sp.agentSpan == nil {
		c.AgentRef = sp.agentRef
	}
	c.InputPrompt = firstText(
		str(a, "gen_ai.input.messages", "gen_ai.prompt"),
		eventAttr(sp.s, "gen_ai.content.prompt", "gen_ai.prompt"),
		a.indexed("gen_ai.prompt"),
		str(a, "input.value"),
	)
	c.Output = firstText(
		str(a, "gen_ai.output.messages", "gen_ai.completion"),
		eventAttr(sp.s, "gen_ai.content.completion", "gen_ai.completion"),
		a.indexed("gen_ai.completion"),
		str(a, "output.value"),
	)

	in, _ := a.int("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")
	out, _ := a.int("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")
	reasoning, _ := a.int("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens",
		"llm.token_count.completion_details.reasoning")
	// The conventions count reasoning tokens inside the output tokens; the
	// store keeps them apart (total = input + completion + reasoning).
	if reasoning > 0 && reasoning <= out {
		out -= reasoning
	}
	c.Tokens = ingest.TokenUsage{Input: in, Completion: out, Reasoning: reasoning}
	if total, ok := a.int("gen_ai.usage.total_tokens", "llm.token_count.total"); ok && total >= in+out+reasoning {
		c.Tokens.Total = &total
	}

	total, hasTotal := a.float("gen_ai.usage.cost", "llm.cost.total")
	inCost, hasIn := a.float("gen_ai.usage.input_cost", "llm.cost.prompt")
	outCost, hasOut := a.float("gen_ai.usage.output_cost", "llm.cost.completion")
	if hasTotal || hasIn || hasOut {
		c.Cost = &ingest.Cost{Input: inCost, Output: outCost}
		if hasTotal {
			c.Cost.Total = &total
		}
	}
	return c
}

// spanErrors maps exception events, or else an ERROR status, to errors of
// the span's entity.
func spanErrors(sp *span) []ingest.Error {
	var errs []ingest.Error
	add := func(key, msg string, at time.Time) {
		e := ingest.Error{ExternalID: key, Type: sp.kind.errorType(), Message: &msg, Timestamp: at, AgentRef: sp.agentID()}
		switch sp.kind {
		case kindLLM:
			e.LLMCallRef = sp.id
		case kindTool:
			e.ToolCallRef = sp.id
		}
		errs = append(errs, e)
	}
	for i, ev := range sp.s.Events {
		if ev == nil || ev.Name != "exception" {
			continue
		}
		ea := newAttrs(ev.Attributes)
		typ, _ := ea.str("exception.type")
		msg, _ := ea.str("exception.message")
		switch {
		case typ != "" && msg != "":
			msg = typ + ": " + msg
		case typ != "":
			msg = typ
		case msg == "":
			msg = "exception"
		}
		at := sp.start
		if ev.TimeUnixNano != 0 && ev.TimeUnixNano <= math.MaxInt64 {
			at = nanos(ev.TimeUnixNano)
		}
		add(sp.id+"/exception/"+strconv.Itoa(i), msg, at)
	}
	if len(errs) == 0 && sp.s.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		msg := sp.s.GetStatus().GetMessage()
		if msg == "" {
			msg = "span status ERROR"
		}
		at := sp.start
		if sp.end != nil {
			at = *sp.end
		}
		add(sp.id+"/status", msg, at)
	}
	return errs
}
