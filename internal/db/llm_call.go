package db

import "time"

// LLMCall is a row of llm_call: one request to a language model.
type LLMCall struct {
	ID          int64
	ProjectID   int64
	TraceID     int64
	AgentID     *int64
	Name        string
	Model       *string
	InputPrompt *string
	Output      *string
	ToolCall    *string // the tool call the model asked for, as recorded
	StartTime   time.Time
	EndTime     *time.Time
	Duration    *float64 // seconds
	MemoryUsed  *int64   // bytes
	// TokenUsageJSON and CostJSON are the original JSON columns, kept for
	// AgentNeo compatibility; Tokens and Cost are their numeric twins.
	TokenUsageJSON RawJSON    `gorm:"column:token_usage"`
	CostJSON       RawJSON    `gorm:"column:cost"`
	Tokens         TokenUsage `gorm:"embedded"`
	Cost           Cost       `gorm:"embedded"`
	ExternalID     *string
	// AgentExternalID names the agent by external id until it is stored.
	AgentExternalID *string
}

// TableName keeps AgentNeo's table name.
func (LLMCall) TableName() string { return "llm_call" }

// TokenUsage is the token count of an LLM call by kind.
type TokenUsage struct {
	Input      int64 `gorm:"column:input_tokens" json:"input"`
	Completion int64 `gorm:"column:completion_tokens" json:"completion"`
	Reasoning  int64 `gorm:"column:reasoning_tokens" json:"reasoning"`
	Total      int64 `gorm:"column:total_tokens" json:"total"`
}

// Cost is the price of an LLM call in USD by kind.
type Cost struct {
	Input     float64 `gorm:"column:input_cost" json:"input"`
	Output    float64 `gorm:"column:output_cost" json:"output"`
	Reasoning float64 `gorm:"column:reasoning_cost" json:"reasoning"`
	Total     float64 `gorm:"column:total_cost" json:"total"`
}

// StartTimeOrder is the order of call lists: in the order they started.
var StartTimeOrder = Order{column: "start_time", Kind: SortByTime}
