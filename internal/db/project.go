package db

import (
	"context"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Project is a row of project_info: one observed application. Its times,
// duration and totals are rollups over its traces and LLM calls.
type Project struct {
	ID          int64
	ProjectName string
	StartTime   *time.Time
	EndTime     *time.Time
	Duration    *float64 // seconds
	TotalCost   float64  // USD
	TotalTokens int64
	// RetentionDays, when set, is how long traces are kept (by start time).
	RetentionDays *int
}

// TableName keeps AgentNeo's table name.
func (Project) TableName() string { return "project_info" }

// ProjectOrder is the order of project lists: oldest first.
var ProjectOrder = Order{column: "id"}

// FindProjectByName returns the project called name, or NOT_FOUND.
func (d *DB) FindProjectByName(ctx context.Context, name string) (*Project, error) {
	p, err := findRow[Project](ctx, d, Cond{SQL: "t.project_name = ?", Args: []any{name}})
	if err != nil {
		return nil, err
	}
	if p == nil || !ProjectVisible(ctx, p.ID) {
		return nil, apperr.NotFoundf("no project named %q", name)
	}
	return p, nil
}
