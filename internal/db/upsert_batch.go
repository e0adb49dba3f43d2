package db

import (
	"context"
	"errors"
	"fmt"
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
