package db

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// TraceTree is a trace with everything recorded inside it, ready to insert.
// Ids are assigned by the insert and written back into the structs.
type TraceTree struct {
	Trace        Trace
	SystemInfo   *SystemInfo
	Agents       []AgentTree
	LLMCalls     []LLMCall // calls made outside any agent
	ToolCalls    []ToolCall
	Interactions []UserInteraction
	Errors       []ErrorRecord
	Metrics      []Metric
}

// AgentTree is an agent call with the calls and interactions made inside it.
type AgentTree struct {
	Agent        AgentCall
	LLMCalls     []LLMCall
	ToolCalls    []ToolCall
	Interactions []UserInteraction
}

// ErrorRecord is an error and the calls of the same tree where it happened;
// the pointers must point into the tree being inserted.
type ErrorRecord struct {
	Error    TraceError
	Agent    *AgentCall
	LLMCall  *LLMCall
	ToolCall *ToolCall
}

// EnsureProject returns the project called name, creating it if needed.
func (d *DB) EnsureProject(ctx context.Context, name string) (*Project, error) {
	if name == "" {
		return nil, apperr.Invalid("projectName", "must not be empty")
	}
	p := Project{ProjectName: name}
	err := d.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "project_name"}}, DoNothing: true}).Create(&p).Error
	if err != nil {
		return nil, err
	}
	if p.ID != 0 {
		return &p, nil
	}
	return d.FindProjectByName(ctx, name)
}

// InsertTraceTree writes a whole trace in one transaction and fills in the
// ids, the trace duration and the agents' id lists. The caller refreshes the
// project's rollups (RefreshProjectRollups) when it is done writing.
func (d *DB) InsertTraceTree(ctx context.Context, projectID int64, tree *TraceTree) error {
	return d.Transaction(ctx, func(tx *DB) error { return tx.insertTraceTree(ctx, projectID, tree) })
}

func (d *DB) insertTraceTree(ctx context.Context, projectID int64, tree *TraceTree) error {
	g := d.conn(ctx)
	tr := &tree.Trace
	tr.ProjectID = projectID
	utc(&tr.StartTime, tr.EndTime)
	tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
	if err := g.Create(tr).Error; err != nil {
		return fmt.Errorf("insert trace: %w", err)
	}
	if si := tree.SystemInfo; si != nil {
		si.ProjectID, si.TraceID = projectID, tr.ID
		if err := g.Create(si).Error; err != nil {
			return fmt.Errorf("insert system info: %w", err)
		}
	}

	var llm []*LLMCall
	var tools []*ToolCall
	var inters []*UserInteraction
	if len(tree.Agents) > 0 {
		agents := make([]*AgentCall, len(tree.Agents))
		for i := range tree.Agents {
			a := &tree.Agents[i].Agent
			a.ProjectID, a.TraceID = projectID, tr.ID
			utc(&a.StartTime, a.EndTime)
			a.LLMCallIDs, a.ToolCallIDs, a.UserInteractionIDs = NewJSON([]int64{}), NewJSON([]int64{}), NewJSON([]int64{})
			agents[i] = a
		}
		if err := g.Create(agents).Error; err != nil {
			return fmt.Errorf("insert agent calls: %w", err)
		}
	}
	for i := range tree.Agents {
		at := &tree.Agents[i]
		llm = appendChildren(llm, at.LLMCalls, &at.Agent.ID)
		tools = appendChildren(tools, at.ToolCalls, &at.Agent.ID)
		inters = appendChildren(inters, at.Interactions, &at.Agent.ID)
	}
	llm = appendChildren(llm, tree.LLMCalls, nil)
	tools = appendChildren(tools, tree.ToolCalls, nil)
	inters = appendChildren(inters, tree.Interactions, nil)
	for _, c := range llm {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.StartTime, c.EndTime)
	}
	for _, c := range tools {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.StartTime, c.EndTime)
	}
	for _, c := range inters {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.Timestamp, nil)
	}
	if err := createAll(g, llm, "llm calls"); err != nil {
		return err
	}
	if err := createAll(g, tools, "tool calls"); err != nil {
		return err
	}
	if err := createAll(g, inters, "user interactions"); err != nil {
		return err
	}

	errs := make([]*TraceError, len(tree.Errors))
	for i := range tree.Errors {
		rec := &tree.Errors[i]
		e := &rec.Error
		e.ProjectID, e.TraceID = projectID, tr.ID
		utc(&e.Timestamp, nil)
		if rec.Agent != nil {
			e.AgentID = &rec.Agent.ID
		}
		if rec.LLMCall != nil {
			e.LLMCallID = &rec.LLMCall.ID
		}
		if rec.ToolCall != nil {
			e.ToolCallID = &rec.ToolCall.ID
		}
		errs[i] = e
	}
	if err := createAll(g, errs, "errors"); err != nil {
		return err
	}
	metrics := make([]*Metric, len(tree.Metrics))
	for i := range tree.Metrics {
		m := &tree.Metrics[i]
		m.TraceID = tr.ID
		utc(&m.Timestamp, m.StartTime, m.EndTime)
		metrics[i] = m
	}
	if err := createAll(g, metrics, "metrics"); err != nil {
		return err
	}
	if len(tree.Agents) > 0 {
		return d.RefreshAgentCallIDs(ctx, tr.ID)
	}
	return nil
}

// appendChildren adds pointers to children to dst, setting their agent id.
func appendChildren[T any, P interface {
	*T
	setAgent(*int64)
}](dst []P, children []T, agentID *int64) []P {
	for i := range children {
		p := P(&children[i])
		if agentID != nil {
			id := *agentID
			p.setAgent(&id)
		}
		dst = append(dst, p)
	}
	return dst
}

func (c *LLMCall) setAgent(id *int64)         { c.AgentID = id }
func (c *ToolCall) setAgent(id *int64)        { c.AgentID = id }
func (c *UserInteraction) setAgent(id *int64) { c.AgentID = id }

// createAll inserts rows in batches, one statement per batch.
func createAll[T any](g *gorm.DB, rows []*T, what string) error {
	if len(rows) == 0 {
		return nil
	}
	if err := g.CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("insert %s: %w", what, err)
	}
	return nil
}

// RefreshAgentCallIDs recomputes the id lists of every agent call of a trace
// from the agent_id of its children, so the lists always agree with them.
func (d *DB) RefreshAgentCallIDs(ctx context.Context, traceID int64) error {
	agg := func(table string) string {
		if d.dialect == Postgres {
			return fmt.Sprintf(`(SELECT COALESCE(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) FROM %s c WHERE c.agent_id = agent_call.id)`, table)
		}
		return fmt.Sprintf(`(SELECT json_group_array(id) FROM (SELECT c.id FROM %s c WHERE c.agent_id = agent_call.id ORDER BY c.id))`, table)
	}
	query := fmt.Sprintf(`UPDATE agent_call SET llm_call_ids = %s, tool_call_ids = %s, user_interaction_ids = %s WHERE trace_id = ?`,
		agg("llm_call"), agg("tool_call"), agg("user_interactions"))
	return d.conn(ctx).Exec(query, traceID).Error
}

// RefreshProjectRollups recomputes a project's time span, duration and
// token and cost totals from its traces and LLM calls.
func (d *DB) RefreshProjectRollups(ctx context.Context, projectID int64) error {
	return d.Transaction(ctx, func(tx *DB) error {
		g := tx.conn(ctx)
		// Lock first: the recount below then sees every write committed
		// before it, and writers after it add their deltas to the recount.
		if err := tx.lockProject(ctx, projectID); err != nil {
			return err
		}
		res := g.Exec(`UPDATE project_info SET
			start_time = (SELECT MIN(start_time) FROM traces WHERE project_id = project_info.id),
			end_time = (SELECT MAX(COALESCE(end_time, start_time)) FROM traces WHERE project_id = project_info.id),
			total_cost = (SELECT COALESCE(SUM(total_cost), 0) FROM llm_call WHERE project_id = project_info.id),
			total_tokens = (SELECT COALESCE(SUM(total_tokens), 0) FROM llm_call WHERE project_id = project_info.id)
			WHERE id = ?`, projectID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFoundf("no project with id %d", projectID)
		}
		// The duration is computed here rather than in SQL: SQLite's date
		// arithmetic goes through julianday floats and loses milliseconds.
		var p Project
		if err := g.Select("start_time", "end_time").Take(&p, projectID).Error; err != nil {
			return err
		}
		var duration *float64
		if p.StartTime != nil {
			duration = secondsBetween(*p.StartTime, p.EndTime)
		}
		return g.Model(&Project{}).Where("id = ?", projectID).Update("duration", duration).Error
	})
}

// utc converts times to UTC in place. SQLite stores times as text, which
// sorts in time order only when every value has the same offset.
func utc(t *time.Time, more ...*time.Time) {
	*t = t.UTC()
	for _, m := range more {
		if m != nil {
			*m = m.UTC()
		}
	}
}

// secondsBetween returns end-start in seconds, nil without an end. One
// division keeps it correctly rounded (1.118, not 1.1179999999999999).
func secondsBetween(start time.Time, end *time.Time) *float64 {
	if end == nil {
		return nil
	}
	s := float64(end.Sub(start)) / float64(time.Second)
	return &s
}
