package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agentgraph/agentgraph/internal/db"
)

// boundIngest is the bound of workloads (e) and (f): it decodes the same
// request body as ingestTraces or POST /v1/ingest and writes the same rows with the fewest statements,
// in one transaction per request: on PostgreSQL one statement reserving
// the ids that rows refer to, then one COPY per table; on SQLite one
// statement reading the largest ids, then multi-row INSERTs. It keeps no
// derived value beyond the rows themselves (no project rollups, no merging
// of re-sent external ids): a raw write, as the issue asks.
type boundIngest struct {
	raw *rawDB
	// sequences of the tables whose ids other rows refer to (PostgreSQL).
	reserve string

	mu       sync.Mutex
	projects map[string]int64
}

// idTables are the tables whose ids are assigned before writing.
var idTables = []string{"traces", "agent_call", "llm_call", "tool_call"}

func newBoundIngest(ctx context.Context, raw *rawDB) (*boundIngest, error) {
	b := &boundIngest{raw: raw, projects: map[string]int64{}}
	if raw.dialect == db.Postgres {
		parts := make([]string, len(idTables))
		for i, t := range idTables {
			var seq string
			if err := raw.pg.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, t).Scan(&seq); err != nil {
				return nil, fmt.Errorf("sequence of %s: %w", t, err)
			}
			parts[i] = fmt.Sprintf(`ARRAY(SELECT nextval('%s') FROM generate_series(1, $%d))`, seq, i+1)
		}
		b.reserve = "SELECT " + strings.Join(parts, ", ")
	} else {
		parts := make([]string, len(idTables))
		for i, t := range idTables {
			parts[i] = fmt.Sprintf(`(SELECT COALESCE(MAX(id), 0) FROM %s)`, t)
		}
		b.reserve = "SELECT " + strings.Join(parts, ", ")
	}
	return b, nil
}

// projectID returns the id of a project by name, cached.
func (b *boundIngest) projectID(ctx context.Context, name string) (int64, error) {
	b.mu.Lock()
	id, ok := b.projects[name]
	b.mu.Unlock()
	if ok {
		return id, nil
	}
	rows, err := b.raw.query(ctx, b.raw.sql(`SELECT id FROM project_info WHERE project_name = ?`), name)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, fmt.Errorf("no project %q (the bound writes into loaded projects only)", name)
	}
	if err := rows.Scan(&id); err != nil {
		return 0, err
	}
	b.mu.Lock()
	b.projects[name] = id
	b.mu.Unlock()
	return id, nil
}

// table is the rows of one table to write.
type table struct {
	name string
	cols []string
	rows [][]any
}

func (t *table) add(row ...any) { t.rows = append(t.rows, row) }

// seconds is end-start in seconds, nil without an end.
func seconds(start time.Time, end *time.Time) *float64 {
	if end == nil {
		return nil
	}
	s := float64(end.Sub(start)) / float64(time.Second)
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// serveIngest writes the traces of a request of (e), a mutation, or of
// (f), a body of POST /v1/ingest, and answers in that request's shape.
func (s *boundServer) serveIngest(w http.ResponseWriter, ctx context.Context, key string, body []byte) {
	var req struct {
		Traces    []traceIn `json:"traces"`
		Variables struct {
			Input []traceIn `json:"input"`
		} `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	traces := req.Variables.Input
	if key == "f" {
		traces = req.Traces
	}
	ids, err := s.ing.write(ctx, traces)
	if err != nil {
		slog.Error("bound ingest failed", "error", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = map[string]string{"id": gid("Trace", id)}
	}
	var answer any = map[string]any{"data": map[string]any{"ingestTraces": map[string]any{"traces": out}}}
	if key == "f" {
		answer = map[string]any{"traces": out}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

// write stores the traces and returns their ids.
func (b *boundIngest) write(ctx context.Context, traces []traceIn) ([]int64, error) {
	var nAgents, nLLM, nTools int
	for i := range traces {
		t := &traces[i]
		nAgents += len(t.AgentCalls)
		nLLM += len(t.LLMCalls)
		nTools += len(t.ToolCalls)
		for _, a := range t.AgentCalls {
			nLLM += len(a.LLMCalls)
			nTools += len(a.ToolCalls)
		}
	}
	counts := []int{len(traces), nAgents, nLLM, nTools}
	// Projects first, outside the transaction: on SQLite a lookup inside it
	// would wait for a pool connection held by a writer waiting for us.
	projects := make([]int64, len(traces))
	for i := range traces {
		id, err := b.projectID(ctx, traces[i].Project)
		if err != nil {
			return nil, err
		}
		projects[i] = id
	}
	if b.raw.dialect == db.Postgres {
		return b.writePostgres(ctx, traces, projects, counts)
	}
	return b.writeSQLite(ctx, traces, projects, counts)
}

func (b *boundIngest) writePostgres(ctx context.Context, traces []traceIn, projects []int64, counts []int) ([]int64, error) {
	b.raw.stmts.Add(1)
	ids := make([][]int64, len(idTables))
	dest := make([]any, len(ids))
	args := make([]any, len(ids))
	for i := range ids {
		dest[i], args[i] = &ids[i], counts[i]
	}
	if err := b.raw.pg.QueryRow(ctx, b.reserve, args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	tables, traceIDs := b.rows(traces, projects, ids)
	tx, err := b.raw.pg.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		b.raw.stmts.Add(1)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return traceIDs, tx.Commit(ctx)
}

func (b *boundIngest) writeSQLite(ctx context.Context, traces []traceIn, projects []int64, counts []int) ([]int64, error) {
	tx, err := b.raw.sqlite.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	b.raw.stmts.Add(1)
	top := make([]int64, len(idTables))
	dest := make([]any, len(top))
	for i := range top {
		dest[i] = &top[i]
	}
	if err := tx.QueryRowContext(ctx, b.reserve).Scan(dest...); err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
	}
	ids := make([][]int64, len(idTables))
	for i := range ids {
		ids[i] = make([]int64, counts[i])
		for j := range ids[i] {
			ids[i][j] = top[i] + int64(j) + 1
		}
	}
	tables, traceIDs := b.rows(traces, projects, ids)
	for _, t := range tables {
		if err := b.insertSQLite(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	return traceIDs, tx.Commit()
}

// insertSQLite writes a table's rows with multi-row INSERTs, as many rows a
// statement as SQLite's parameter limit allows.
func (b *boundIngest) insertSQLite(ctx context.Context, tx *sql.Tx, t *table) error {
	const maxParams = 32766
	per := max(1, maxParams/len(t.cols))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
	for start := 0; start < len(t.rows); start += per {
		chunk := t.rows[start:min(start+per, len(t.rows))]
		var q strings.Builder
		q.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(t.cols))
		for i, row := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(one)
			args = append(args, row...)
		}
		b.raw.stmts.Add(1)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", t.name, err)
		}
	}
	return nil
}

// rows turns the traces into table rows, with their projects' ids and the
// reserved ids of traces, agents, LLM calls and tool calls (in that order
// in ids).
func (b *boundIngest) rows(traces []traceIn, projects []int64, ids [][]int64) ([]*table, []int64) {
	trT := &table{name: "traces", cols: []string{"id", "project_id", "external_id", "start_time", "end_time", "duration"}}
	siT := &table{name: "system_info", cols: []string{"project_id", "trace_id", "os_name", "os_version", "python_version", "cpu_info",
		"gpu_info", "disk_info", "memory_total", "installed_packages"}}
	agT := &table{name: "agent_call", cols: []string{"id", "project_id", "trace_id", "name", "start_time", "end_time",
		"llm_call_ids", "tool_call_ids", "user_interaction_ids", "external_id"}}
	llT := &table{name: "llm_call", cols: []string{"id", "project_id", "trace_id", "agent_id", "name", "model", "input_prompt", "output",
		"tool_call", "start_time", "end_time", "duration", "token_usage", "cost", "memory_used", "input_tokens", "completion_tokens",
		"reasoning_tokens", "total_tokens", "input_cost", "output_cost", "reasoning_cost", "total_cost", "external_id", "agent_external_id"}}
	toT := &table{name: "tool_call", cols: []string{"id", "project_id", "trace_id", "agent_id", "name", "input_parameters", "output",
		"start_time", "end_time", "duration", "memory_used", "network_calls", "external_id", "agent_external_id"}}
	uiT := &table{name: "user_interactions", cols: []string{"project_id", "trace_id", "agent_id", "interaction_type", "content",
		"timestamp", "external_id", "agent_external_id"}}
	erT := &table{name: "errors", cols: []string{"project_id", "trace_id", "agent_id", "tool_call_id", "llm_call_id", "error_type",
		"error_message", "timestamp", "external_id", "agent_external_id", "llm_call_external_id", "tool_call_external_id"}}
	meT := &table{name: "metrics", cols: []string{"project_id", "trace_id", "metric_name", "score", "reason", "result_detail", "config",
		"start_time", "end_time", "duration", "timestamp", "external_id"}}

	next := make([]int, len(ids))
	take := func(k int) int64 { id := ids[k][next[k]]; next[k]++; return id }
	traceIDs := make([]int64, len(traces))
	for i := range traces {
		t := &traces[i]
		pid := projects[i]
		tid := take(0)
		traceIDs[i] = tid
		trT.add(tid, pid, optional(t.ExternalID), t.StartTime.UTC(), utcPtr(t.EndTime), seconds(t.StartTime, t.EndTime))
		if si := t.SystemInfo; si != nil {
			var gpus, disk, pkgs []byte
			if si.GpuInfo != nil {
				list := make([]db.GPU, len(si.GpuInfo))
				for j, g := range si.GpuInfo {
					list[j] = db.GPU{Name: g.Name, Memory: g.MemoryTotal}
				}
				gpus = mustJSON(list)
			}
			if si.DiskInfo != nil {
				disk = mustJSON(db.Disk{Total: si.DiskInfo.Total, Available: si.DiskInfo.Available})
			}
			if si.InstalledPackages != nil {
				m := make(map[string]string, len(si.InstalledPackages))
				for _, p := range si.InstalledPackages {
					m[p.Name] = p.Version
				}
				pkgs = mustJSON(m)
			}
			siT.add(pid, tid, si.OsName, si.OsVersion, si.PythonVersion, si.CPUInfo, jsonArg(gpus), jsonArg(disk), si.MemoryTotal, jsonArg(pkgs))
		}
		agentIDs := map[string]int64{}
		llmIDs := map[string]int64{}
		toolIDs := map[string]int64{}
		addLLM := func(agent *int64, agentRef string, c *llmIn) int64 {
			id := take(2)
			if c.ExternalID != "" {
				llmIDs[c.ExternalID] = id
			}
			var tok tokensIn
			if c.TokenUsage != nil {
				tok = *c.TokenUsage
			}
			total := tok.Input + tok.Completion + tok.Reasoning
			if tok.Total != nil {
				total = *tok.Total
			}
			var cost costIn
			if c.Cost != nil {
				cost = *c.Cost
			}
			costTotal := cost.Input + cost.Output + cost.Reasoning
			if cost.Total != nil {
				costTotal = *cost.Total
			}
			usageJSON := mustJSON(db.TokenUsage{Input: tok.Input, Completion: tok.Completion, Reasoning: tok.Reasoning, Total: total})
			costJSON := mustJSON(db.Cost{Input: cost.Input, Output: cost.Output, Reasoning: cost.Reasoning, Total: costTotal})
			llT.add(id, pid, tid, agent, c.Name, c.Model, c.InputPrompt, c.Output, c.ToolCall, c.StartTime.UTC(), utcPtr(c.EndTime),
				seconds(c.StartTime, c.EndTime), jsonArg(usageJSON), jsonArg(costJSON), c.MemoryUsed, tok.Input, tok.Completion, tok.Reasoning,
				total, cost.Input, cost.Output, cost.Reasoning, costTotal, optional(c.ExternalID), optional(agentRef))
			return id
		}
		addTool := func(agent *int64, agentRef string, c *toolIn) int64 {
			id := take(3)
			if c.ExternalID != "" {
				toolIDs[c.ExternalID] = id
			}
			var calls []byte
			if len(c.NetworkCalls) > 0 {
				list := make([]db.NetworkCall, len(c.NetworkCalls))
				for j, n := range c.NetworkCalls {
					list[j] = db.NetworkCall{Method: n.Method, URL: n.URL, StatusCode: n.StatusCode, Error: n.Error,
						StartTime: n.StartTime, EndTime: n.EndTime, RequestBody: n.RequestBody, ResponseBody: n.ResponseBody,
						RequestHeaders: headerMap(n.RequestHeaders), ResponseHeaders: headerMap(n.ResponseHeaders)}
					if n.StartTime != nil {
						list[j].Duration = seconds(*n.StartTime, n.EndTime)
					}
				}
				calls = mustJSON(list)
			}
			toT.add(id, pid, tid, agent, c.Name, c.InputParameters, c.Output, c.StartTime.UTC(), utcPtr(c.EndTime),
				seconds(c.StartTime, c.EndTime), c.MemoryUsed, jsonArg(calls), optional(c.ExternalID), optional(agentRef))
			return id
		}
		// Interactions get their ids from the database: nothing refers to them.
		addInter := func(agent *int64, agentRef string, c *interIn) {
			uiT.add(pid, tid, agent, c.InteractionType, c.Content, c.Timestamp.UTC(), optional(c.ExternalID), optional(agentRef))
		}
		for j := range t.AgentCalls {
			a := &t.AgentCalls[j]
			aid := take(1)
			if a.ExternalID != "" {
				agentIDs[a.ExternalID] = aid
			}
			var llmList, toolList []int64
			for k := range a.LLMCalls {
				llmList = append(llmList, addLLM(&aid, "", &a.LLMCalls[k]))
			}
			for k := range a.ToolCalls {
				toolList = append(toolList, addTool(&aid, "", &a.ToolCalls[k]))
			}
			for k := range a.UserInteractions {
				addInter(&aid, "", &a.UserInteractions[k])
			}
			// The interactions' ids are not known before they are written;
			// the bound leaves their list empty (the API fills it).
			agT.add(aid, pid, tid, a.Name, a.StartTime.UTC(), utcPtr(a.EndTime), jsonArg(idList(llmList)), jsonArg(idList(toolList)),
				jsonArg([]byte("[]")), optional(a.ExternalID))
		}
		ref := func(m map[string]int64, key string) *int64 {
			if id, ok := m[key]; ok && key != "" {
				return &id
			}
			return nil
		}
		for k := range t.LLMCalls {
			c := &t.LLMCalls[k]
			addLLM(ref(agentIDs, c.AgentCallExternalID), c.AgentCallExternalID, c)
		}
		for k := range t.ToolCalls {
			c := &t.ToolCalls[k]
			addTool(ref(agentIDs, c.AgentCallExternalID), c.AgentCallExternalID, c)
		}
		for k := range t.UserInteractions {
			c := &t.UserInteractions[k]
			addInter(ref(agentIDs, c.AgentCallExternalID), c.AgentCallExternalID, c)
		}
		for k := range t.Errors {
			e := &t.Errors[k]
			erT.add(pid, tid, ref(agentIDs, e.AgentCallExternalID), ref(toolIDs, e.ToolCallExternalID), ref(llmIDs, e.LLMCallExternalID),
				e.ErrorType, e.ErrorMessage, e.Timestamp.UTC(), optional(e.ExternalID), optional(e.AgentCallExternalID),
				optional(e.LLMCallExternalID), optional(e.ToolCallExternalID))
		}
		for k := range t.Metrics {
			m := &t.Metrics[k]
			var d *float64
			if m.StartTime != nil {
				d = seconds(*m.StartTime, m.EndTime)
			}
			meT.add(pid, tid, m.MetricName, m.Score, m.Reason, jsonArg(m.ResultDetail), jsonArg(m.Config), utcPtr(m.StartTime),
				utcPtr(m.EndTime), d, m.Timestamp.UTC(), optional(m.ExternalID))
		}
	}
	// Parents before children, for the foreign keys.
	return []*table{trT, siT, agT, llT, toT, uiT, erT, meT}, traceIDs
}

// jsonArg passes a JSON document to either driver: raw bytes for pgx's
// jsonb, text for SQLite; nil for NULL.
func jsonArg(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func idList(ids []int64) []byte {
	out := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, id, 10)
	}
	return append(out, ']')
}

func headerMap(h []headerIn) map[string]string {
	if len(h) == 0 {
		return nil
	}
	m := make(map[string]string, len(h))
	for _, x := range h {
		m[x.Name] = x.Value
	}
	return m
}
