package db

import (
	"context"
	"fmt"
	"slices"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Export is a table that can be exported in full: its time column (for time
// ranges) and its columns holding JSON documents.
type Export struct {
	Table       string
	TimeColumn  string
	JSONColumns []string
}

// Exports are the exportable tables by the names the API uses.
var Exports = map[string]Export{
	"projects":          {Table: "project_info", TimeColumn: "start_time"},
	"traces":            {Table: "traces", TimeColumn: "start_time"},
	"system_info":       {Table: "system_info", JSONColumns: []string{"gpu_info", "disk_info", "installed_packages"}},
	"agent_calls":       {Table: "agent_call", TimeColumn: "start_time", JSONColumns: []string{"llm_call_ids", "tool_call_ids", "user_interaction_ids"}},
	"llm_calls":         {Table: "llm_call", TimeColumn: "start_time", JSONColumns: []string{"token_usage", "cost"}},
	"tool_calls":        {Table: "tool_call", TimeColumn: "start_time", JSONColumns: []string{"network_calls"}},
	"user_interactions": {Table: "user_interactions", TimeColumn: "timestamp"},
	"errors":            {Table: "errors", TimeColumn: "timestamp"},
	"metrics":           {Table: "metrics", TimeColumn: "timestamp", JSONColumns: []string{"result_detail", "config"}},
}

// IsJSON reports whether column holds JSON documents.
func (e Export) IsJSON(column string) bool { return slices.Contains(e.JSONColumns, column) }

// Scope returns the condition keeping the rows of one project.
func (e Export) Scope(projectID int64) Cond {
	if e.Table == "project_info" {
		return Cond{SQL: "t.id = ?", Args: []any{projectID}}
	}
	return Cond{SQL: "t.project_id = ?", Args: []any{projectID}}
}

// Range returns the condition keeping rows whose time is in r.
func (e Export) Range(r TimeRange) (Cond, error) {
	if e.TimeColumn == "" && (r.From != nil || r.To != nil) {
		return Cond{}, apperr.Invalid("from", "%s has no time to filter on", e.Table)
	}
	return r.cond(e.TimeColumn), nil
}

// Stream reads every row of e satisfying where, in id order, through a
// database cursor: rows are handed to row one at a time and never gathered,
// so memory stays flat whatever the row count. columns is called once first.
func (d *DB) Stream(ctx context.Context, e Export, where Cond, columns func([]string) error, row func([]any) error) error {
	where = And(where, d.scopeCond(ctx, e.Table))
	query := "SELECT t.* FROM " + e.Table + " t"
	if where.SQL != "" {
		query += " WHERE " + where.SQL
	}
	query += " ORDER BY t.id"
	ctx, release, err := d.hold(ctx) // for the whole stream
	if err != nil {
		return err
	}
	defer release()
	rows, err := d.conn(ctx).Raw(query, where.Args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	if err := columns(names); err != nil {
		return err
	}
	values := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("export %s: %w", e.Table, err)
		}
		if err := row(values); err != nil {
			return err
		}
	}
	return rows.Err()
}
