// Package ingest turns recorded traces into stored rows: it validates whole
// trace trees, fills in what can be derived (costs from a price table, ids
// for idempotent re-sends) and writes each trace in one transaction through
// internal/db. GraphQL mutations, the OTLP receiver, the AgentNeo importer
// and the demo data generator all write through it.
package ingest

import (
	"encoding/json"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// Trace is one whole trace tree as a client recorded it. ExternalID, on the
// trace and on every entity inside it, is an optional idempotency key, unique
// per project and entity type: sending an entity again with the same key
// updates it in place. Entities without keys inside a keyed trace get keys
// derived from their position, so re-sending an identical trace is a no-op.
type Trace struct {
	Project    string // project name; the project is created when missing
	ExternalID string
	StartTime  time.Time
	EndTime    *time.Time

	SystemInfo   *SystemInfo
	Agents       []Agent
	LLMCalls     []LLMCall // calls made outside any agent of this payload
	ToolCalls    []ToolCall
	Interactions []Interaction
	Errors       []Error
	Metrics      []Metric
}

// Agent is an agent run with the calls and interactions made inside it.
type Agent struct {
	ExternalID   string
	Name         string
	StartTime    time.Time
	EndTime      *time.Time
	LLMCalls     []LLMCall
	ToolCalls    []ToolCall
	Interactions []Interaction
}

// AgentRef names, by external id, the agent a top-level call belongs to when
// that agent is not in the same payload (OTLP spans of one trace arrive in
// several exports). The link is made as soon as both are stored.
type AgentRef = string

// LLMCall is one request to a language model.
type LLMCall struct {
	ExternalID  string
	AgentRef    AgentRef // only for top-level calls; see AgentRef
	Name        string
	Model       *string
	InputPrompt *string
	Output      *string
	ToolCall    *string
	StartTime   time.Time
	EndTime     *time.Time
	Tokens      TokenUsage
	// Cost is computed from the price table when nil.
	Cost       *Cost
	MemoryUsed *int64
}

// TokenUsage counts tokens by kind; Total defaults to the sum of the others.
type TokenUsage struct {
	Input, Completion, Reasoning int64
	Total                        *int64
}

// Cost is a price in USD by kind; Total defaults to the sum of the others.
type Cost struct {
	Input, Output, Reasoning float64
	Total                    *float64
}

// ToolCall is one invocation of a tool.
type ToolCall struct {
	ExternalID      string
	AgentRef        AgentRef
	Name            string
	InputParameters *string
	Output          *string
	StartTime       time.Time
	EndTime         *time.Time
	MemoryUsed      *int64
	NetworkCalls    []db.NetworkCall
}

// Interaction is what a user typed ("input") or was shown ("output").
type Interaction struct {
	ExternalID string
	AgentRef   AgentRef
	Type       string
	Content    *string
	Timestamp  time.Time
}

// Error is a failure; the refs name, by external id, where it happened.
type Error struct {
	ExternalID  string
	Type        string // "LLM", "Tool" or "Agent", any case
	Message     *string
	Timestamp   time.Time
	AgentRef    string
	LLMCallRef  string
	ToolCallRef string
}

// Metric is an evaluation score of the trace.
type Metric struct {
	ExternalID   string
	Name         string
	Score        *float64
	Reason       *string
	ResultDetail json.RawMessage
	Config       json.RawMessage
	StartTime    *time.Time
	EndTime      *time.Time
	Timestamp    time.Time
}

// SystemInfo describes the machine the trace ran on.
type SystemInfo struct {
	OsName, OsVersion, PythonVersion, CPUInfo *string
	GPUs                                      []db.GPU
	Disk                                      *db.Disk
	MemoryTotal                               *float64 // GB
	InstalledPackages                         map[string]string
}
