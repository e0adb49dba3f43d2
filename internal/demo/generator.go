package demo

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// baseTime is when the first demo trace may start; every time is an exact
// number of milliseconds after it, in UTC.
var baseTime = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

const (
	// pcgStream is the second PCG seed word ("agentgra").
	pcgStream = 0x6167656e74677261
	// traceWindowMs is the period a project's traces are spread over.
	traceWindowMs = 14 * 24 * 3600 * 1000
	// projectShiftMs staggers the projects' first traces.
	projectShiftMs = 137 * 60 * 1000
)

// gen is the state of one Generate run.
type gen struct {
	r        *rand.Rand
	s        Scale
	app      *app
	machine  machine
	question string // the current trace's user request
	now      int64  // the current time, ms after baseTime
	// key is the current trace's external id; the counters number its LLM
	// calls, tool calls and interactions in the order they happen, for
	// their external ids.
	key                 string
	nLLM, nTool, nInter int
}

// at is the time ms milliseconds after baseTime.
func at(ms int64) time.Time { return baseTime.Add(time.Duration(ms) * time.Millisecond) }

// seconds converts a whole number of milliseconds to seconds.
func seconds(ms int64) *float64 {
	s := float64(ms) / 1000
	return &s
}

func ptr[T any](v T) *T { return &v }

// between returns a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// hex returns n random lowercase hex digits.
func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// stepKind is what happens in one step of a trace's timeline.
type stepKind uint8

const (
	stepLLM stepKind = iota
	stepTool
	stepInteraction
)

// step is one event; for interactions, k is the index among the trace's
// interactions (even ones are user input, odd ones output to the user).
type step struct {
	kind stepKind
	k    int
}

// workSteps alternates LLM and tool calls, model first, as an agent loop does.
func workSteps(nLLM, nTool int) []step {
	out := make([]step, 0, nLLM+nTool)
	last := stepTool
	for nLLM+nTool > 0 {
		if nLLM > 0 && (last == stepTool || nTool == 0) {
			out, last, nLLM = append(out, step{kind: stepLLM}), stepLLM, nLLM-1
		} else {
			out, last, nTool = append(out, step{kind: stepTool}), stepTool, nTool-1
		}
	}
	return out
}

// sequence splits the work into one chunk per interaction: a user input
// precedes its chunk, an output to the user follows it.
func sequence(inters []int, nLLM, nTool int) []step {
	work := workSteps(nLLM, nTool)
	if len(inters) == 0 {
		return work
	}
	out := make([]step, 0, len(work)+len(inters))
	m := len(inters)
	for j, k := range inters {
		chunk := work[j*len(work)/m : (j+1)*len(work)/m]
		if k%2 == 0 {
			out = append(out, step{kind: stepInteraction, k: k})
			out = append(out, chunk...)
		} else {
			out = append(out, chunk...)
			out = append(out, step{kind: stepInteraction, k: k})
		}
	}
	return out
}

// calls collects what one agent, or the top level, records.
type calls struct {
	llm    []ingest.LLMCall
	tools  []ingest.ToolCall
	inters []ingest.Interaction
}

// traceKey is the external id of trace i of project p.
func traceKey(p, i int) string { return "demo-" + strconv.Itoa(p) + "-" + strconv.Itoa(i) }

// childKey is the external id of the n-th entity of a kind in the current
// trace, such as "demo-0-3/llm-2".
func (g *gen) childKey(kind string, n int) string {
	return g.key + "/" + kind + "-" + strconv.Itoa(n)
}

// run plays steps from now on for agent ("" at the top level).
func (g *gen) run(steps []step, agent string, c *calls) {
	var pending *pendingTool
	for i, st := range steps {
		g.now += int64(between(g.r, 5, 150))
		switch st.kind {
		case stepLLM:
			if i+1 < len(steps) && steps[i+1].kind == stepTool {
				pending = g.chooseTool()
			}
			c.llm = append(c.llm, g.llmCall(agent, pending))
		case stepTool:
			if pending == nil {
				pending = g.chooseTool()
			}
			c.tools = append(c.tools, g.toolCall(pending))
			pending = nil
		case stepInteraction:
			c.inters = append(c.inters, g.interaction(st.k))
		}
	}
}

// interaction is the k-th user interaction of the trace, at now.
func (g *gen) interaction(k int) ingest.Interaction {
	ui := ingest.Interaction{ExternalID: g.childKey("interaction", g.nInter), Type: "output", Timestamp: at(g.now)}
	g.nInter++
	switch {
	case k == 0:
		ui.Type, ui.Content = "input", ptr(g.question)
	case k%2 == 0:
		ui.Type, ui.Content = "input", ptr(pick(g.r, followUps))
	default:
		ui.Content = ptr(g.answer())
	}
	return ui
}

// spread deals n items to a agents: one each while they last, the rest at random.
func (g *gen) spread(n, a int) []int {
	out := make([]int, a)
	for i := 0; i < n; i++ {
		if i < a {
			out[i]++
		} else {
			out[g.r.IntN(a)]++
		}
	}
	return out
}

// agentName is the name of the i-th agent of a trace.
func (g *gen) agentName(i int) string {
	roster := g.app.agents
	name := roster[i%len(roster)]
	if i >= len(roster) {
		name += "_" + strconv.Itoa(i/len(roster)+1)
	}
	return name
}

// trace generates trace i of project p.
func (g *gen) trace(p, i int) *ingest.Trace {
	s := g.s
	nA, nL, nT, nI := s.AgentsPerTrace, s.LLMCallsPerTrace, s.ToolCallsPerTrace, s.InteractionsPerTrace
	slot := int64(traceWindowMs / max(s.TracesPerProject, 1))
	g.now = int64(p)*projectShiftMs + int64(i)*slot + g.r.Int64N(slot/2+1)
	start := g.now
	g.question = pick(g.r, g.app.questions)
	g.key, g.nLLM, g.nTool, g.nInter = traceKey(p, i), 0, 0, 0

	tree := &ingest.Trace{Project: ProjectName(p), ExternalID: g.key, SystemInfo: g.systemInfo(i)}

	// Who does what: a few calls at the top level (routing before the agents,
	// composing after them), the rest dealt to the agents; interactions go to
	// the agents from first to last, or stay at the top level.
	topL, topT := nL, nT
	if nA > 0 {
		topL, topT = 0, 0
		if nL > nA {
			topL = g.r.IntN(min(nL-nA, 2) + 1)
		}
		if nT > 0 {
			topT = g.r.IntN(min(nT, 2) + 1)
		}
	}
	llmPer, toolPer := g.spread(nL-topL, nA), g.spread(nT-topT, nA)
	interPer := make([][]int, nA)
	var topAll, topIn, topOut []int
	// With agents, top-level interactions are one request before them and
	// one answer after them; longer conversations happen inside the agents.
	interTop := nA == 0 || nI <= 2 && g.r.IntN(4) == 0
	for k := range nI {
		switch {
		case interTop:
			topAll = append(topAll, k)
			if k%2 == 0 {
				topIn = append(topIn, k)
			} else {
				topOut = append(topOut, k)
			}
		default:
			a := 0
			if nI > 1 {
				a = k * (nA - 1) / (nI - 1)
			}
			interPer[a] = append(interPer[a], k)
		}
	}

	var top calls
	if nA == 0 {
		g.run(sequence(topAll, topL, topT), "", &top)
	} else {
		preL := (topL + 1) / 2
		g.run(sequence(topIn, preL, topT), "", &top)
		tree.Agents = make([]ingest.Agent, nA)
		for a := range tree.Agents {
			g.now += int64(between(g.r, 10, 300))
			agentStart := g.now
			var c calls
			name := g.agentName(a)
			g.run(sequence(interPer[a], llmPer[a], toolPer[a]), name, &c)
			g.now += int64(between(g.r, 1, 40))
			tree.Agents[a] = ingest.Agent{
				ExternalID:   g.childKey("agent", a),
				Name:         name,
				StartTime:    at(agentStart),
				EndTime:      ptr(at(g.now)),
				LLMCalls:     c.llm,
				ToolCalls:    c.tools,
				Interactions: c.inters,
			}
		}
		g.run(sequence(topOut, topL-preL, 0), "", &top)
	}
	tree.LLMCalls, tree.ToolCalls, tree.Interactions = top.llm, top.tools, top.inters

	failed := s.ErrorEvery > 0 && (i+1)%s.ErrorEvery == 0
	tree.Metrics = g.metrics(s.MetricsPerTrace, failed)
	if failed {
		tree.Errors = g.errors(tree)
	}
	g.now += int64(between(g.r, 5, 60))
	tree.StartTime, tree.EndTime = at(start), ptr(at(g.now))
	return tree
}

// countLLMCalls is the number of LLM calls in tree.
func countLLMCalls(tree *ingest.Trace) int {
	n := len(tree.LLMCalls)
	for i := range tree.Agents {
		n += len(tree.Agents[i].LLMCalls)
	}
	return n
}

// countToolCalls is the number of tool calls in tree.
func countToolCalls(tree *ingest.Trace) int {
	n := len(tree.ToolCalls)
	for i := range tree.Agents {
		n += len(tree.Agents[i].ToolCalls)
	}
	return n
}

// nthLLMCall returns the n-th LLM call of tree, agents first, and its agent.
func nthLLMCall(tree *ingest.Trace, n int) (*ingest.LLMCall, *ingest.Agent) {
	for i := range tree.Agents {
		ag := &tree.Agents[i]
		if n < len(ag.LLMCalls) {
			return &ag.LLMCalls[n], ag
		}
		n -= len(ag.LLMCalls)
	}
	if n < len(tree.LLMCalls) {
		return &tree.LLMCalls[n], nil
	}
	return nil, nil
}

// nthToolCall returns the n-th tool call of tree, agents first, and its agent.
func nthToolCall(tree *ingest.Trace, n int) (*ingest.ToolCall, *ingest.Agent) {
	for i := range tree.Agents {
		ag := &tree.Agents[i]
		if n < len(ag.ToolCalls) {
			return &ag.ToolCalls[n], ag
		}
		n -= len(ag.ToolCalls)
	}
	if n < len(tree.ToolCalls) {
		return &tree.ToolCalls[n], nil
	}
	return nil, nil
}
