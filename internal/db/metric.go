package db

import "time"

// Metric is a row of metrics: an evaluation score attached to a trace.
type Metric struct {
	ID           int64
	ProjectID    int64
	TraceID      int64
	MetricName   string
	Score        *float64
	Reason       *string
	ResultDetail RawJSON
	Config       RawJSON
	StartTime    *time.Time
	EndTime      *time.Time
	Duration     *float64 // seconds
	Timestamp    time.Time
	ExternalID   *string
}

// TableName keeps AgentNeo's table name.
func (Metric) TableName() string { return "metrics" }
