package graph

import (
	"github.com/agentgraph/agentgraph/internal/db"
)

// edge is a parent->children relation served as a connection, declared
// once here: its loader, its column and its list kind.
type edge[P, C any] struct {
	name     string // the loader's name, value-by-key
	column   string // the children's column that holds the parent id
	kind     *listKind
	parentID func(*P) int64
	slot     func(*Loaders) *pages[C]
}

func projectID(p *db.Project) int64   { return p.ID }
func traceID(t *db.Trace) int64       { return t.ID }
func agentID(a *db.AgentCall) int64   { return a.ID }
func llmCallID(c *db.LLMCall) int64   { return c.ID }
func toolCallID(c *db.ToolCall) int64 { return c.ID }

// The edges of the graph.
var (
	tracesByProjectID           = edge[db.Project, db.Trace]{"tracesByProjectID", "project_id", traceKind, projectID, func(l *Loaders) *pages[db.Trace] { return &l.TracesByProjectID }}
	agentCallsByProjectID       = edge[db.Project, db.AgentCall]{"agentCallsByProjectID", "project_id", agentCallKind, projectID, func(l *Loaders) *pages[db.AgentCall] { return &l.AgentCallsByProjectID }}
	llmCallsByProjectID         = edge[db.Project, db.LLMCall]{"llmCallsByProjectID", "project_id", llmCallKind, projectID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByProjectID }}
	toolCallsByProjectID        = edge[db.Project, db.ToolCall]{"toolCallsByProjectID", "project_id", toolCallKind, projectID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByProjectID }}
	userInteractionsByProjectID = edge[db.Project, db.UserInteraction]{"userInteractionsByProjectID", "project_id", interactionKind, projectID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByProjectID }}
	errorsByProjectID           = edge[db.Project, db.TraceError]{"errorsByProjectID", "project_id", errorKind, projectID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByProjectID }}
	systemInfoByProjectID       = edge[db.Project, db.SystemInfo]{"systemInfoByProjectID", "project_id", systemInfoKind, projectID, func(l *Loaders) *pages[db.SystemInfo] { return &l.SystemInfoByProjectID }}

	agentCallsByTraceID       = edge[db.Trace, db.AgentCall]{"agentCallsByTraceID", "trace_id", agentCallKind, traceID, func(l *Loaders) *pages[db.AgentCall] { return &l.AgentCallsByTraceID }}
	llmCallsByTraceID         = edge[db.Trace, db.LLMCall]{"llmCallsByTraceID", "trace_id", llmCallKind, traceID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByTraceID }}
	toolCallsByTraceID        = edge[db.Trace, db.ToolCall]{"toolCallsByTraceID", "trace_id", toolCallKind, traceID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByTraceID }}
	userInteractionsByTraceID = edge[db.Trace, db.UserInteraction]{"userInteractionsByTraceID", "trace_id", interactionKind, traceID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByTraceID }}
	errorsByTraceID           = edge[db.Trace, db.TraceError]{"errorsByTraceID", "trace_id", errorKind, traceID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByTraceID }}
	metricsByTraceID          = edge[db.Trace, db.Metric]{"metricsByTraceID", "trace_id", metricKind, traceID, func(l *Loaders) *pages[db.Metric] { return &l.MetricsByTraceID }}
	systemInfoByTraceID       = edge[db.Trace, db.SystemInfo]{"systemInfoByTraceID", "trace_id", systemInfoKind, traceID, func(l *Loaders) *pages[db.SystemInfo] { return &l.SystemInfoByTraceID }}

	llmCallsByAgentCallID         = edge[db.AgentCall, db.LLMCall]{"llmCallsByAgentCallID", "agent_id", llmCallKind, agentID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByAgentCallID }}
	toolCallsByAgentCallID        = edge[db.AgentCall, db.ToolCall]{"toolCallsByAgentCallID", "agent_id", toolCallKind, agentID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByAgentCallID }}
	userInteractionsByAgentCallID = edge[db.AgentCall, db.UserInteraction]{"userInteractionsByAgentCallID", "agent_id", interactionKind, agentID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByAgentCallID }}
	errorsByAgentCallID           = edge[db.AgentCall, db.TraceError]{"errorsByAgentCallID", "agent_id", errorKind, agentID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByAgentCallID }}
	errorsByLLMCallID             = edge[db.LLMCall, db.TraceError]{"errorsByLLMCallID", "llm_call_id", errorKind, llmCallID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByLLMCallID }}
	errorsByToolCallID            = edge[db.ToolCall, db.TraceError]{"errorsByToolCallID", "tool_call_id", errorKind, toolCallID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByToolCallID }}
)
