package db

import "time"

// UserInteraction is a row of user_interactions: what a user typed into an
// agent ("input") or was shown by it ("output").
type UserInteraction struct {
	ID              int64
	ProjectID       int64
	TraceID         int64
	AgentID         *int64
	InteractionType string
	Content         *string
	Timestamp       time.Time
	ExternalID      *string
	// AgentExternalID names the agent by external id until it is stored.
	AgentExternalID *string
}

// TableName keeps AgentNeo's table name.
func (UserInteraction) TableName() string { return "user_interactions" }
