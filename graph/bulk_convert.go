package graph

import (
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// The functions below check what the GraphQL input types make required
// (non-null fields and list elements) and copy a decoded body into
// graph/model's input types, so that the mutation's conversion to ingest's
// types (traceFromInput) serves both ways in.

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

// each converts the elements of a list, refusing null ones.
func each[In, Out any](c *checks, list string, in []*In, conv func(*In, *checks, at) *Out) []*Out {
	if in == nil {
		return nil
	}
	out := make([]*Out, len(in))
	for i, v := range in {
		if v == nil {
			c.fail(at{list, i}.String(), "must not be null")
			return out
		}
		out[i] = conv(v, c, at{list, i})
	}
	return out
}

// inputs returns the traces of the body as the mutation's input.
func (r *bulkRequest) inputs() ([]*model.TraceInput, error) {
	if r.Traces == nil {
		return nil, apperr.Invalid("traces", `is required: send {"traces": [TraceInput, ...]}`)
	}
	c := &checks{}
	out := each(c, "traces", r.Traces, (*bulkTrace).input)
	return out, c.err
}

func (t *bulkTrace) input(c *checks, a at) *model.TraceInput {
	p := a.String()
	return &model.TraceInput{
		Project: c.str(t.Project, a, "project"), ExternalID: t.ExternalID,
		StartTime: c.time(t.StartTime, a, "startTime"), EndTime: (*time.Time)(t.EndTime),
		SystemInfo:       t.SystemInfo.input(c, p+".systemInfo"),
		AgentCalls:       each(c, p+".agentCalls", t.AgentCalls, (*bulkAgentCall).input),
		LlmCalls:         each(c, p+".llmCalls", t.LlmCalls, (*bulkLLMCall).input),
		ToolCalls:        each(c, p+".toolCalls", t.ToolCalls, (*bulkToolCall).input),
		UserInteractions: each(c, p+".userInteractions", t.UserInteractions, (*bulkInteraction).input),
		Errors:           each(c, p+".errors", t.Errors, (*bulkError).input),
		Metrics:          each(c, p+".metrics", t.Metrics, (*bulkMetric).input),
	}
}

func (g *bulkAgentCall) input(c *checks, a at) *model.AgentCallInput {
	p := a.String()
	return &model.AgentCallInput{
		ExternalID: g.ExternalID, Name: c.str(g.Name, a, "name"),
		StartTime: c.time(g.StartTime, a, "startTime"), EndTime: (*time.Time)(g.EndTime),
		LlmCalls:         each(c, p+".llmCalls", g.LlmCalls, (*bulkLLMCall).input),
		ToolCalls:        each(c, p+".toolCalls", g.ToolCalls, (*bulkToolCall).input),
		UserInteractions: each(c, p+".userInteractions", g.UserInteractions, (*bulkInteraction).input),
	}
}

func (l *bulkLLMCall) input(c *checks, a at) *model.LLMCallInput {
	return &model.LLMCallInput{
		ExternalID: l.ExternalID, AgentCallExternalID: l.AgentCallExternalID, Name: c.str(l.Name, a, "name"),
		Model: l.Model, InputPrompt: l.InputPrompt, Output: l.Output, ToolCall: l.ToolCall,
		StartTime: c.time(l.StartTime, a, "startTime"), EndTime: (*time.Time)(l.EndTime),
		TokenUsage: l.TokenUsage, Cost: l.Cost, MemoryUsed: (*int64)(l.MemoryUsed),
	}
}

func (l *bulkToolCall) input(c *checks, a at) *model.ToolCallInput {
	in := &model.ToolCallInput{
		ExternalID: l.ExternalID, AgentCallExternalID: l.AgentCallExternalID, Name: c.str(l.Name, a, "name"),
		InputParameters: l.InputParameters, Output: l.Output,
		StartTime: c.time(l.StartTime, a, "startTime"), EndTime: (*time.Time)(l.EndTime), MemoryUsed: (*int64)(l.MemoryUsed),
	}
	if l.NetworkCalls != nil {
		in.NetworkCalls = each(c, a.field("networkCalls"), l.NetworkCalls, (*bulkNetworkCall).input)
	}
	return in
}

func (n *bulkNetworkCall) input(c *checks, a at) *model.NetworkCallInput {
	p := a.String()
	return &model.NetworkCallInput{
		Method: n.Method, URL: c.str(n.URL, a, "url"), StatusCode: n.StatusCode, Error: n.Error,
		StartTime: (*time.Time)(n.StartTime), EndTime: (*time.Time)(n.EndTime),
		RequestHeaders: each(c, p+".requestHeaders", n.RequestHeaders, (*bulkHeader).input), RequestBody: n.RequestBody,
		ResponseHeaders: each(c, p+".responseHeaders", n.ResponseHeaders, (*bulkHeader).input), ResponseBody: n.ResponseBody,
	}
}

func (h *bulkHeader) input(c *checks, a at) *model.HTTPHeaderInput {
	return &model.HTTPHeaderInput{Name: c.str(h.Name, a, "name"), Value: c.str(h.Value, a, "value")}
}

func (u *bulkInteraction) input(c *checks, a at) *model.UserInteractionInput {
	return &model.UserInteractionInput{
		ExternalID: u.ExternalID, AgentCallExternalID: u.AgentCallExternalID,
		InteractionType: c.str(u.InteractionType, a, "interactionType"), Content: u.Content,
		Timestamp: c.time(u.Timestamp, a, "timestamp"),
	}
}

func (e *bulkError) input(c *checks, a at) *model.TraceErrorInput {
	return &model.TraceErrorInput{
		ExternalID: e.ExternalID, ErrorType: c.str(e.ErrorType, a, "errorType"), ErrorMessage: e.ErrorMessage,
		Timestamp:           c.time(e.Timestamp, a, "timestamp"),
		AgentCallExternalID: e.AgentCallExternalID, LlmCallExternalID: e.LlmCallExternalID, ToolCallExternalID: e.ToolCallExternalID,
	}
}

func (m *bulkMetric) input(c *checks, a at) *model.MetricInput {
	return &model.MetricInput{
		ExternalID: m.ExternalID, MetricName: c.str(m.MetricName, a, "metricName"), Score: m.Score, Reason: m.Reason,
		ResultDetail: db.RawJSON(m.ResultDetail), Config: db.RawJSON(m.Config),
		StartTime: (*time.Time)(m.StartTime), EndTime: (*time.Time)(m.EndTime), Timestamp: c.time(m.Timestamp, a, "timestamp"),
	}
}

func (s *bulkSystemInfo) input(c *checks, p string) *model.SystemInfoInput {
	if s == nil {
		return nil
	}
	return &model.SystemInfoInput{
		OsName: s.OsName, OsVersion: s.OsVersion, PythonVersion: s.PythonVersion, CPUInfo: s.CPUInfo,
		GpuInfo: each(c, p+".gpuInfo", s.GpuInfo, (*bulkGPU).input), DiskInfo: s.DiskInfo, MemoryTotal: s.MemoryTotal,
		InstalledPackages: each(c, p+".installedPackages", s.InstalledPackages, (*bulkPackage).input),
	}
}

func (g *bulkGPU) input(c *checks, a at) *model.GpuInfoInput {
	return &model.GpuInfoInput{Name: c.str(g.Name, a, "name"), MemoryTotal: g.MemoryTotal}
}

func (k *bulkPackage) input(c *checks, a at) *model.InstalledPackageInput {
	return &model.InstalledPackageInput{Name: c.str(k.Name, a, "name"), Version: c.str(k.Version, a, "version")}
}
