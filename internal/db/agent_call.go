package db

import "time"

// AgentCall is a row of agent_call: one run of an agent inside a trace. The id
// lists name the calls and interactions whose agent_id is this agent.
type AgentCall struct {
	ID                 int64
	ProjectID          int64
	TraceID            int64
	Name               string
	StartTime          time.Time
	EndTime            *time.Time
	LLMCallIDs         JSON[[]int64] `gorm:"column:llm_call_ids"`
	ToolCallIDs        JSON[[]int64] `gorm:"column:tool_call_ids"`
	UserInteractionIDs JSON[[]int64] `gorm:"column:user_interaction_ids"`
	ExternalID         *string
}

// TableName keeps AgentNeo's table name.
func (AgentCall) TableName() string { return "agent_call" }

// Duration is the agent call's length in seconds, nil while it runs.
func (a *AgentCall) Duration() *float64 { return secondsBetween(a.StartTime, a.EndTime) }
