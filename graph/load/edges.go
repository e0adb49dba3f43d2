package load

import (
	"github.com/agentgraph/agentgraph/internal/db"
)

// Edge is a parent->children relation served as a connection, declared
// once here: its loader, its column and its list kind.
type Edge[P, C any] struct {
	name     string          // the loader's name, value-by-key
	column   db.ParentColumn // the children's column that holds the parent id
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
	TracesByProjectID           = Edge[db.Project, db.Trace]{"tracesByProjectID", db.ByProject, TraceKind, projectID, func(l *Loaders) *pages[db.Trace] { return &l.TracesByProjectID }}
	AgentCallsByProjectID       = Edge[db.Project, db.AgentCall]{"agentCallsByProjectID", db.ByProject, agentCallKind, projectID, func(l *Loaders) *pages[db.AgentCall] { return &l.AgentCallsByProjectID }}
	LlmCallsByProjectID         = Edge[db.Project, db.LLMCall]{"llmCallsByProjectID", db.ByProject, llmCallKind, projectID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByProjectID }}
	ToolCallsByProjectID        = Edge[db.Project, db.ToolCall]{"toolCallsByProjectID", db.ByProject, toolCallKind, projectID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByProjectID }}
	UserInteractionsByProjectID = Edge[db.Project, db.UserInteraction]{"userInteractionsByProjectID", db.ByProject, interactionKind, projectID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByProjectID }}
	ErrorsByProjectID           = Edge[db.Project, db.TraceError]{"errorsByProjectID", db.ByProject, errorKind, projectID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByProjectID }}
	SystemInfoByProjectID       = Edge[db.Project, db.SystemInfo]{"systemInfoByProjectID", db.ByProject, systemInfoKind, projectID, func(l *Loaders) *pages[db.SystemInfo] { return &l.SystemInfoByProjectID }}

	AgentCallsByTraceID       = Edge[db.Trace, db.AgentCall]{"agentCallsByTraceID", db.ByTrace, agentCallKind, traceID, func(l *Loaders) *pages[db.AgentCall] { return &l.AgentCallsByTraceID }}
	LlmCallsByTraceID         = Edge[db.Trace, db.LLMCall]{"llmCallsByTraceID", db.ByTrace, llmCallKind, traceID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByTraceID }}
	ToolCallsByTraceID        = Edge[db.Trace, db.ToolCall]{"toolCallsByTraceID", db.ByTrace, toolCallKind, traceID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByTraceID }}
	UserInteractionsByTraceID = Edge[db.Trace, db.UserInteraction]{"userInteractionsByTraceID", db.ByTrace, interactionKind, traceID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByTraceID }}
	ErrorsByTraceID           = Edge[db.Trace, db.TraceError]{"errorsByTraceID", db.ByTrace, errorKind, traceID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByTraceID }}
	MetricsByTraceID          = Edge[db.Trace, db.Metric]{"metricsByTraceID", db.ByTrace, metricKind, traceID, func(l *Loaders) *pages[db.Metric] { return &l.MetricsByTraceID }}
	SystemInfoByTraceID       = Edge[db.Trace, db.SystemInfo]{"systemInfoByTraceID", db.ByTrace, systemInfoKind, traceID, func(l *Loaders) *pages[db.SystemInfo] { return &l.SystemInfoByTraceID }}

	LlmCallsByAgentCallID         = Edge[db.AgentCall, db.LLMCall]{"llmCallsByAgentCallID", db.ByAgentCall, llmCallKind, agentID, func(l *Loaders) *pages[db.LLMCall] { return &l.LLMCallsByAgentCallID }}
	ToolCallsByAgentCallID        = Edge[db.AgentCall, db.ToolCall]{"toolCallsByAgentCallID", db.ByAgentCall, toolCallKind, agentID, func(l *Loaders) *pages[db.ToolCall] { return &l.ToolCallsByAgentCallID }}
	UserInteractionsByAgentCallID = Edge[db.AgentCall, db.UserInteraction]{"userInteractionsByAgentCallID", db.ByAgentCall, interactionKind, agentID, func(l *Loaders) *pages[db.UserInteraction] { return &l.UserInteractionsByAgentCallID }}
	ErrorsByAgentCallID           = Edge[db.AgentCall, db.TraceError]{"errorsByAgentCallID", db.ByAgentCall, errorKind, agentID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByAgentCallID }}
	ErrorsByLLMCallID             = Edge[db.LLMCall, db.TraceError]{"errorsByLLMCallID", db.ByLLMCall, errorKind, llmCallID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByLLMCallID }}
	ErrorsByToolCallID            = Edge[db.ToolCall, db.TraceError]{"errorsByToolCallID", db.ByToolCall, errorKind, toolCallID, func(l *Loaders) *pages[db.TraceError] { return &l.ErrorsByToolCallID }}
)
