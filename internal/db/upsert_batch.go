package db

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// ProjectTrace is one trace of a batch and the project it goes to.
type ProjectTrace struct {
	ProjectID int64
	Write     *TraceWrite
}

// BatchError is the failure of one trace of a batch: Index is its position
// in the batch given to UpsertTraces.
type BatchError struct {
	Index int
	Err   error
}

func (e *BatchError) Error() string { return fmt.Sprintf("trace %d: %v", e.Index, e.Err) }
func (e *BatchError) Unwrap() error { return e.Err }

// UpsertTraces merges every trace of batch into its project in one
// transaction, all or nothing, and keeps every derived value true: the
// traces' times (earliest start, latest end) and durations, the agents' id
// lists, links by external id that could not be made before, and the
// projects' time spans, durations and token and cost totals. Concurrent
// writers of one trace serialize on its row; writers of one project on the
// project's row, so totals stay equal to the sums of rows.
//
// The number of statements does not depend on the number of traces: one
// multi-row upsert per table for all traces, one key check, one statement
// per derived value (links, id lists, trace totals) and one rollup update
// per project. On PostgreSQL, a round of traces that are all new skips the
// key check and the derived-value statements (see insertNewRound), and the
// traces' search documents follow in one statement, three when stored
// texts were updated (see searchWrites). A trace sent twice in one batch is
// merged in a second round, as if sent in a second call. Ids are written
// back into the writes. A failure that belongs to one trace is a
// *BatchError naming it.
func (d *DB) UpsertTraces(ctx context.Context, batch []ProjectTrace) error {
	if len(batch) == 0 {
		return nil
	}
	err := d.upsertTraces(ctx, batch, true)
	if errors.Is(err, errKeyInUse) {
		// Rolled back to before the attempt; the general way names the trace.
		err = d.upsertTraces(ctx, batch, false)
	}
	return err
}

// upsertTraces writes the batch in one transaction (a savepoint inside
// another). With fast, rounds of new traces are written with plain
// inserts and ids reserved up front (see insertNewRound).
func (d *DB) upsertTraces(ctx context.Context, batch []ProjectTrace, fast bool) error {
	return d.Transaction(ctx, func(tx *DB) error {
		search := newSearchWrites(tx.dialect)
		var written []*roundTrace
		for _, round := range rounds(batch) {
			ts, err := tx.upsertRound(ctx, batch, round, search, fast)
			if err != nil {
				return err
			}
			written = append(written, ts...)
		}
		if err := tx.writeSearch(ctx, search); err != nil {
			return err
		}
		// Last: concurrent ingests into a project queue on its row's lock,
		// which is held from here to the commit.
		return tx.addToProjects(ctx, written)
	})
}

// rounds splits batch (by index) so that no round holds the same keyed
// trace twice: the n-th occurrence of a trace goes to round n.
func rounds(batch []ProjectTrace) [][]int {
	type key struct {
		project int64
		ext     string
	}
	seen := map[key]int{}
	var out [][]int
	for i, it := range batch {
		r := 0
		if ext := it.Write.Trace.ExternalID; ext != nil {
			k := key{it.ProjectID, *ext}
			r = seen[k]
			seen[k] = r + 1
		}
		if r == len(out) {
			out = append(out, nil)
		}
		out[r] = append(out[r], i)
	}
	return out
}

// roundTrace is a trace of a round with what its writing derives.
type roundTrace struct {
	index      int // in the batch
	projectID  int64
	w          *TraceWrite
	agentIDs   map[string]int64
	llm        []*LLMCall
	tools      []*ToolCall
	inters     []*UserInteraction
	unresolved bool
	// inserted: the trace row is new, written with its totals (PostgreSQL
	// only; SQLite cannot tell, so its totals are always added after).
	inserted   bool
	costDelta  float64
	tokenDelta int64
}

func (d *DB) upsertRound(ctx context.Context, batch []ProjectTrace, round []int, search *searchWrites, fast bool) ([]*roundTrace, error) {
	g := d.conn(ctx)
	ts := make([]*roundTrace, len(round))
	for i, idx := range round {
		ts[i] = &roundTrace{index: idx, projectID: batch[idx].ProjectID, w: batch[idx].Write}
		ts[i].w.Trace.ProjectID = batch[idx].ProjectID
	}
	if err := d.upsertTraceRows(ctx, ts); err != nil {
		return nil, err
	}
	if fast && d.allNewAndSelfContained(ts) {
		return ts, d.insertNewRound(ctx, ts, search)
	}
	updated, err := d.checkBatchKeys(ctx, ts)
	if err != nil {
		return nil, err
	}
	search.rebuildTraces(updated)

	ids, err := d.reserveRound(ctx, ts)
	if err != nil {
		return nil, err
	}
	var infos []*SystemInfo
	var agents []*AgentCall
	for _, t := range ts {
		tr := &t.w.Trace
		if si := t.w.SystemInfo; si != nil {
			si.ID, si.ProjectID, si.TraceID = ids.next("system_info"), t.projectID, tr.ID
			infos = append(infos, si)
		}
		for i := range t.w.Agents {
			a := &t.w.Agents[i].Agent
			a.ID, a.ProjectID, a.TraceID = ids.next("agent_call"), t.projectID, tr.ID
			utc(&a.StartTime, a.EndTime)
			a.LLMCallIDs, a.ToolCallIDs, a.UserInteractionIDs = NewJSON([]int64{}), NewJSON([]int64{}), NewJSON([]int64{})
			agents = append(agents, a)
		}
	}
	infoKey := upsertKey{columns: []string{"trace_id"},
		set: []string{"os_name", "os_version", "python_version", "cpu_info", "gpu_info", "disk_info", "memory_total", "installed_packages"}}
	if err := upsertRows(g, infos, infoKey); err != nil {
		return nil, fmt.Errorf("upsert system info: %w", err)
	}
	if err := upsertRows(g, agents, byExternalID([]string{"name", "start_time"}, "end_time")); err != nil {
		return nil, fmt.Errorf("upsert agent calls: %w", err)
	}

	var llm []*LLMCall
	var tools []*ToolCall
	var inters []*UserInteraction
	for _, t := range ts {
		t.gather()
		search.addTexts(t)
		for _, c := range t.llm {
			c.ID = ids.next("llm_call")
		}
		for _, c := range t.tools {
			c.ID = ids.next("tool_call")
		}
		for _, c := range t.inters {
			c.ID = ids.next("user_interactions")
		}
		llm = append(llm, t.llm...)
		tools = append(tools, t.tools...)
		inters = append(inters, t.inters...)
	}
	if err := d.llmTotalsDeltas(ctx, ts); err != nil {
		return nil, err
	}
	llmCols := []string{"agent_id", "agent_external_id", "name", "model", "input_prompt", "output", "tool_call", "start_time",
		"duration", "memory_used", "token_usage", "cost", "input_tokens", "completion_tokens", "reasoning_tokens", "total_tokens",
		"input_cost", "output_cost", "reasoning_cost", "total_cost"}
	if err := upsertRows(g, llm, byExternalID(llmCols, "end_time")); err != nil {
		return nil, fmt.Errorf("upsert llm calls: %w", err)
	}
	toolCols := []string{"agent_id", "agent_external_id", "name", "input_parameters", "output", "start_time", "duration", "memory_used", "network_calls"}
	if err := upsertRows(g, tools, byExternalID(toolCols, "end_time")); err != nil {
		return nil, fmt.Errorf("upsert tool calls: %w", err)
	}
	interCols := []string{"agent_id", "agent_external_id", "interaction_type", "content", "timestamp"}
	if err := upsertRows(g, inters, byExternalID(interCols, "")); err != nil {
		return nil, fmt.Errorf("upsert user interactions: %w", err)
	}

	var errs []*TraceError
	var metrics []*Metric
	var relink, refresh []int64
	for _, t := range ts {
		e, m, keyedCalls := t.children()
		for _, x := range e {
			x.ID = ids.next("errors")
		}
		for _, x := range m {
			x.ID = ids.next("metrics")
		}
		errs, metrics = append(errs, e...), append(metrics, m...)
		// Entities stored earlier may name, by external id, ones written now.
		keyed := t.w.Trace.ExternalID != nil && (len(t.agentIDs) > 0 || keyedCalls)
		if t.unresolved || keyed {
			relink = append(relink, t.w.Trace.ID)
		}
		if len(t.w.Agents) > 0 || t.unresolved || keyed {
			refresh = append(refresh, t.w.Trace.ID)
		}
	}
	errCols := []string{"agent_id", "tool_call_id", "llm_call_id", "agent_external_id", "llm_call_external_id", "tool_call_external_id",
		"error_type", "error_message", "timestamp", "fingerprint", "normalized_message"}
	if err := upsertRows(g, errs, byExternalID(errCols, "")); err != nil {
		return nil, fmt.Errorf("upsert errors: %w", err)
	}
	metricCols := []string{"metric_name", "score", "reason", "result_detail", "config", "start_time", "end_time", "duration", "timestamp"}
	if err := upsertRows(g, metrics, byExternalID(metricCols, "")); err != nil {
		return nil, fmt.Errorf("upsert metrics: %w", err)
	}
	if len(relink) > 0 {
		if err := d.linkByExternalIDs(ctx, relink); err != nil {
			return nil, err
		}
	}
	if len(refresh) > 0 {
		if err := d.refreshAgentCallIDs(ctx, refresh); err != nil {
			return nil, fmt.Errorf("agent call id lists: %w", err)
		}
	}
	if err := d.addTraceTotals(ctx, ts); err != nil {
		return nil, err
	}
	return ts, nil
}

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

// batchRows is the number of rows of one multi-row INSERT.
const batchRows = 500

// upsertTraceRows inserts or merges the trace rows of a round: keyed ones
// in multi-row statements, in (project, key) order so that concurrent
// batches lock the rows they share in the same order; unkeyed ones, which
// are always new, one by one.
func (d *DB) upsertTraceRows(ctx context.Context, ts []*roundTrace) error {
	var keyed []*roundTrace
	for _, t := range ts {
		if t.w.Trace.ExternalID == nil {
			if err := d.insertTraceRow(ctx, t); err != nil {
				return &BatchError{Index: t.index, Err: fmt.Errorf("insert trace: %w", err)}
			}
			continue
		}
		keyed = append(keyed, t)
	}
	slices.SortFunc(keyed, func(a, b *roundTrace) int {
		if a.projectID != b.projectID {
			return cmp.Compare(a.projectID, b.projectID)
		}
		return strings.Compare(*a.w.Trace.ExternalID, *b.w.Trace.ExternalID)
	})
	type traceKey struct {
		project int64
		ext     string
	}
	for len(keyed) > 0 {
		chunk := keyed[:min(len(keyed), batchRows)]
		keyed = keyed[len(chunk):]
		byKey := make(map[traceKey]*roundTrace, len(chunk))
		var sb strings.Builder
		args := make([]any, 0, 5*len(chunk))
		for i, t := range chunk {
			tr := &t.w.Trace
			utc(&tr.StartTime, tr.EndTime)
			tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			cost, tokens := d.newTraceTotals(t.w)
			args = append(args, tr.ProjectID, *tr.ExternalID, tr.StartTime, tr.EndTime, tr.Duration, cost, tokens)
			byKey[traceKey{tr.ProjectID, *tr.ExternalID}] = t
		}
		var rows []struct {
			ID          int64
			ProjectID   int64
			ExternalID  string
			StartTime   scanTime
			EndTime     scanTime
			Duration    *float64
			TotalCost   float64
			TotalTokens int64
			Inserted    bool
		}
		err := d.conn(ctx).Raw(`INSERT INTO traces (project_id, external_id, start_time, end_time, duration, total_cost, total_tokens)
			VALUES `+sb.String()+`
			ON CONFLICT (project_id, external_id) DO UPDATE SET
				start_time = CASE WHEN excluded.start_time < traces.start_time THEN excluded.start_time ELSE traces.start_time END,
				end_time = CASE WHEN traces.end_time IS NULL OR excluded.end_time > traces.end_time THEN excluded.end_time ELSE traces.end_time END
			RETURNING id, project_id, external_id, start_time, end_time, duration, total_cost, total_tokens, `+d.insertedColumn(), args...).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("upsert traces: %w", err)
		}
		if len(rows) != len(chunk) {
			return fmt.Errorf("trace upsert returned %d rows for %d traces", len(rows), len(chunk))
		}
		for _, row := range rows {
			t := byKey[traceKey{row.ProjectID, row.ExternalID}]
			if t == nil {
				return fmt.Errorf("trace upsert returned an unknown trace %q", row.ExternalID)
			}
			tr := &t.w.Trace
			tr.ID, tr.StartTime, tr.EndTime = row.ID, row.StartTime.Time, row.EndTime.ptr()
			tr.TotalCost, tr.TotalTokens = row.TotalCost, row.TotalTokens
			t.inserted = row.Inserted
			tr.Duration = secondsBetween(tr.StartTime, tr.EndTime)
			if !sameSeconds(tr.Duration, row.Duration) {
				// A merge moved the trace's start or end.
				if err := d.conn(ctx).Model(&Trace{}).Where("id = ?", tr.ID).Update("duration", tr.Duration).Error; err != nil {
					return fmt.Errorf("trace duration: %w", err)
				}
			}
		}
	}
	return nil
}

// checkBatchKeys fails when an external id of a trace of the round names an
// entity of another trace, stored or in the same round: keys are unique per
// project, and an entity never moves between traces. One statement covers
// every entity type and project. It returns the traces with stored calls
// or interactions that the round updates, whose searched texts may change.
func (d *DB) checkBatchKeys(ctx context.Context, ts []*roundTrace) ([]int64, error) {
	tables := []string{"agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"}
	type owner struct {
		trace int64
		index int
	}
	type entityKey struct {
		table   string
		project int64
		key     string
	}
	owners := map[entityKey]owner{}
	// keys[table][project] lists the keys to look up.
	keys := map[string]map[int64][]string{}
	var conflict *BatchError
	add := func(t *roundTrace, table string, key *string) {
		if key == nil || conflict != nil {
			return
		}
		k := entityKey{table, t.projectID, *key}
		if o, ok := owners[k]; ok {
			if o.trace != t.w.Trace.ID {
				conflict = &BatchError{Index: t.index, Err: keyTaken(*key, table)}
			}
			return
		}
		owners[k] = owner{t.w.Trace.ID, t.index}
		if keys[table] == nil {
			keys[table] = map[int64][]string{}
		}
		keys[table][t.projectID] = append(keys[table][t.projectID], *key)
	}
	addCalls := func(t *roundTrace, llm []LLMCall, tools []ToolCall, inters []UserInteraction) {
		for i := range llm {
			add(t, "llm_call", llm[i].ExternalID)
		}
		for i := range tools {
			add(t, "tool_call", tools[i].ExternalID)
		}
		for i := range inters {
			add(t, "user_interactions", inters[i].ExternalID)
		}
	}
	for _, t := range ts {
		w := t.w
		for i := range w.Agents {
			a := &w.Agents[i]
			add(t, "agent_call", a.Agent.ExternalID)
			addCalls(t, a.LLMCalls, a.ToolCalls, a.Interactions)
		}
		addCalls(t, w.LLMCalls, w.ToolCalls, w.Interactions)
		for i := range w.Errors {
			add(t, "errors", w.Errors[i].ExternalID)
		}
		for i := range w.Metrics {
			add(t, "metrics", w.Metrics[i].ExternalID)
		}
	}
	if conflict != nil {
		return nil, conflict
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var parts []string
	var args []any
	for _, table := range tables {
		projects := make([]int64, 0, len(keys[table]))
		for p := range keys[table] {
			projects = append(projects, p)
		}
		slices.Sort(projects)
		for _, p := range projects {
			in, arg := d.inStrings("external_id", keys[table][p])
			parts = append(parts, fmt.Sprintf(`SELECT '%s' AS kind, project_id AS project, external_id AS key, trace_id AS trace FROM %s WHERE project_id = ? AND %s`, table, table, in))
			args = append(args, p, arg)
		}
	}
	var found []struct {
		Kind    string
		Project int64
		Key     string
		Trace   int64
	}
	if err := d.conn(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&found).Error; err != nil {
		return nil, fmt.Errorf("check external ids: %w", err)
	}
	var updated []int64
	for _, f := range found {
		o, ok := owners[entityKey{f.Kind, f.Project, f.Key}]
		if ok && o.trace != f.Trace {
			if conflict == nil || o.index < conflict.Index {
				conflict = &BatchError{Index: o.index, Err: keyTaken(f.Key, f.Kind)}
			}
		}
		if f.Kind == "llm_call" || f.Kind == "tool_call" || f.Kind == "user_interactions" {
			updated = append(updated, f.Trace)
		}
	}
	if conflict != nil {
		return nil, conflict
	}
	return updated, nil
}

// rowNames are how messages to clients name the rows of each table: table
// names are the store's business, not the client's.
var rowNames = map[string]string{
	"agent_call": "an agent call", "llm_call": "an LLM call", "tool_call": "a tool call",
	"user_interactions": "a user interaction", "errors": "an error", "metrics": "a metric",
}

func keyTaken(key, table string) error {
	name, ok := rowNames[table]
	if !ok {
		name = "another row"
	}
	return apperr.Invalid("externalId", "%q already names %s in another trace of this project; external ids are unique per project", key, name)
}

// llmTotalsDeltas computes, for every trace of the round, how much its
// cost and token totals change when its calls replace the stored calls
// with the same external ids (which belong to the same trace, as checked).
func (d *DB) llmTotalsDeltas(ctx context.Context, ts []*roundTrace) error {
	byTrace := make(map[int64]*roundTrace, len(ts))
	keys := map[int64][]string{}
	for _, t := range ts {
		t.costDelta, t.tokenDelta = 0, 0
		for _, c := range t.llm {
			t.costDelta += c.Cost.Total
			t.tokenDelta = addDelta(t.tokenDelta, c.Tokens.Total)
			// A new trace replaces no stored call.
			if c.ExternalID != nil && !t.inserted {
				keys[t.projectID] = append(keys[t.projectID], *c.ExternalID)
			}
		}
		byTrace[t.w.Trace.ID] = t
	}
	if len(keys) == 0 {
		return nil
	}
	projects := make([]int64, 0, len(keys))
	for p := range keys {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	var parts []string
	var args []any
	for _, p := range projects {
		in, arg := d.inStrings("external_id", keys[p])
		parts = append(parts, `SELECT trace_id AS trace, COALESCE(SUM(total_cost), 0) AS cost, COALESCE(`+d.sumInt("total_tokens")+`, 0) AS tokens
			FROM llm_call WHERE project_id = ? AND `+in+` GROUP BY trace_id`)
		args = append(args, p, arg)
	}
	var old []struct {
		Trace  int64
		Cost   float64
		Tokens int64
	}
	if err := d.conn(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&old).Error; err != nil {
		return fmt.Errorf("read replaced llm calls: %w", err)
	}
	for _, o := range old {
		if t := byTrace[o.Trace]; t != nil {
			t.costDelta -= o.Cost
			t.tokenDelta = addDelta(t.tokenDelta, -o.Tokens)
		}
	}
	return nil
}

// addTraceTotals adds the traces' deltas to their cost and token totals in
// one statement.
func (d *DB) addTraceTotals(ctx context.Context, ts []*roundTrace) error {
	var values []string
	var args []any
	row := "(" + d.dialect.param("bigint") + ", " + d.dialect.param("double precision") + ", " + d.dialect.param("bigint") + ")"
	for _, t := range ts {
		if t.inserted || (t.costDelta == 0 && t.tokenDelta == 0) {
			continue
		}
		values = append(values, row)
		args = append(args, t.w.Trace.ID, t.costDelta, t.tokenDelta)
		t.w.Trace.TotalCost += t.costDelta
		t.w.Trace.TotalTokens = addTotalGo(t.w.Trace.TotalTokens, t.tokenDelta)
	}
	if len(values) == 0 {
		return nil
	}
	err := d.conn(ctx).Exec(`WITH v(id, cost, tokens) AS (VALUES `+strings.Join(values, ", ")+`)
		UPDATE traces SET total_cost = traces.total_cost + v.cost, total_tokens = `+d.addTotal("traces.total_tokens", "v.tokens")+`
		FROM v WHERE traces.id = v.id`, args...).Error
	if err != nil {
		return fmt.Errorf("trace totals: %w", err)
	}
	return nil
}

// addToProjects adds the round's traces to their projects' rollups, one
// project at a time in id order (the order every batch locks them in).
func (d *DB) addToProjects(ctx context.Context, ts []*roundTrace) error {
	type span struct {
		first, last *Trace
		cost        float64
		tokens      int64
	}
	spans := map[int64]*span{}
	var ids []int64
	for _, t := range ts {
		s := spans[t.projectID]
		if s == nil {
			s = &span{}
			spans[t.projectID] = s
			ids = append(ids, t.projectID)
		}
		tr := &t.w.Trace
		if s.first == nil || tr.StartTime.Before(s.first.StartTime) {
			s.first = tr
		}
		if s.last == nil || traceEnd(tr).After(traceEnd(s.last)) {
			s.last = tr
		}
		s.cost += t.costDelta
		s.tokens = addDelta(s.tokens, t.tokenDelta)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := spans[id]
		// The project's span covers its first start and its last end: the
		// same as adding the traces one by one.
		merged := &Trace{StartTime: s.first.StartTime}
		end := traceEnd(s.last)
		merged.EndTime = &end
		if err := d.addToProject(ctx, id, merged, s.cost, s.tokens); err != nil {
			return err
		}
	}
	return nil
}

func traceEnd(t *Trace) time.Time {
	if t.EndTime != nil {
		return *t.EndTime
	}
	return t.StartTime
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
