package db

import "time"

// Trace is a row of traces: one run of an application, the root of its calls.
type Trace struct {
	ID        int64
	ProjectID int64
	StartTime time.Time
	EndTime   *time.Time
	Duration  *float64 // seconds
	// ExternalID is the client's idempotency key, unique per project.
	ExternalID *string
	// TotalCost and TotalTokens sum the trace's LLM calls.
	TotalCost   float64
	TotalTokens int64
}

// TableName keeps AgentNeo's table name.
func (Trace) TableName() string { return "traces" }

// TraceOrder is the order of trace lists: newest first.
var TraceOrder = Order{column: "start_time", Kind: SortByTime, Desc: true}
