package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// modelSpec is a model with its API call name and list prices.
type modelSpec struct {
	call      string  // the recorded LLM call name
	input     float64 // USD per million input tokens
	output    float64 // USD per million completion (and reasoning) tokens
	reasoning bool    // bills hidden reasoning tokens
	msPerTok  int     // generation latency per output token
}

var models = map[string]modelSpec{
	"gpt-4o":            {call: "chat.completions", input: 2.50, output: 10.00, msPerTok: 12},
	"gpt-4o-mini":       {call: "chat.completions", input: 0.15, output: 0.60, msPerTok: 8},
	"o3-mini":           {call: "chat.completions", input: 1.10, output: 4.40, reasoning: true, msPerTok: 9},
	"claude-3-5-sonnet": {call: "messages.create", input: 3.00, output: 15.00, msPerTok: 14},
	"claude-3-5-haiku":  {call: "messages.create", input: 0.80, output: 4.00, msPerTok: 7},
	"gemini-1.5-pro":    {call: "generate_content", input: 1.25, output: 5.00, msPerTok: 11},
}

// usd is the price of tokens at perMillion USD per million tokens, rounded
// to 1e-10 USD as a provider's invoice would be.
func usd(tokens int64, perMillion float64) float64 {
	return math.Round(float64(tokens)*perMillion/1e6*1e10) / 1e10
}

// tokensFor estimates the token count of a text: about four characters each.
func tokensFor(text string) int64 { return int64(len(text)+3) / 4 }

// llmCall generates a call of the current agent (agent "" is the top level)
// starting now; next is the tool call the model asks for, if any.
func (g *gen) llmCall(agent string, next *pendingTool) ingest.LLMCall {
	model := pick(g.r, g.app.models)
	spec := models[model]
	prompt := g.prompt(agent)
	output := g.answer()

	tok := ingest.TokenUsage{Input: tokensFor(prompt), Completion: tokensFor(output)}
	if spec.reasoning {
		tok.Reasoning = tok.Completion * int64(between(g.r, 2, 6))
	}
	tok.Total = ptr(tok.Input + tok.Completion + tok.Reasoning)
	cost := &ingest.Cost{
		Input:     usd(tok.Input, spec.input),
		Output:    usd(tok.Completion, spec.output),
		Reasoning: usd(tok.Reasoning, spec.output),
	}
	cost.Total = ptr(cost.Input + cost.Output + cost.Reasoning)

	ms := int64(180+between(g.r, 0, 600)) + (tok.Completion+tok.Reasoning/2)*int64(spec.msPerTok)
	start := g.now
	g.now += ms
	c := ingest.LLMCall{
		ExternalID:  g.childKey("llm", g.nLLM),
		Name:        spec.call,
		Model:       ptr(model),
		InputPrompt: &prompt,
		Output:      &output,
		StartTime:   at(start),
		EndTime:     ptr(at(g.now)),
		MemoryUsed:  ptr(int64(between(g.r, 150_000, 8_000_000))),
		Tokens:      tok,
		Cost:        cost,
	}
	g.nLLM++
	if next != nil {
		c.ToolCall = ptr(toolCallJSON(g.hex(12), next.name, next.params))
	}
	return c
}

// prompt assembles a prompt of about PromptChars characters.
func (g *gen) prompt(agent string) string {
	role := "orchestrator"
	if agent != "" {
		role = agent + " agent"
	}
	var b strings.Builder
	target := g.textTarget()
	b.Grow(target + 200)
	fmt.Fprintf(&b, "System: You are the %s of the %s application. %s %s\n\nUser: %s\n\nContext:",
		role, g.app.name, pick(g.r, instructions), pick(g.r, instructions), g.question)
	g.fill(&b, target, g.app.facts)
	return b.String()
}

// answer assembles a model output of about PromptChars characters.
func (g *gen) answer() string {
	var b strings.Builder
	target := g.textTarget()
	b.Grow(target + 200)
	b.WriteString(pick(g.r, openers))
	g.fill(&b, target, g.app.facts, connectors)
	b.WriteByte(' ')
	b.WriteString(pick(g.r, closers))
	return b.String()
}

// textTarget is a text length around PromptChars.
func (g *gen) textTarget() int {
	return g.s.PromptChars * between(g.r, 75, 125) / 100
}

// fill appends sentences drawn from pools in turn until b holds target bytes,
// at least one sentence.
func (g *gen) fill(b *strings.Builder, target int, pools ...[]string) {
	for i := 0; i == 0 || b.Len() < target; i++ {
		b.WriteByte(' ')
		b.WriteString(pick(g.r, pools[i%len(pools)]))
	}
}

// toolCallJSON is the function call a model asked for, OpenAI style.
func toolCallJSON(id, name, params string) string {
	type function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	b, _ := json.Marshal(struct {
		ID       string   `json:"id"`
		Type     string   `json:"type"`
		Function function `json:"function"`
	}{"call_" + id, "function", function{name, params}})
	return string(b)
}
