package ingestapi

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// The functions below check what the GraphQL input types make required
// (non-null fields and list elements) and copy a decoded body into
// ingest's types, as the mutation's conversion (graph/inputs.go) copies
// its input: validation happens there, once, for every way data comes in.

// at is an element of a list, named in error paths only when one is needed.
type at struct {
	list  string
	index int
}

func (a at) String() string           { return a.list + "[" + strconv.Itoa(a.index) + "]" }
func (a at) field(name string) string { return a.String() + "." + name }

// checks remembers the first missing value.
type checks struct{ err error }

func (c *checks) fail(field, message string) {
	if c.err == nil {
		c.err = apperr.Invalid(field, "%s", message)
	}
}

func (c *checks) str(v *string, a at, name string) string {
	if v == nil {
		c.fail(a.field(name), "is required")
		return ""
	}
	return *v
}

func (c *checks) time(v *dateTime, a at, name string) time.Time {
	if v == nil {
		c.fail(a.field(name), "is required")
		return time.Time{}
	}
	return time.Time(*v)
}

// each converts the elements of a list, refusing null ones; an empty list
// is nil, as the mutation's conversion makes it.
func each[In, Out any](c *checks, list string, in []*In, conv func(*In, *checks, at) Out) []Out {
	if len(in) == 0 {
		return nil
	}
	out := make([]Out, len(in))
	for i, v := range in {
		if v == nil {
			c.fail(at{list, i}.String(), "must not be null")
			return out
		}
		out[i] = conv(v, c, at{list, i})
	}
	return out
}

// traces returns the traces of the body in ingest's types.
func (r *request) traces() ([]ingest.Trace, error) {
	if r.Traces == nil {
		return nil, apperr.Invalid("traces", `is required: send {"traces": [TraceInput, ...]}`)
	}
	c := &checks{}
	out := make([]ingest.Trace, len(r.Traces))
	for i, t := range r.Traces {
		if t == nil {
			c.fail(at{"traces", i}.String(), "must not be null")
			break
		}
		out[i] = t.trace(c, at{"traces", i})
	}
	return out, c.err
}

func (t *wireTrace) trace(c *checks, a at) ingest.Trace {
	p := a.String()
	return ingest.Trace{
		Project: c.str(t.Project, a, "project"), ExternalID: deref(t.ExternalID),
		StartTime: c.time(t.StartTime, a, "startTime"), EndTime: (*time.Time)(t.EndTime),
		SystemInfo:   t.SystemInfo.systemInfo(c, p+".systemInfo"),
		Agents:       each(c, p+".agentCalls", t.AgentCalls, (*wireAgentCall).agent),
		LLMCalls:     each(c, p+".llmCalls", t.LlmCalls, (*wireLLMCall).llmCall),
		ToolCalls:    each(c, p+".toolCalls", t.ToolCalls, (*wireToolCall).toolCall),
		Interactions: each(c, p+".userInteractions", t.UserInteractions, (*wireInteraction).interaction),
		Errors:       each(c, p+".errors", t.Errors, (*wireError).traceError),
		Metrics:      each(c, p+".metrics", t.Metrics, (*wireMetric).metric),
	}
}

func (g *wireAgentCall) agent(c *checks, a at) ingest.Agent {
	p := a.String()
	return ingest.Agent{
		ExternalID: deref(g.ExternalID), Name: c.str(g.Name, a, "name"),
		StartTime: c.time(g.StartTime, a, "startTime"), EndTime: (*time.Time)(g.EndTime),
		LLMCalls:     each(c, p+".llmCalls", g.LlmCalls, (*wireLLMCall).llmCall),
		ToolCalls:    each(c, p+".toolCalls", g.ToolCalls, (*wireToolCall).toolCall),
		Interactions: each(c, p+".userInteractions", g.UserInteractions, (*wireInteraction).interaction),
	}
}

func (l *wireLLMCall) llmCall(c *checks, a at) ingest.LLMCall {
	out := ingest.LLMCall{
		ExternalID: deref(l.ExternalID), AgentRef: deref(l.AgentCallExternalID), Name: c.str(l.Name, a, "name"),
		Model: l.Model, InputPrompt: l.InputPrompt, Output: l.Output, ToolCall: l.ToolCall,
		StartTime: c.time(l.StartTime, a, "startTime"), EndTime: (*time.Time)(l.EndTime), MemoryUsed: (*int64)(l.MemoryUsed),
	}
	if u := l.TokenUsage; u != nil {
		out.Tokens = ingest.TokenUsage{Input: int64(derefInt(u.Input)), Completion: int64(derefInt(u.Completion)), Reasoning: int64(derefInt(u.Reasoning))}
		if u.Total != nil {
			total := int64(*u.Total)
			out.Tokens.Total = &total
		}
	}
	if p := l.Cost; p != nil {
		out.Cost = &ingest.Cost{Input: derefFloat(p.Input), Output: derefFloat(p.Output), Reasoning: derefFloat(p.Reasoning), Total: p.Total}
	}
	return out
}

func (l *wireToolCall) toolCall(c *checks, a at) ingest.ToolCall {
	return ingest.ToolCall{
		ExternalID: deref(l.ExternalID), AgentRef: deref(l.AgentCallExternalID), Name: c.str(l.Name, a, "name"),
		InputParameters: l.InputParameters, Output: l.Output,
		StartTime: c.time(l.StartTime, a, "startTime"), EndTime: (*time.Time)(l.EndTime), MemoryUsed: (*int64)(l.MemoryUsed),
		NetworkCalls: each(c, a.field("networkCalls"), l.NetworkCalls, (*wireNetworkCall).networkCall),
	}
}

func (n *wireNetworkCall) networkCall(c *checks, a at) db.NetworkCall {
	p := a.String()
	out := db.NetworkCall{
		Method: deref(n.Method), URL: c.str(n.URL, a, "url"), StatusCode: n.StatusCode, Error: n.Error,
		StartTime: (*time.Time)(n.StartTime), EndTime: (*time.Time)(n.EndTime),
		RequestHeaders: headers(c, p+".requestHeaders", n.RequestHeaders), RequestBody: n.RequestBody,
		ResponseHeaders: headers(c, p+".responseHeaders", n.ResponseHeaders), ResponseBody: n.ResponseBody,
	}
	if out.StartTime != nil {
		out.Duration = db.SecondsBetween(*out.StartTime, out.EndTime)
	}
	return out
}

// headers are a list of name and value pairs as a map, nil when empty.
func headers(c *checks, list string, in []*wireHeader) map[string]string {
	pairs := each(c, list, in, func(h *wireHeader, c *checks, a at) [2]string {
		return [2]string{c.str(h.Name, a, "name"), c.str(h.Value, a, "value")}
	})
	if len(pairs) == 0 {
		return nil
	}
	out := make(map[string]string, len(pairs))
	for _, kv := range pairs {
		out[kv[0]] = kv[1]
	}
	return out
}

func (u *wireInteraction) interaction(c *checks, a at) ingest.Interaction {
	return ingest.Interaction{
		ExternalID: deref(u.ExternalID), AgentRef: deref(u.AgentCallExternalID),
		Type: c.str(u.InteractionType, a, "interactionType"), Content: u.Content,
		Timestamp: c.time(u.Timestamp, a, "timestamp"),
	}
}

func (e *wireError) traceError(c *checks, a at) ingest.Error {
	return ingest.Error{
		ExternalID: deref(e.ExternalID), Type: c.str(e.ErrorType, a, "errorType"), Message: e.ErrorMessage,
		Timestamp: c.time(e.Timestamp, a, "timestamp"),
		AgentRef:  deref(e.AgentCallExternalID), LLMCallRef: deref(e.LlmCallExternalID), ToolCallRef: deref(e.ToolCallExternalID),
	}
}

func (m *wireMetric) metric(c *checks, a at) ingest.Metric {
	return ingest.Metric{
		ExternalID: deref(m.ExternalID), Name: c.str(m.MetricName, a, "metricName"), Score: m.Score, Reason: m.Reason,
		ResultDetail: json.RawMessage(m.ResultDetail), Config: json.RawMessage(m.Config),
		StartTime: (*time.Time)(m.StartTime), EndTime: (*time.Time)(m.EndTime), Timestamp: c.time(m.Timestamp, a, "timestamp"),
	}
}

func (s *wireSystemInfo) systemInfo(c *checks, p string) *ingest.SystemInfo {
	if s == nil {
		return nil
	}
	out := &ingest.SystemInfo{
		OsName: s.OsName, OsVersion: s.OsVersion, PythonVersion: s.PythonVersion, CPUInfo: s.CPUInfo,
		GPUs: each(c, p+".gpuInfo", s.GpuInfo, func(g *wireGPU, c *checks, a at) db.GPU {
			return db.GPU{Name: c.str(g.Name, a, "name"), Memory: g.MemoryTotal}
		}),
		MemoryTotal: s.MemoryTotal,
	}
	if d := s.DiskInfo; d != nil {
		out.Disk = &db.Disk{Total: d.Total, Available: d.Available}
	}
	if s.InstalledPackages != nil {
		// Even an empty list: the machine has no packages, as GraphQL's
		// input says it.
		out.InstalledPackages = make(map[string]string, len(s.InstalledPackages))
		for _, kv := range each(c, p+".installedPackages", s.InstalledPackages, func(k *wirePackage, c *checks, a at) [2]string {
			return [2]string{c.str(k.Name, a, "name"), c.str(k.Version, a, "version")}
		}) {
			out.InstalledPackages[kv[0]] = kv[1]
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func derefFloat(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
