package db

import (
	"context"
)

// New traces are most of what ingestion sees. On PostgreSQL a round whose
// traces the trace upsert has just created, and whose references all stay
// inside their trace, needs none of the general way's reads and fix-ups:
// nothing is stored under its keys (a unique index says so if something
// is), ids can be reserved up front, and every derived value (links, the
// agents' id lists, trace totals) is known before the rows are written.

// newTraceTotals is what a trace's cost and token totals are if its row is
// new: the sums of its LLM calls. SQLite cannot tell a new row from a
// merged one, so there totals start at zero and are added after.
func (d *DB) newTraceTotals(w *TraceWrite) (cost float64, tokens int64) {
	if !d.dialect.tellsInserted() {
		return 0, 0
	}
	add := func(calls []LLMCall) {
		for i := range calls {
			cost += calls[i].Cost.Total
			tokens = addTotalGo(tokens, calls[i].Tokens.Total)
		}
	}
	for i := range w.Agents {
		add(w.Agents[i].LLMCalls)
	}
	add(w.LLMCalls)
	return cost, tokens
}

// insertedColumn is the RETURNING column of the trace upsert telling a row
// it inserted from one it merged (always false where the engine cannot).
func (d *DB) insertedColumn() string { return d.dialect.insertedColumn() }

// allNewAndSelfContained tells whether the round can be written as new
// rows: an engine that tells inserted rows (and, so far the same one, takes
// insertNewRows' arrays), every trace row just inserted, and every
// reference by external id naming an entity of the same write.
func (d *DB) allNewAndSelfContained(ts []*roundTrace) bool {
	if !d.dialect.tellsInserted() {
		return false
	}
	for _, t := range ts {
		if !t.inserted || !selfContained(t.w) {
			return false
		}
	}
	return true
}

func selfContained(w *TraceWrite) bool {
	agents, llm, tools := map[string]bool{}, map[string]bool{}, map[string]bool{}
	keysOf := func(calls []LLMCall, toolCalls []ToolCall) {
		for i := range calls {
			if k := calls[i].ExternalID; k != nil {
				llm[*k] = true
			}
		}
		for i := range toolCalls {
			if k := toolCalls[i].ExternalID; k != nil {
				tools[*k] = true
			}
		}
	}
	for i := range w.Agents {
		a := &w.Agents[i]
		if a.Agent.ExternalID != nil {
			agents[*a.Agent.ExternalID] = true
		}
		keysOf(a.LLMCalls, a.ToolCalls)
	}
	keysOf(w.LLMCalls, w.ToolCalls)
	in := func(set map[string]bool, ref *string) bool { return ref == nil || set[*ref] }
	for i := range w.LLMCalls {
		if !in(agents, w.LLMCalls[i].AgentExternalID) {
			return false
		}
	}
	for i := range w.ToolCalls {
		if !in(agents, w.ToolCalls[i].AgentExternalID) {
			return false
		}
	}
	for i := range w.Interactions {
		if !in(agents, w.Interactions[i].AgentExternalID) {
			return false
		}
	}
	for i := range w.Errors {
		e := &w.Errors[i]
		if !in(agents, e.AgentExternalID) || !in(llm, e.LLMCallExternalID) || !in(tools, e.ToolCallExternalID) {
			return false
		}
	}
	return true
}

// insertNewRound writes the rows of a round of new, self-contained traces
// (see allNewAndSelfContained): one statement reserving the ids of every
// table, then one plain multi-row INSERT per table. It reads nothing back
// and fixes nothing up after. A key already in use is errKeyInUse.
func (d *DB) insertNewRound(ctx context.Context, ts []*roundTrace, search *searchWrites) error {
	ids, err := d.reserveRound(ctx, ts)
	if err != nil {
		return err
	}
	var infos []*SystemInfo
	var agents []*AgentCall
	for _, t := range ts {
		if si := t.w.SystemInfo; si != nil {
			si.ID, si.ProjectID, si.TraceID = ids.next("system_info"), t.projectID, t.w.Trace.ID
			infos = append(infos, si)
		}
		for i := range t.w.Agents {
			a := &t.w.Agents[i].Agent
			a.ID, a.ProjectID, a.TraceID = ids.next("agent_call"), t.projectID, t.w.Trace.ID
			utc(&a.StartTime, a.EndTime)
			agents = append(agents, a)
		}
	}

	var llm []*LLMCall
	var tools []*ToolCall
	var inters []*UserInteraction
	var errs []*TraceError
	var metrics []*Metric
	for _, t := range ts {
		t.gather()
		for _, c := range t.llm {
			c.ID = ids.next("llm_call")
			llm = append(llm, c)
		}
		for _, c := range t.tools {
			c.ID = ids.next("tool_call")
			tools = append(tools, c)
		}
		for _, c := range t.inters {
			c.ID = ids.next("user_interactions")
			inters = append(inters, c)
		}
		e, m, _ := t.children()
		for _, x := range e {
			x.ID = ids.next("errors")
			errs = append(errs, x)
		}
		for _, x := range m {
			x.ID = ids.next("metrics")
			metrics = append(metrics, x)
		}
		t.fillAgentLists()
		search.addTexts(t)
		t.costDelta, t.tokenDelta = t.w.Trace.TotalCost, t.w.Trace.TotalTokens
	}

	g := d.conn(ctx)
	for _, write := range []func() error{
		func() error { return insertNewRows(g, infos) },
		func() error { return insertNewRows(g, agents) },
		func() error { return insertNewRows(g, llm) },
		func() error { return insertNewRows(g, tools) },
		func() error { return insertNewRows(g, inters) },
		func() error { return insertNewRows(g, errs) },
		func() error { return insertNewRows(g, metrics) },
	} {
		if err := write(); err != nil {
			return err
		}
	}
	return nil
}

// fillAgentLists sets the id lists of the trace's agents from the links
// gather made. Reserved ids are handed out in increasing order along
// t.llm, t.tools and t.inters, so each list comes out sorted, as stored
// lists are.
func (t *roundTrace) fillAgentLists() {
	byID := make(map[int64]*AgentCall, len(t.w.Agents))
	for i := range t.w.Agents {
		a := &t.w.Agents[i].Agent
		a.LLMCallIDs, a.ToolCallIDs, a.UserInteractionIDs = NewJSON([]int64{}), NewJSON([]int64{}), NewJSON([]int64{})
		byID[a.ID] = a
	}
	for _, c := range t.llm {
		if a := agentOf(byID, c.AgentID); a != nil {
			a.LLMCallIDs.V = append(a.LLMCallIDs.V, c.ID)
		}
	}
	for _, c := range t.tools {
		if a := agentOf(byID, c.AgentID); a != nil {
			a.ToolCallIDs.V = append(a.ToolCallIDs.V, c.ID)
		}
	}
	for _, c := range t.inters {
		if a := agentOf(byID, c.AgentID); a != nil {
			a.UserInteractionIDs.V = append(a.UserInteractionIDs.V, c.ID)
		}
	}
}

func agentOf(byID map[int64]*AgentCall, id *int64) *AgentCall {
	if id == nil {
		return nil
	}
	return byID[*id]
}

// idRequest asks for n ids of a table.
type idRequest struct {
	table string
	n     int
}

// roundTables are the tables a round writes under reserved ids, in the
// order of roundRequests.
var roundTables = []string{"system_info", "agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"}

// roundRequests counts the rows of each of roundTables that the round's
// writes hold (calls and interactions before gather, which needs the
// agents' ids).
func roundRequests(ts []*roundTrace) []idRequest {
	n := make([]int, len(roundTables))
	for _, t := range ts {
		w := t.w
		if w.SystemInfo != nil {
			n[0]++
		}
		n[1] += len(w.Agents)
		n[2], n[3], n[4] = n[2]+len(w.LLMCalls), n[3]+len(w.ToolCalls), n[4]+len(w.Interactions)
		for i := range w.Agents {
			a := &w.Agents[i]
			n[2], n[3], n[4] = n[2]+len(a.LLMCalls), n[3]+len(a.ToolCalls), n[4]+len(a.Interactions)
		}
		n[5], n[6] = n[5]+len(w.Errors), n[6]+len(w.Metrics)
	}
	reqs := make([]idRequest, len(roundTables))
	for i, table := range roundTables {
		reqs[i] = idRequest{table, n[i]}
	}
	return reqs
}

// reservedIDs hands out a round's reserved ids, table by table in order.
type reservedIDs map[string][]int64

// reserveRound reserves the ids of every row the round writes.
func (d *DB) reserveRound(ctx context.Context, ts []*roundTrace) (reservedIDs, error) {
	reqs := roundRequests(ts)
	ids, err := d.reserveIDs(ctx, reqs)
	if err != nil {
		return nil, err
	}
	out := make(reservedIDs, len(reqs))
	for i, r := range reqs {
		out[r.table] = ids[i]
	}
	return out, nil
}

// next takes the next id of table; there is one for every row counted.
func (r reservedIDs) next(table string) int64 {
	id := r[table][0]
	r[table] = r[table][1:]
	return id
}

// reserveIDs takes n ids of each table, in increasing order per table, in
// one statement (none when no row needs one).
func (d *DB) reserveIDs(ctx context.Context, reqs []idRequest) ([][]int64, error) {
	total := 0
	for _, r := range reqs {
		total += r.n
	}
	if total == 0 {
		return make([][]int64, len(reqs)), nil
	}
	return d.dialect.reserveIDs(ctx, d.gorm, reqs)
}

// identitySequence is the sequence PostgreSQL made for table's identity
// column "id".
func identitySequence(table string) string { return table + "_id_seq" }
