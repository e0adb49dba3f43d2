package db

import (
	"context"
	"fmt"
)

// Links between the entities of a written trace: by external id inside
// the write, by stored rows after it, and the agents' id lists.

// gather collects the trace's calls and interactions with their links to
// the agents of the trace, which are stored by now.
func (t *roundTrace) gather() {
	t.agentIDs = map[string]int64{}
	for i := range t.w.Agents {
		a := &t.w.Agents[i].Agent
		if a.ExternalID != nil {
			t.agentIDs[*a.ExternalID] = a.ID
		}
	}
	pid, tid := t.projectID, t.w.Trace.ID
	for i := range t.w.Agents {
		aw := &t.w.Agents[i]
		id := aw.Agent.ID
		for j := range aw.LLMCalls {
			aw.LLMCalls[j].AgentID, aw.LLMCalls[j].AgentExternalID = &id, nil
			t.llm = append(t.llm, &aw.LLMCalls[j])
		}
		for j := range aw.ToolCalls {
			aw.ToolCalls[j].AgentID, aw.ToolCalls[j].AgentExternalID = &id, nil
			t.tools = append(t.tools, &aw.ToolCalls[j])
		}
		for j := range aw.Interactions {
			aw.Interactions[j].AgentID, aw.Interactions[j].AgentExternalID = &id, nil
			t.inters = append(t.inters, &aw.Interactions[j])
		}
	}
	for i := range t.w.LLMCalls {
		c := &t.w.LLMCalls[i]
		c.AgentID = t.link(c.AgentExternalID)
		t.llm = append(t.llm, c)
	}
	for i := range t.w.ToolCalls {
		c := &t.w.ToolCalls[i]
		c.AgentID = t.link(c.AgentExternalID)
		t.tools = append(t.tools, c)
	}
	for i := range t.w.Interactions {
		c := &t.w.Interactions[i]
		c.AgentID = t.link(c.AgentExternalID)
		t.inters = append(t.inters, c)
	}
	for _, c := range t.llm {
		c.ProjectID, c.TraceID = pid, tid
		utc(&c.StartTime, c.EndTime)
	}
	for _, c := range t.tools {
		c.ProjectID, c.TraceID = pid, tid
		utc(&c.StartTime, c.EndTime)
	}
	for _, c := range t.inters {
		c.ProjectID, c.TraceID = pid, tid
		utc(&c.Timestamp)
	}
}

// children prepares the trace's errors and metrics for writing, linking
// errors to the calls of the trace they name. keyedCalls tells whether
// some call of the trace has an external id.
func (t *roundTrace) children() (errs []*TraceError, metrics []*Metric, keyedCalls bool) {
	tr := &t.w.Trace
	llmIDs, toolIDs := map[string]int64{}, map[string]int64{}
	for _, c := range t.llm {
		if c.ExternalID != nil {
			llmIDs[*c.ExternalID] = c.ID
		}
	}
	for _, c := range t.tools {
		if c.ExternalID != nil {
			toolIDs[*c.ExternalID] = c.ID
		}
	}
	for i := range t.w.Errors {
		e := &t.w.Errors[i]
		e.ProjectID, e.TraceID = t.projectID, tr.ID
		utc(&e.Timestamp)
		e.AgentID = t.link(e.AgentExternalID)
		e.LLMCallID = resolve(llmIDs, e.LLMCallExternalID, &t.unresolved)
		e.ToolCallID = resolve(toolIDs, e.ToolCallExternalID, &t.unresolved)
		e.fingerprint()
		errs = append(errs, e)
	}
	for i := range t.w.Metrics {
		m := &t.w.Metrics[i]
		m.ProjectID, m.TraceID = t.projectID, tr.ID
		utc(&m.Timestamp, m.StartTime, m.EndTime)
		metrics = append(metrics, m)
	}
	return errs, metrics, len(llmIDs) > 0 || len(toolIDs) > 0
}

// link returns the id of the trace's agent named ref, noting when there is none.
func (t *roundTrace) link(ref *string) *int64 {
	if ref == nil {
		return nil
	}
	if id, ok := t.agentIDs[*ref]; ok {
		return &id
	}
	t.unresolved = true
	return nil
}

// linkByExternalIDs makes the links of the traces' rows that name, by
// external id, entities which were not stored when the rows were written.
func (d *DB) linkByExternalIDs(ctx context.Context, traceIDs []int64) error {
	in, arg := d.inSet("trace_id", traceIDs)
	agent := func(table string) string {
		return fmt.Sprintf(`UPDATE %[1]s SET agent_id = (SELECT a.id FROM agent_call a
			WHERE a.project_id = %[1]s.project_id AND a.external_id = %[1]s.agent_external_id)
			WHERE %[2]s AND agent_id IS NULL AND agent_external_id IS NOT NULL`, table, in)
	}
	statements := []string{
		agent("llm_call"), agent("tool_call"), agent("user_interactions"),
		`UPDATE errors SET
			agent_id = COALESCE(agent_id, (SELECT a.id FROM agent_call a WHERE a.project_id = errors.project_id AND a.external_id = errors.agent_external_id)),
			llm_call_id = COALESCE(llm_call_id, (SELECT c.id FROM llm_call c WHERE c.project_id = errors.project_id AND c.external_id = errors.llm_call_external_id)),
			tool_call_id = COALESCE(tool_call_id, (SELECT c.id FROM tool_call c WHERE c.project_id = errors.project_id AND c.external_id = errors.tool_call_external_id))
			WHERE ` + in + ` AND ((agent_id IS NULL AND agent_external_id IS NOT NULL)
				OR (llm_call_id IS NULL AND llm_call_external_id IS NOT NULL)
				OR (tool_call_id IS NULL AND tool_call_external_id IS NOT NULL))`,
	}
	for _, s := range statements {
		if err := d.conn(ctx).Exec(s, arg).Error; err != nil {
			return fmt.Errorf("link by external id: %w", err)
		}
	}
	return nil
}

// refreshAgentCallIDs recomputes the id lists of every agent call of the
// traces from the agent_id of their children, so the lists always agree
// with them.
func (d *DB) refreshAgentCallIDs(ctx context.Context, traceIDs []int64) error {
	in, arg := d.inSet("trace_id", traceIDs)
	l := d.dialect.idList
	query := fmt.Sprintf(`UPDATE agent_call SET llm_call_ids = %s, tool_call_ids = %s, user_interaction_ids = %s WHERE %s`,
		l("llm_call"), l("tool_call"), l("user_interactions"), in)
	return d.conn(ctx).Exec(query, arg).Error
}

// resolve returns the id of ref among ids, noting when it is not there.
func resolve(ids map[string]int64, ref *string, unresolved *bool) *int64 {
	if ref == nil {
		return nil
	}
	if id, ok := ids[*ref]; ok {
		return &id
	}
	*unresolved = true
	return nil
}
