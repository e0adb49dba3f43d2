package db

import "time"

// TraceError is a row of errors: a failure inside a trace, attached to the
// agent, tool call or LLM call where it happened when known.
type TraceError struct {
	ID           int64
	ProjectID    int64
	TraceID      int64
	AgentID      *int64
	ToolCallID   *int64
	LLMCallID    *int64 `gorm:"column:llm_call_id"`
	ErrorType    string // "LLM", "Tool" or "Agent"
	ErrorMessage *string
	Timestamp    time.Time
	ExternalID   *string
	// The external ids of where the error happened, kept until those are stored.
	AgentExternalID    *string
	LLMCallExternalID  *string `gorm:"column:llm_call_external_id"`
	ToolCallExternalID *string
	// NormalizedMessage and Fingerprint group errors that differ only in
	// the values they quote (see NormalizeErrorMessage).
	NormalizedMessage *string
	Fingerprint       *string
}

// TableName keeps AgentNeo's table name.
func (TraceError) TableName() string { return "errors" }

// TimestampOrder is the order of errors, interactions and metrics: oldest first.
var TimestampOrder = Order{column: "timestamp", Kind: SortByTime}
