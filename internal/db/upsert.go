package db

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TraceWrite is a validated trace tree to merge into the store. Every entity
// may carry an ExternalID; one already stored under the same project, entity
// type and external id is updated in place instead of inserted.
type TraceWrite struct {
	Trace        Trace
	SystemInfo   *SystemInfo
	Agents       []AgentWrite
	LLMCalls     []LLMCall // outside any agent of this write; AgentExternalID may name one stored elsewhere
	ToolCalls    []ToolCall
	Interactions []UserInteraction
	// Errors name where they happened by external id (AgentExternalID,
	// LLMCallExternalID, ToolCallExternalID), in this write or stored already.
	Errors  []TraceError
	Metrics []Metric
}

// AgentWrite is an agent call with the calls and interactions made inside it.
type AgentWrite struct {
	Agent        AgentCall
	LLMCalls     []LLMCall
	ToolCalls    []ToolCall
	Interactions []UserInteraction
}

// UpsertTrace merges w into project projectID in one transaction and keeps
// every derived value true: the trace's times (earliest start, latest end)
// and duration, the agents' id lists, links by external id that could not be
// made before, and the project's time span, duration and token and cost
// totals. Concurrent writers of one trace serialize on its row; writers of
// one project on the project's row, so totals stay equal to the sums of rows.
// Ids are written back into w.
func (d *DB) UpsertTrace(ctx context.Context, projectID int64, w *TraceWrite) error {
	return d.Transaction(ctx, func(tx *DB) error { return tx.upsertTrace(ctx, projectID, w) })
}

func (d *DB) upsertTrace(ctx context.Context, projectID int64, w *TraceWrite) error {
	g := d.conn(ctx)
	tr := &w.Trace
	tr.ProjectID = projectID
	if err := d.upsertTraceRow(ctx, tr); err != nil {
		return fmt.Errorf("upsert trace: %w", err)
	}
	if err := d.checkKeysFree(ctx, projectID, tr.ID, w); err != nil {
		return err
	}
	if si := w.SystemInfo; si != nil {
		si.ProjectID, si.TraceID = projectID, tr.ID
		err := g.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "trace_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"os_name", "os_version", "python_version", "cpu_info", "gpu_info", "disk_info", "memory_total", "installed_packages"}),
		}).Create(si).Error
		if err != nil {
			return fmt.Errorf("upsert system info: %w", err)
		}
	}

	agents := make([]*AgentCall, len(w.Agents))
	for i := range w.Agents {
		a := &w.Agents[i].Agent
		a.ProjectID, a.TraceID = projectID, tr.ID
		utc(&a.StartTime, a.EndTime)
		a.LLMCallIDs, a.ToolCallIDs, a.UserInteractionIDs = NewJSON([]int64{}), NewJSON([]int64{}), NewJSON([]int64{})
		agents[i] = a
	}
	err := upsertRows(g, agents, []string{"name", "start_time"}, "end_time")
	if err != nil {
		return fmt.Errorf("upsert agent calls: %w", err)
	}
	agentIDs := map[string]int64{}
	for _, a := range agents {
		if a.ExternalID != nil {
			agentIDs[*a.ExternalID] = a.ID
		}
	}

	var llm []*LLMCall
	var tools []*ToolCall
	var inters []*UserInteraction
	for i := range w.Agents {
		aw := &w.Agents[i]
		id := aw.Agent.ID
		for j := range aw.LLMCalls {
			aw.LLMCalls[j].AgentID, aw.LLMCalls[j].AgentExternalID = &id, nil
			llm = append(llm, &aw.LLMCalls[j])
		}
		for j := range aw.ToolCalls {
			aw.ToolCalls[j].AgentID, aw.ToolCalls[j].AgentExternalID = &id, nil
			tools = append(tools, &aw.ToolCalls[j])
		}
		for j := range aw.Interactions {
			aw.Interactions[j].AgentID, aw.Interactions[j].AgentExternalID = &id, nil
			inters = append(inters, &aw.Interactions[j])
		}
	}
	unresolved := false
	link := func(ref *string) *int64 {
		if ref == nil {
			return nil
		}
		if id, ok := agentIDs[*ref]; ok {
			return &id
		}
		unresolved = true
		return nil
	}
	for i := range w.LLMCalls {
		c := &w.LLMCalls[i]
		c.AgentID = link(c.AgentExternalID)
		llm = append(llm, c)
	}
	for i := range w.ToolCalls {
		c := &w.ToolCalls[i]
		c.AgentID = link(c.AgentExternalID)
		tools = append(tools, c)
	}
	for i := range w.Interactions {
		c := &w.Interactions[i]
		c.AgentID = link(c.AgentExternalID)
		inters = append(inters, c)
	}

	for _, c := range llm {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.StartTime, c.EndTime)
	}
	costDelta, tokenDelta, err := d.llmTotalsDelta(ctx, projectID, llm)
	if err != nil {
		return err
	}
	llmCols := []string{"agent_id", "agent_external_id", "name", "model", "input_prompt", "output", "tool_call", "start_time",
		"duration", "memory_used", "token_usage", "cost", "input_tokens", "completion_tokens", "reasoning_tokens", "total_tokens",
		"input_cost", "output_cost", "reasoning_cost", "total_cost"}
	if err := upsertRows(g, llm, llmCols, "end_time"); err != nil {
		return fmt.Errorf("upsert llm calls: %w", err)
	}
	for _, c := range tools {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.StartTime, c.EndTime)
	}
	toolCols := []string{"agent_id", "agent_external_id", "name", "input_parameters", "output", "start_time", "duration", "memory_used", "network_calls"}
	if err := upsertRows(g, tools, toolCols, "end_time"); err != nil {
		return fmt.Errorf("upsert tool calls: %w", err)
	}
	for _, c := range inters {
		c.ProjectID, c.TraceID = projectID, tr.ID
		utc(&c.Timestamp)
	}
	if err := upsertRows(g, inters, []string{"agent_id", "agent_external_id", "interaction_type", "content", "timestamp"}, ""); err != nil {
		return fmt.Errorf("upsert user interactions: %w", err)
	}

	llmIDs, toolIDs := map[string]int64{}, map[string]int64{}
	for _, c := range llm {
		if c.ExternalID != nil {
			llmIDs[*c.ExternalID] = c.ID
		}
	}
	for _, c := range tools {
		if c.ExternalID != nil {
			toolIDs[*c.ExternalID] = c.ID
		}
	}
	errs := make([]*TraceError, len(w.Errors))
	for i := range w.Errors {
		e := &w.Errors[i]
		e.ProjectID, e.TraceID = projectID, tr.ID
		utc(&e.Timestamp)
		e.AgentID = link(e.AgentExternalID)
		e.LLMCallID = resolve(llmIDs, e.LLMCallExternalID, &unresolved)
		e.ToolCallID = resolve(toolIDs, e.ToolCallExternalID, &unresolved)
		e.fingerprint()
		errs[i] = e
	}
	errCols := []string{"agent_id", "tool_call_id", "llm_call_id", "agent_external_id", "llm_call_external_id", "tool_call_external_id",
		"error_type", "error_message", "timestamp", "fingerprint", "normalized_message"}
	if err := upsertRows(g, errs, errCols, ""); err != nil {
		return fmt.Errorf("upsert errors: %w", err)
	}
	metrics := make([]*Metric, len(w.Metrics))
	for i := range w.Metrics {
		m := &w.Metrics[i]
		m.ProjectID, m.TraceID = projectID, tr.ID
		utc(&m.Timestamp, m.StartTime, m.EndTime)
		metrics[i] = m
	}
	metricCols := []string{"metric_name", "score", "reason", "result_detail", "config", "start_time", "end_time", "duration", "timestamp"}
	if err := upsertRows(g, metrics, metricCols, ""); err != nil {
		return fmt.Errorf("upsert metrics: %w", err)
	}

	// Entities stored earlier may name, by external id, ones written now.
	keyed := tr.ExternalID != nil && (len(agentIDs) > 0 || len(llmIDs) > 0 || len(toolIDs) > 0)
	if unresolved || keyed {
		if err := d.linkByExternalID(ctx, tr.ID); err != nil {
			return err
		}
	}
	if len(agents) > 0 || unresolved || keyed {
		if err := d.RefreshAgentCallIDs(ctx, tr.ID); err != nil {
			return fmt.Errorf("agent call id lists: %w", err)
		}
	}
	if costDelta != 0 || tokenDelta != 0 {
		err := d.conn(ctx).Exec(`UPDATE traces SET total_cost = total_cost + ?, total_tokens = total_tokens + ? WHERE id = ?`,
			costDelta, tokenDelta, tr.ID).Error
		if err != nil {
			return fmt.Errorf("trace totals: %w", err)
		}
		tr.TotalCost += costDelta
		tr.TotalTokens += tokenDelta
	}
	return d.addToProject(ctx, projectID, tr, costDelta, tokenDelta)
}

// checkKeysFree fails when an external id of w names an entity of another
// trace: keys are unique per project, and an entity never moves between
// traces. One statement covers every entity type.
func (d *DB) checkKeysFree(ctx context.Context, projectID, traceID int64, w *TraceWrite) error {
	keys := map[string][]string{}
	add := func(table string, key *string) {
		if key != nil {
			keys[table] = append(keys[table], *key)
		}
	}
	for i := range w.Agents {
		a := &w.Agents[i]
		add("agent_call", a.Agent.ExternalID)
		for j := range a.LLMCalls {
			add("llm_call", a.LLMCalls[j].ExternalID)
		}
		for j := range a.ToolCalls {
			add("tool_call", a.ToolCalls[j].ExternalID)
		}
		for j := range a.Interactions {
			add("user_interactions", a.Interactions[j].ExternalID)
		}
	}
	for i := range w.LLMCalls {
		add("llm_call", w.LLMCalls[i].ExternalID)
	}
	for i := range w.ToolCalls {
		add("tool_call", w.ToolCalls[i].ExternalID)
	}
	for i := range w.Interactions {
		add("user_interactions", w.Interactions[i].ExternalID)
	}
	for i := range w.Errors {
		add("errors", w.Errors[i].ExternalID)
	}
	for i := range w.Metrics {
		add("metrics", w.Metrics[i].ExternalID)
	}
	if len(keys) == 0 {
		return nil
	}
	var parts []string
	var args []any
	for _, table := range []string{"agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"} {
		if len(keys[table]) == 0 {
			continue
		}
		in, arg := d.inStrings("external_id", keys[table])
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS kind, external_id AS key FROM %s WHERE project_id = ? AND trace_id <> ? AND %s`, table, table, in))
		args = append(args, projectID, traceID, arg)
	}
	var taken []struct{ Kind, Key string }
	if err := d.conn(ctx).Raw(strings.Join(parts, " UNION ALL ")+" LIMIT 1", args...).Scan(&taken).Error; err != nil {
		return fmt.Errorf("check external ids: %w", err)
	}
	if len(taken) > 0 {
		return apperr.Invalid("externalId", "%q already names a row of %s in another trace of this project; external ids are unique per project", taken[0].Key, taken[0].Kind)
	}
	return nil
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

// upsertRows inserts rows, updating those whose (project_id, external_id)
// is stored already: the columns in set take the new values, and keepEnd, if
// given, keeps its old value when the new one is NULL (an end time sent
// before the call ended must not erase one sent after).
func upsertRows[T any](g *gorm.DB, rows []*T, set []string, keepEnd string) error {
	if len(rows) == 0 {
		return nil
	}
	assignments := clause.AssignmentColumns(set)
	if keepEnd != "" {
		assignments = append(assignments, clause.Assignment{
			Column: clause.Column{Name: keepEnd},
			Value:  gorm.Expr(fmt.Sprintf("COALESCE(excluded.%[1]s, %[2]s.%[1]s)", keepEnd, tableOf(g, rows[0]))),
		})
	}
	return g.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "project_id"}, {Name: "external_id"}},
		DoUpdates: assignments,
	}).CreateInBatches(rows, 200).Error
}

func tableOf(g *gorm.DB, model any) string {
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(model); err != nil {
		panic(err)
	}
	return stmt.Schema.Table
}

// upsertTraceRow inserts or merges the trace row: the earliest start and
// the latest end win. It locks the row until the transaction ends.
func (d *DB) upsertTraceRow(ctx context.Context, tr *Trace) error {
	utc(&tr.StartTime, tr.EndTime)
	tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
	var row struct {
		ID          int64
		StartTime   scanTime
		EndTime     scanTime
		Duration    *float64
		TotalCost   float64
		TotalTokens int64
	}
	err := d.conn(ctx).Raw(`INSERT INTO traces (project_id, external_id, start_time, end_time, duration)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (project_id, external_id) DO UPDATE SET
			start_time = CASE WHEN excluded.start_time < traces.start_time THEN excluded.start_time ELSE traces.start_time END,
			end_time = CASE WHEN traces.end_time IS NULL OR excluded.end_time > traces.end_time THEN excluded.end_time ELSE traces.end_time END
		RETURNING id, start_time, end_time, duration, total_cost, total_tokens`,
		tr.ProjectID, tr.ExternalID, tr.StartTime, tr.EndTime, tr.Duration).Scan(&row).Error
	if err != nil {
		return err
	}
	if row.ID == 0 {
		return fmt.Errorf("trace upsert returned no row")
	}
	tr.ID, tr.StartTime, tr.EndTime = row.ID, row.StartTime.Time, row.EndTime.ptr()
	tr.TotalCost, tr.TotalTokens = row.TotalCost, row.TotalTokens
	tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
	if sameSeconds(tr.Duration, row.Duration) {
		return nil
	}
	return d.conn(ctx).Model(&Trace{}).Where("id = ?", tr.ID).Update("duration", tr.Duration).Error
}

// llmTotalsDelta returns how much the project's cost and token totals change
// when calls replace the stored calls with the same external ids.
func (d *DB) llmTotalsDelta(ctx context.Context, projectID int64, calls []*LLMCall) (float64, int64, error) {
	var cost float64
	var tokens int64
	var keys []string
	for _, c := range calls {
		cost += c.Cost.Total
		tokens += c.Tokens.Total
		if c.ExternalID != nil {
			keys = append(keys, *c.ExternalID)
		}
	}
	if len(keys) == 0 {
		return cost, tokens, nil
	}
	in, arg := d.inStrings("external_id", keys)
	var old struct {
		Cost   float64
		Tokens int64
	}
	err := d.conn(ctx).Raw(`SELECT COALESCE(SUM(total_cost), 0) AS cost, COALESCE(SUM(total_tokens), 0) AS tokens
		FROM llm_call WHERE project_id = ? AND `+in, projectID, arg).Scan(&old).Error
	if err != nil {
		return 0, 0, fmt.Errorf("read replaced llm calls: %w", err)
	}
	return cost - old.Cost, tokens - old.Tokens, nil
}

// inStrings renders "column is one of values" as one bound parameter: a
// text array on PostgreSQL (= ANY uses the index whatever the statistics),
// a JSON array on SQLite.
func (d *DB) inStrings(column string, values []string) (string, any) {
	if d.dialect == Postgres {
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
			b.WriteByte('"')
		}
		b.WriteByte('}')
		return column + " = ANY(?::text[])", b.String()
	}
	b, _ := json.Marshal(values)
	return column + " IN (SELECT value FROM json_each(?))", string(b)
}

// linkByExternalID makes the links of a trace's rows that name, by external
// id, entities which were not stored when the rows were written.
func (d *DB) linkByExternalID(ctx context.Context, traceID int64) error {
	agent := func(table string) string {
		return fmt.Sprintf(`UPDATE %[1]s SET agent_id = (SELECT a.id FROM agent_call a
			WHERE a.project_id = %[1]s.project_id AND a.external_id = %[1]s.agent_external_id)
			WHERE trace_id = ? AND agent_id IS NULL AND agent_external_id IS NOT NULL`, table)
	}
	statements := []string{
		agent("llm_call"), agent("tool_call"), agent("user_interactions"),
		`UPDATE errors SET
			agent_id = COALESCE(agent_id, (SELECT a.id FROM agent_call a WHERE a.project_id = errors.project_id AND a.external_id = errors.agent_external_id)),
			llm_call_id = COALESCE(llm_call_id, (SELECT c.id FROM llm_call c WHERE c.project_id = errors.project_id AND c.external_id = errors.llm_call_external_id)),
			tool_call_id = COALESCE(tool_call_id, (SELECT c.id FROM tool_call c WHERE c.project_id = errors.project_id AND c.external_id = errors.tool_call_external_id))
			WHERE trace_id = ? AND ((agent_id IS NULL AND agent_external_id IS NOT NULL)
				OR (llm_call_id IS NULL AND llm_call_external_id IS NOT NULL)
				OR (tool_call_id IS NULL AND tool_call_external_id IS NOT NULL))`,
	}
	for _, s := range statements {
		if err := d.conn(ctx).Exec(s, traceID).Error; err != nil {
			return fmt.Errorf("link by external id: %w", err)
		}
	}
	return nil
}

// addToProject adds a written trace to its project's rollups: totals by the
// given deltas, the time span widened to cover the trace. It reads the
// project row's latest committed values under its lock, so concurrent
// writers never lose each other's updates.
func (d *DB) addToProject(ctx context.Context, projectID int64, tr *Trace, costDelta float64, tokenDelta int64) error {
	end := tr.StartTime
	if tr.EndTime != nil {
		end = *tr.EndTime
	}
	var row struct {
		StartTime scanTime
		EndTime   scanTime
		Duration  *float64
	}
	err := d.conn(ctx).Raw(`UPDATE project_info SET
			total_cost = total_cost + ?,
			total_tokens = total_tokens + ?,
			start_time = CASE WHEN start_time IS NULL OR ? < start_time THEN ? ELSE start_time END,
			end_time = CASE WHEN end_time IS NULL OR ? > end_time THEN ? ELSE end_time END
		WHERE id = ? RETURNING start_time, end_time, duration`,
		costDelta, tokenDelta, tr.StartTime, tr.StartTime, end, end, projectID).Scan(&row).Error
	if err != nil {
		return fmt.Errorf("project rollups: %w", err)
	}
	if !row.StartTime.Valid {
		return fmt.Errorf("project rollups: project %d not found", projectID)
	}
	duration := secondsBetween(row.StartTime.Time, row.EndTime.ptr())
	if sameSeconds(duration, row.Duration) {
		return nil
	}
	return d.conn(ctx).Model(&Project{}).Where("id = ?", projectID).Update("duration", duration).Error
}

// sameSeconds compares two optional durations.
func sameSeconds(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

// SecondsBetween is end-start in seconds, nil without an end.
func SecondsBetween(start time.Time, end *time.Time) *float64 { return secondsBetween(start, end) }
