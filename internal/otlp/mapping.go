package otlp

import (
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// maxReasons caps the span rejections spelled out in a partial success message.
const maxReasons = 5

// span is one received span with what it maps to.
type span struct {
	s        *tracepb.Span
	attrs    attrs
	res      *resource
	project  string
	traceID  string // hex
	id       string // hex
	parentID string // hex; "" for a root
	start    time.Time
	end      *time.Time
	kind     spanKind
	rejected bool

	llm   *ingest.LLMCall
	tool  *ingest.ToolCall
	agent *ingest.Agent
	errs  []ingest.Error

	// agentSpan is the nearest agent ancestor in the same export and project;
	// otherwise agentRef is the span id of the nearest ancestor missing from
	// the export, which names the agent once that agent is stored.
	agentSpan *span
	agentRef  string
}

// agentID is the external id of the agent the span's entity belongs to.
func (sp *span) agentID() string {
	switch {
	case sp.kind == kindAgent:
		return sp.id
	case sp.agentSpan != nil:
		return sp.agentSpan.id
	}
	return sp.agentRef
}

// result is what one export request maps to.
type result struct {
	traces   []ingest.Trace
	spans    []int // accepted spans behind each trace, rejected if its write is refused
	received int
	rejected int
	reasons  []string
}

func (r *result) reject(n int, reason string) {
	if n <= 0 {
		return
	}
	r.rejected += n
	if len(r.reasons) < maxReasons {
		r.reasons = append(r.reasons, reason)
	}
}

// message summarizes the rejections for ExportTracePartialSuccess.error_message.
func (r *result) message() string {
	if r.rejected == 0 {
		return ""
	}
	msg := fmt.Sprintf("rejected %d of %d spans: %s", r.rejected, r.received, strings.Join(r.reasons, "; "))
	if r.rejected > len(r.reasons) {
		msg += "; …"
	}
	return msg
}

// mapper turns export requests into ingest traces. validate, when set, is
// the ingestion service's validation of one trace (ingest.Service.ValidateTrace);
// spans whose entities it refuses are rejected one by one.
type mapper struct {
	opts     Options
	validate func(t *ingest.Trace, path string) error
}

// convert maps an export request; it never fails as a whole: invalid spans
// are counted in the result and left out.
func (m *mapper) convert(req *coltracepb.ExportTraceServiceRequest) *result {
	res := &result{}
	var spans []*span
	index := map[string]*span{} // trace id + "/" + span id
	for _, rs := range req.GetResourceSpans() {
		if rs == nil {
			continue
		}
		r := &resource{attrs: newAttrs(rs.GetResource().GetAttributes())}
		r.sys = systemInfo(r.attrs)
		for _, ss := range rs.GetScopeSpans() {
			for _, ps := range ss.GetSpans() {
				if ps == nil {
					continue
				}
				res.received++
				sp, reason := m.newSpan(ps, r)
				if sp == nil {
					res.reject(1, reason)
					continue
				}
				key := sp.traceID + "/" + sp.id
				if _, dup := index[key]; dup {
					continue // the same span twice in one export: the first wins
				}
				index[key] = sp
				spans = append(spans, sp)
				if reason != "" {
					sp.rejected = true
					res.reject(1, reason)
				}
			}
		}
	}

	// Agents first, so that a refused agent is transparent to the ancestry of
	// the calls below it.
	for _, sp := range spans {
		if sp.kind == kindAgent && !sp.rejected {
			m.build(sp)
			m.check(sp, res)
		}
	}
	for _, sp := range spans {
		if sp.rejected || sp.kind == kindNone || sp.kind == kindAgent {
			continue
		}
		resolve(sp, index)
		m.build(sp)
		m.check(sp, res)
	}
	m.assemble(spans, res)
	return res
}

// newSpan checks a span's ids and times. It returns nil when the ids are
// unusable, and a reason with a span when only its content is invalid.
func (m *mapper) newSpan(ps *tracepb.Span, r *resource) (*span, string) {
	if !validID(ps.TraceId, 16) {
		return nil, fmt.Sprintf("span %q: invalid trace id", ps.Name)
	}
	if !validID(ps.SpanId, 8) {
		return nil, fmt.Sprintf("span %q: invalid span id", ps.Name)
	}
	sp := &span{
		s:       ps,
		attrs:   newAttrs(ps.Attributes),
		res:     r,
		traceID: hex.EncodeToString(ps.TraceId),
		id:      hex.EncodeToString(ps.SpanId),
	}
	switch {
	case len(ps.ParentSpanId) == 0 || allZero(ps.ParentSpanId):
	case len(ps.ParentSpanId) == 8:
		sp.parentID = hex.EncodeToString(ps.ParentSpanId)
	default:
		return nil, fmt.Sprintf("span %s: invalid parent span id", sp.id)
	}
	sp.project = m.project(sp.attrs, r.attrs)
	sp.kind = classify(sp.attrs)
	if ps.StartTimeUnixNano == 0 || ps.StartTimeUnixNano > math.MaxInt64 {
		return sp, fmt.Sprintf("span %s: missing or invalid start time", sp.id)
	}
	sp.start = nanos(ps.StartTimeUnixNano)
	if ps.EndTimeUnixNano != 0 {
		if ps.EndTimeUnixNano > math.MaxInt64 {
			return sp, fmt.Sprintf("span %s: invalid end time", sp.id)
		}
		if ps.EndTimeUnixNano < ps.StartTimeUnixNano {
			return sp, fmt.Sprintf("span %s: end time before start time", sp.id)
		}
		end := nanos(ps.EndTimeUnixNano)
		sp.end = &end
	}
	return sp, ""
}

func validID(id []byte, n int) bool { return len(id) == n && !allZero(id) }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func nanos(n uint64) time.Time { return time.Unix(0, int64(n)).UTC() }

// project names the project of a span: the project attribute of the span or
// of its resource, else the resource's service.name, else the default.
func (m *mapper) project(span, res attrs) string {
	for _, a := range []attrs{span, res} {
		if s, ok := a.str(m.opts.ProjectAttribute); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	if s, ok := res.str("service.name"); ok && strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	return m.opts.DefaultProject
}

// resolve finds the agent of a call: the nearest AGENT ancestor, walking
// parent span ids through the spans of this export (stored or not).
func resolve(sp *span, index map[string]*span) {
	parent := sp.parentID
	for steps := 0; parent != "" && steps <= len(index); steps++ {
		anc, ok := index[sp.traceID+"/"+parent]
		if !ok {
			sp.agentRef = parent
			return
		}
		if anc.kind == kindAgent && !anc.rejected {
			if anc.project == sp.project {
				sp.agentSpan = anc
			}
			return
		}
		parent = anc.parentID
	}
}

// check validates the entity of one span on its own and rejects the span
// when the ingestion service refuses it.
func (m *mapper) check(sp *span, res *result) {
	if m.validate == nil {
		return
	}
	t := ingest.Trace{
		Project:    sp.project,
		ExternalID: sp.traceID,
		StartTime:  sp.start,
		EndTime:    sp.end,
		Errors:     append([]ingest.Error(nil), sp.errs...),
	}
	switch sp.kind {
	case kindLLM:
		c := *sp.llm
		c.AgentRef = sp.agentID()
		t.LLMCalls = []ingest.LLMCall{c}
	case kindTool:
		c := *sp.tool
		c.AgentRef = sp.agentID()
		t.ToolCalls = []ingest.ToolCall{c}
	case kindAgent:
		t.Agents = []ingest.Agent{*sp.agent}
	}
	if err := m.validate(&t, "span"); err != nil {
		sp.rejected = true
		res.reject(1, fmt.Sprintf("span %s: %v", sp.id, err))
	}
}

// group is the trace of one (project, trace id) being assembled.
type group struct {
	trace  ingest.Trace
	agents map[string]int // agent span id -> index in trace.Agents
	spans  int
	stored bool
	hasEnd bool
	latest time.Time // latest end (or start, for spans without end)
}

// assemble builds one ingest.Trace per project and trace id from the
// accepted spans, putting calls inside their agent when it is in the export.
func (m *mapper) assemble(spans []*span, res *result) {
	groups := map[string]*group{}
	var order []*group
	groupOf := func(sp *span) *group {
		key := sp.project + "\x00" + sp.traceID
		g := groups[key]
		if g == nil {
			g = &group{
				trace:  ingest.Trace{Project: sp.project, ExternalID: sp.traceID, StartTime: sp.start},
				agents: map[string]int{},
			}
			groups[key] = g
			order = append(order, g)
		}
		return g
	}
	for _, sp := range spans {
		if sp.rejected {
			continue
		}
		g := groupOf(sp)
		g.spans++
		t := &g.trace
		if sp.start.Before(t.StartTime) {
			t.StartTime = sp.start
		}
		last := sp.start
		if sp.end != nil {
			last = *sp.end
			g.hasEnd = true
		}
		if last.After(g.latest) {
			g.latest = last
		}
		if t.SystemInfo == nil && sp.res.sys != nil {
			si := *sp.res.sys
			t.SystemInfo = &si
		}
		if sp.kind == kindAgent {
			g.agents[sp.id] = len(t.Agents)
			t.Agents = append(t.Agents, *sp.agent)
			g.stored = true
		}
	}
	// The trace ends with its last span, when any span has ended.
	for _, g := range order {
		if g.hasEnd {
			end := g.latest
			g.trace.EndTime = &end
		}
	}
	for _, sp := range spans {
		if sp.rejected {
			continue
		}
		g := groupOf(sp)
		t := &g.trace
		var agent *ingest.Agent
		if sp.agentSpan != nil {
			if i, ok := g.agents[sp.agentSpan.id]; ok {
				agent = &t.Agents[i]
			}
		}
		switch sp.kind {
		case kindLLM:
			if agent != nil {
				agent.LLMCalls = append(agent.LLMCalls, *sp.llm)
			} else {
				t.LLMCalls = append(t.LLMCalls, *sp.llm)
			}
		case kindTool:
			if agent != nil {
				agent.ToolCalls = append(agent.ToolCalls, *sp.tool)
			} else {
				t.ToolCalls = append(t.ToolCalls, *sp.tool)
			}
		}
		if sp.kind != kindNone {
			g.stored = true
			t.Errors = append(t.Errors, sp.errs...)
		}
	}
	for _, g := range order {
		if !g.stored {
			continue // no span of this trace maps to anything stored
		}
		if m.validate != nil {
			if err := m.validate(&g.trace, "trace"); err != nil {
				res.reject(g.spans, fmt.Sprintf("trace %s: %v", g.trace.ExternalID, err))
				continue
			}
		}
		res.traces = append(res.traces, g.trace)
		res.spans = append(res.spans, g.spans)
	}
}
