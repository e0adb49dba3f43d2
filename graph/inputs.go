package graph

import (
	"encoding/json"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// MaxRetentionDays bounds a project's retention setting (100 years).
const MaxRetentionDays = 36500

func checkRetention(field string, days *int) error {
	if days != nil && (*days < 1 || *days > MaxRetentionDays) {
		return apperr.Invalid(field, "must be between 1 and %d days, or null to keep traces forever", MaxRetentionDays)
	}
	return nil
}

// The functions below copy GraphQL inputs into ingest's types; validation
// happens there, once, for every way data comes in.

func traceFromInput(in *model.TraceInput) ingest.Trace {
	t := ingest.Trace{
		Project: in.Project, ExternalID: deref(in.ExternalID), StartTime: in.StartTime, EndTime: in.EndTime,
		SystemInfo:   systemInfoFromInput(in.SystemInfo),
		LLMCalls:     mapAll(in.LlmCalls, llmCallFromInput),
		ToolCalls:    mapAll(in.ToolCalls, toolCallFromInput),
		Interactions: mapAll(in.UserInteractions, interactionFromInput),
		Errors:       mapAll(in.Errors, errorFromInput),
		Metrics:      mapAll(in.Metrics, metricFromInput),
	}
	for _, a := range in.AgentCalls {
		t.Agents = append(t.Agents, ingest.Agent{
			ExternalID: deref(a.ExternalID), Name: a.Name, StartTime: a.StartTime, EndTime: a.EndTime,
			LLMCalls:     mapAll(a.LlmCalls, llmCallFromInput),
			ToolCalls:    mapAll(a.ToolCalls, toolCallFromInput),
			Interactions: mapAll(a.UserInteractions, interactionFromInput),
		})
	}
	return t
}

func llmCallFromInput(in *model.LLMCallInput) ingest.LLMCall {
	c := ingest.LLMCall{
		ExternalID: deref(in.ExternalID), AgentRef: deref(in.AgentCallExternalID), Name: in.Name, Model: in.Model,
		InputPrompt: in.InputPrompt, Output: in.Output, ToolCall: in.ToolCall,
		StartTime: in.StartTime, EndTime: in.EndTime, MemoryUsed: in.MemoryUsed,
	}
	if u := in.TokenUsage; u != nil {
		c.Tokens = ingest.TokenUsage{Input: int64(derefInt(u.Input)), Completion: int64(derefInt(u.Completion)), Reasoning: int64(derefInt(u.Reasoning))}
		if u.Total != nil {
			total := int64(*u.Total)
			c.Tokens.Total = &total
		}
	}
	if p := in.Cost; p != nil {
		c.Cost = &ingest.Cost{Input: derefFloat(p.Input), Output: derefFloat(p.Output), Reasoning: derefFloat(p.Reasoning), Total: p.Total}
	}
	return c
}

func toolCallFromInput(in *model.ToolCallInput) ingest.ToolCall {
	c := ingest.ToolCall{
		ExternalID: deref(in.ExternalID), AgentRef: deref(in.AgentCallExternalID), Name: in.Name,
		InputParameters: in.InputParameters, Output: in.Output, StartTime: in.StartTime, EndTime: in.EndTime,
		MemoryUsed: in.MemoryUsed,
	}
	for _, n := range in.NetworkCalls {
		call := db.NetworkCall{
			Method: deref(n.Method), URL: n.URL, StatusCode: n.StatusCode, Error: n.Error,
			StartTime: n.StartTime, EndTime: n.EndTime, RequestBody: n.RequestBody, ResponseBody: n.ResponseBody,
			RequestHeaders: headers(n.RequestHeaders), ResponseHeaders: headers(n.ResponseHeaders),
		}
		if n.StartTime != nil {
			call.Duration = db.SecondsBetween(*n.StartTime, n.EndTime)
		}
		c.NetworkCalls = append(c.NetworkCalls, call)
	}
	return c
}

func headers(in []*model.HTTPHeaderInput) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, h := range in {
		out[h.Name] = h.Value
	}
	return out
}

func interactionFromInput(in *model.UserInteractionInput) ingest.Interaction {
	return ingest.Interaction{
		ExternalID: deref(in.ExternalID), AgentRef: deref(in.AgentCallExternalID),
		Type: in.InteractionType, Content: in.Content, Timestamp: in.Timestamp,
	}
}

func errorFromInput(in *model.TraceErrorInput) ingest.Error {
	return ingest.Error{
		ExternalID: deref(in.ExternalID), Type: in.ErrorType, Message: in.ErrorMessage, Timestamp: in.Timestamp,
		AgentRef: deref(in.AgentCallExternalID), LLMCallRef: deref(in.LlmCallExternalID), ToolCallRef: deref(in.ToolCallExternalID),
	}
}

func metricFromInput(in *model.MetricInput) ingest.Metric {
	return ingest.Metric{
		ExternalID: deref(in.ExternalID), Name: in.MetricName, Score: in.Score, Reason: in.Reason,
		ResultDetail: json.RawMessage(in.ResultDetail), Config: json.RawMessage(in.Config),
		StartTime: in.StartTime, EndTime: in.EndTime, Timestamp: in.Timestamp,
	}
}

func systemInfoFromInput(in *model.SystemInfoInput) *ingest.SystemInfo {
	if in == nil {
		return nil
	}
	si := &ingest.SystemInfo{
		OsName: in.OsName, OsVersion: in.OsVersion, PythonVersion: in.PythonVersion, CPUInfo: in.CPUInfo,
		MemoryTotal: in.MemoryTotal,
	}
	for _, g := range in.GpuInfo {
		si.GPUs = append(si.GPUs, db.GPU{Name: g.Name, Memory: g.MemoryTotal})
	}
	if d := in.DiskInfo; d != nil {
		si.Disk = &db.Disk{Total: d.Total, Available: d.Available}
	}
	if in.InstalledPackages != nil {
		si.InstalledPackages = make(map[string]string, len(in.InstalledPackages))
		for _, p := range in.InstalledPackages {
			si.InstalledPackages[p.Name] = p.Version
		}
	}
	return si
}

func mapAll[In, Out any](in []*In, f func(*In) Out) []Out {
	if len(in) == 0 {
		return nil
	}
	out := make([]Out, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(v *int) int {
	if v == nil {
		return 0
	}
	return *v
}

func derefFloat(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}
