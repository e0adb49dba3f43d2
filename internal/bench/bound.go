package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// The lower bound of each workload: what a hand-written endpoint costs that
// reads the same rows with the fewest round trips that need (one statement
// per table), straight through pgx or database/sql, and JSON-encodes them
// in the shape of the GraphQL answer. It is served over the same loopback
// HTTP as the API and reads the same request bodies, so the ratio measures
// what GraphQL, the loaders and GORM add.

// nodes wraps a list as a connection's "nodes".
type nodes[T any] struct {
	Nodes []T `json:"nodes"`
}

// gid is the global id the API gives a row (graph/globalid.go).
func gid(typeName string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typeName + ":" + strconv.FormatInt(id, 10)))
}

// parseGID reads a global id back.
func parseGID(s string) (string, int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	t, num, ok := strings.Cut(string(raw), ":")
	id, err := strconv.ParseInt(num, 10, 64)
	return t, id, ok && err == nil
}

// boundServer serves /bound/a to /bound/f.
type boundServer struct {
	raw *rawDB
	q   boundQueries
	ing *boundIngest
}

// boundQueries are the statements of the read bounds in the dialect.
type boundQueries struct {
	projects, tracesOfProjects                        string
	projectTraces, agents, llm, tools, errors, metric string
	trace, systemInfo, agentsFull, llmFull, toolsFull string
	inters, errorsFull, metricsFull                   string
	dayLLM                                            string
}

func newBoundServer(raw *rawDB, ing *boundIngest) *boundServer {
	in := raw.inIDs("trace_id")
	q := boundQueries{
		projects: `SELECT id, project_name, start_time, end_time, duration, total_cost, total_tokens FROM project_info ORDER BY id LIMIT 10`,
		projectTraces: `SELECT p.id, p.project_name, t.id, t.start_time, t.end_time, t.duration
			FROM project_info p JOIN traces t ON t.project_id = p.id
			WHERE p.project_name = ? ORDER BY t.start_time DESC, t.id DESC LIMIT ?`,
		agents: `SELECT trace_id, id, name, start_time, end_time FROM agent_call WHERE ` + in + ` ORDER BY trace_id, start_time, id`,
		llm: `SELECT trace_id, id, name, model, start_time, end_time, duration, input_tokens, completion_tokens, total_tokens, total_cost
			FROM llm_call WHERE ` + in + ` ORDER BY trace_id, start_time, id`,
		tools:  `SELECT trace_id, id, name, start_time, end_time, duration FROM tool_call WHERE ` + in + ` ORDER BY trace_id, start_time, id`,
		errors: `SELECT trace_id, id, error_type, error_message, timestamp FROM errors WHERE ` + in + ` ORDER BY trace_id, timestamp, id`,
		metric: `SELECT trace_id, id, metric_name, score, timestamp FROM metrics WHERE ` + in + ` ORDER BY trace_id, timestamp, id`,

		trace: `SELECT t.id, t.external_id, t.start_time, t.end_time, t.duration, p.id, p.project_name
			FROM traces t JOIN project_info p ON p.id = t.project_id WHERE t.id = ?`,
		systemInfo: `SELECT id, os_name, os_version, python_version, cpu_info, memory_total, gpu_info, disk_info, installed_packages
			FROM system_info WHERE trace_id = ?`,
		agentsFull: `SELECT id, external_id, name, start_time, end_time, llm_call_ids, tool_call_ids, user_interaction_ids
			FROM agent_call WHERE trace_id = ? ORDER BY start_time, id LIMIT ?`,
		llmFull: `SELECT id, external_id, name, model, input_prompt, output, tool_call, start_time, end_time, duration, memory_used,
			input_tokens, completion_tokens, reasoning_tokens, total_tokens, input_cost, output_cost, reasoning_cost, total_cost
			FROM llm_call WHERE trace_id = ? ORDER BY start_time, id LIMIT ?`,
		toolsFull: `SELECT id, external_id, name, input_parameters, output, start_time, end_time, duration, memory_used, network_calls
			FROM tool_call WHERE trace_id = ? ORDER BY start_time, id LIMIT ?`,
		inters:      `SELECT id, external_id, interaction_type, content, timestamp FROM user_interactions WHERE trace_id = ? ORDER BY timestamp, id LIMIT ?`,
		errorsFull:  `SELECT id, external_id, error_type, error_message, timestamp FROM errors WHERE trace_id = ? ORDER BY timestamp, id LIMIT ?`,
		metricsFull: `SELECT id, external_id, metric_name, score, reason, result_detail, config, start_time, end_time, duration, timestamp FROM metrics WHERE trace_id = ? ORDER BY timestamp, id LIMIT ?`,

		// SQLite has no percentile_cont: the values come sorted per group.
		dayLLM: `SELECT CAST(strftime('%s', start_time) AS INTEGER) / 3600 * 3600 AS hour, model, duration,
			input_tokens, completion_tokens, total_tokens, total_cost
			FROM llm_call WHERE project_id = ? AND start_time >= ? AND start_time < ?
			ORDER BY hour, model, duration IS NULL, duration`,
	}
	if raw.dialect == db.Postgres {
		q.dayLLM = `SELECT CAST(FLOOR(EXTRACT(EPOCH FROM start_time) / 3600) AS BIGINT) * 3600 AS hour, model, COUNT(*),
			COALESCE(SUM(input_tokens), 0), COALESCE(SUM(completion_tokens), 0), COALESCE(SUM(total_tokens), 0), COALESCE(SUM(total_cost), 0),
			AVG(duration), percentile_cont(0.5) WITHIN GROUP (ORDER BY duration), percentile_cont(0.99) WITHIN GROUP (ORDER BY duration)
			FROM llm_call WHERE project_id = ? AND start_time >= ? AND start_time < ?
			GROUP BY 1, 2`
		// The newest traces of each project: one index range per project.
		q.tracesOfProjects = `SELECT p.pid, t.id, t.start_time, t.end_time, t.duration
			FROM unnest(?::bigint[]) AS p(pid)
			CROSS JOIN LATERAL (SELECT id, start_time, end_time, duration FROM traces
				WHERE project_id = p.pid ORDER BY start_time DESC, id DESC LIMIT ?) t`
	}
	for _, s := range []*string{&q.projects, &q.tracesOfProjects, &q.projectTraces, &q.agents, &q.llm, &q.tools, &q.errors,
		&q.metric, &q.trace, &q.systemInfo, &q.agentsFull, &q.llmFull, &q.toolsFull, &q.inters, &q.errorsFull,
		&q.metricsFull, &q.dayLLM} {
		*s = raw.sql(*s)
	}
	return &boundServer{raw: raw, q: q, ing: ing}
}

// ServeHTTP answers /bound/<workload> with the same request body as the API.
func (s *boundServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/bound/")
	if key == "e" || key == "f" {
		s.serveIngest(w, r.Context(), key, body)
		return
	}
	var req struct {
		Variables vars `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var data any
	switch key {
	case "a":
		data, err = s.projectList(ctx, req.Variables.N)
	case "b":
		data, err = s.projectTraces(ctx, req.Variables.Project, req.Variables.N)
	case "c":
		data, err = s.trace(ctx, req.Variables.ID, req.Variables.N)
	case "d":
		data, err = s.analytics(ctx, req.Variables.ProjectID, req.Variables.From, req.Variables.To)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		slog.Error("bound query failed", "workload", key, "error", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// scanAll runs q and calls fn after scanning each row into dest.
func (s *boundServer) scanAll(ctx context.Context, q string, args []any, dest []any, fn func()) error {
	rows, err := s.raw.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn()
	}
	return rows.Err()
}

// --- (a) projects with their first traces: 2 statements.

type aTrace struct {
	ID        string     `json:"id"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
	Duration  *float64   `json:"duration"`
}

type aProject struct {
	ID          string         `json:"id"`
	ProjectName string         `json:"projectName"`
	StartTime   *time.Time     `json:"startTime"`
	EndTime     *time.Time     `json:"endTime"`
	Duration    *float64       `json:"duration"`
	TotalCost   float64        `json:"totalCost"`
	TotalTokens int64          `json:"totalTokens"`
	Traces      nodes[*aTrace] `json:"traces"`
}

func (s *boundServer) projectList(ctx context.Context, n int) (any, error) {
	var list []*aProject
	byID := map[int64]*aProject{}
	var ids []int64
	var id int64
	var p aProject
	err := s.scanAll(ctx, s.q.projects, nil,
		[]any{&id, &p.ProjectName, &p.StartTime, &p.EndTime, &p.Duration, &p.TotalCost, &p.TotalTokens}, func() {
			row := p
			row.ID = gid("Project", id)
			row.Traces.Nodes = []*aTrace{}
			list = append(list, &row)
			byID[id] = &row
			ids = append(ids, id)
		})
	if err != nil || len(ids) == 0 {
		return map[string]any{"projects": nodes[*aProject]{Nodes: list}}, err
	}
	q, args := s.q.tracesOfProjects, []any{s.raw.idsArg(ids), n}
	if s.raw.dialect != db.Postgres {
		// SQLite: one index range per project, glued into one statement.
		parts := make([]string, len(ids))
		args = args[:0]
		for i, pid := range ids {
			parts[i] = `SELECT * FROM (SELECT project_id, id, start_time, end_time, duration FROM traces
				WHERE project_id = ? ORDER BY start_time DESC, id DESC LIMIT ?)`
			args = append(args, pid, n)
		}
		q = strings.Join(parts, " UNION ALL ")
	}
	var pid int64
	var t aTrace
	var tid int64
	err = s.scanAll(ctx, q, args, []any{&pid, &tid, &t.StartTime, &t.EndTime, &t.Duration}, func() {
		row := t
		row.ID = gid("Trace", tid)
		if p := byID[pid]; p != nil {
			p.Traces.Nodes = append(p.Traces.Nodes, &row)
		}
	})
	return map[string]any{"projects": nodes[*aProject]{Nodes: list}}, err
}

// --- (b) a project's 50 newest traces with their calls: 6 statements.

type bAgent struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
}

type tokens struct {
	Input      int64 `json:"input"`
	Completion int64 `json:"completion"`
	Total      int64 `json:"total"`
}

type totalCost struct {
	Total float64 `json:"total"`
}

type bLLM struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Model      *string    `json:"model"`
	StartTime  time.Time  `json:"startTime"`
	EndTime    *time.Time `json:"endTime"`
	Duration   *float64   `json:"duration"`
	TokenUsage tokens     `json:"tokenUsage"`
	Cost       totalCost  `json:"cost"`
}

type bTool struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
	Duration  *float64   `json:"duration"`
}

type bError struct {
	ID           string    `json:"id"`
	ErrorType    string    `json:"errorType"`
	ErrorMessage *string   `json:"errorMessage"`
	Timestamp    time.Time `json:"timestamp"`
}

type bMetric struct {
	ID         string    `json:"id"`
	MetricName string    `json:"metricName"`
	Score      *float64  `json:"score"`
	Timestamp  time.Time `json:"timestamp"`
}

type bTrace struct {
	ID         string          `json:"id"`
	StartTime  time.Time       `json:"startTime"`
	EndTime    *time.Time      `json:"endTime"`
	Duration   *float64        `json:"duration"`
	AgentCalls nodes[*bAgent]  `json:"agentCalls"`
	LLMCalls   nodes[*bLLM]    `json:"llmCalls"`
	ToolCalls  nodes[*bTool]   `json:"toolCalls"`
	Errors     nodes[*bError]  `json:"errors"`
	Metrics    nodes[*bMetric] `json:"metrics"`
}

type bProject struct {
	ID          string         `json:"id"`
	ProjectName string         `json:"projectName"`
	Traces      nodes[*bTrace] `json:"traces"`
}

func (s *boundServer) projectTraces(ctx context.Context, project string, n int) (any, error) {
	var p *bProject
	byID := map[int64]*bTrace{}
	var ids []int64
	var pid, tid int64
	var name string
	var t bTrace
	err := s.scanAll(ctx, s.q.projectTraces, []any{project, n},
		[]any{&pid, &name, &tid, &t.StartTime, &t.EndTime, &t.Duration}, func() {
			if p == nil {
				p = &bProject{ID: gid("Project", pid), ProjectName: name, Traces: nodes[*bTrace]{Nodes: []*bTrace{}}}
			}
			row := &bTrace{ID: gid("Trace", tid), StartTime: t.StartTime, EndTime: t.EndTime, Duration: t.Duration,
				AgentCalls: nodes[*bAgent]{Nodes: []*bAgent{}}, LLMCalls: nodes[*bLLM]{Nodes: []*bLLM{}},
				ToolCalls: nodes[*bTool]{Nodes: []*bTool{}}, Errors: nodes[*bError]{Nodes: []*bError{}},
				Metrics: nodes[*bMetric]{Nodes: []*bMetric{}}}
			p.Traces.Nodes = append(p.Traces.Nodes, row)
			byID[tid] = row
			ids = append(ids, tid)
		})
	if err != nil || p == nil {
		return map[string]any{"projectByName": p}, err
	}
	arg := []any{s.raw.idsArg(ids)}
	var owner, id int64
	var a bAgent
	if err := s.scanAll(ctx, s.q.agents, arg, []any{&owner, &id, &a.Name, &a.StartTime, &a.EndTime}, func() {
		row := a
		row.ID = gid("AgentCall", id)
		byID[owner].AgentCalls.Nodes = append(byID[owner].AgentCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var l bLLM
	if err := s.scanAll(ctx, s.q.llm, arg, []any{&owner, &id, &l.Name, &l.Model, &l.StartTime, &l.EndTime, &l.Duration,
		&l.TokenUsage.Input, &l.TokenUsage.Completion, &l.TokenUsage.Total, &l.Cost.Total}, func() {
		row := l
		row.ID = gid("LLMCall", id)
		byID[owner].LLMCalls.Nodes = append(byID[owner].LLMCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var tc bTool
	if err := s.scanAll(ctx, s.q.tools, arg, []any{&owner, &id, &tc.Name, &tc.StartTime, &tc.EndTime, &tc.Duration}, func() {
		row := tc
		row.ID = gid("ToolCall", id)
		byID[owner].ToolCalls.Nodes = append(byID[owner].ToolCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var e bError
	if err := s.scanAll(ctx, s.q.errors, arg, []any{&owner, &id, &e.ErrorType, &e.ErrorMessage, &e.Timestamp}, func() {
		row := e
		row.ID = gid("TraceError", id)
		byID[owner].Errors.Nodes = append(byID[owner].Errors.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var m bMetric
	if err := s.scanAll(ctx, s.q.metric, arg, []any{&owner, &id, &m.MetricName, &m.Score, &m.Timestamp}, func() {
		row := m
		row.ID = gid("Metric", id)
		byID[owner].Metrics.Nodes = append(byID[owner].Metrics.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	return map[string]any{"projectByName": p}, nil
}

// --- (c) one trace with everything: 8 statements.

type cSystemInfo struct {
	ID                string          `json:"id"`
	OsName            *string         `json:"osName"`
	OsVersion         *string         `json:"osVersion"`
	PythonVersion     *string         `json:"pythonVersion"`
	CPUInfo           *string         `json:"cpuInfo"`
	MemoryTotal       *float64        `json:"memoryTotal"`
	GpuInfo           json.RawMessage `json:"gpuInfo"`
	DiskInfo          json.RawMessage `json:"diskInfo"`
	InstalledPackages json.RawMessage `json:"installedPackages"`
}

type cAgent struct {
	ID                 string          `json:"id"`
	ExternalID         *string         `json:"externalId"`
	Name               string          `json:"name"`
	StartTime          time.Time       `json:"startTime"`
	EndTime            *time.Time      `json:"endTime"`
	LLMCallIDs         json.RawMessage `json:"llmCallIds"`
	ToolCallIDs        json.RawMessage `json:"toolCallIds"`
	UserInteractionIDs json.RawMessage `json:"userInteractionIds"`
}

type fullTokens struct {
	Input      int64 `json:"input"`
	Completion int64 `json:"completion"`
	Reasoning  int64 `json:"reasoning"`
	Total      int64 `json:"total"`
}

type fullCost struct {
	Input     float64 `json:"input"`
	Output    float64 `json:"output"`
	Reasoning float64 `json:"reasoning"`
	Total     float64 `json:"total"`
}

type cLLM struct {
	ID          string     `json:"id"`
	ExternalID  *string    `json:"externalId"`
	Name        string     `json:"name"`
	Model       *string    `json:"model"`
	InputPrompt *string    `json:"inputPrompt"`
	Output      *string    `json:"output"`
	ToolCall    *string    `json:"toolCall"`
	StartTime   time.Time  `json:"startTime"`
	EndTime     *time.Time `json:"endTime"`
	Duration    *float64   `json:"duration"`
	MemoryUsed  *int64     `json:"memoryUsed"`
	TokenUsage  fullTokens `json:"tokenUsage"`
	Cost        fullCost   `json:"cost"`
}

type cTool struct {
	ID              string          `json:"id"`
	ExternalID      *string         `json:"externalId"`
	Name            string          `json:"name"`
	InputParameters *string         `json:"inputParameters"`
	Output          *string         `json:"output"`
	StartTime       time.Time       `json:"startTime"`
	EndTime         *time.Time      `json:"endTime"`
	Duration        *float64        `json:"duration"`
	MemoryUsed      *int64          `json:"memoryUsed"`
	NetworkCalls    json.RawMessage `json:"networkCalls"`
}

type cInteraction struct {
	ID              string    `json:"id"`
	ExternalID      *string   `json:"externalId"`
	InteractionType string    `json:"interactionType"`
	Content         *string   `json:"content"`
	Timestamp       time.Time `json:"timestamp"`
}

type cError struct {
	ID           string    `json:"id"`
	ExternalID   *string   `json:"externalId"`
	ErrorType    string    `json:"errorType"`
	ErrorMessage *string   `json:"errorMessage"`
	Timestamp    time.Time `json:"timestamp"`
}

type cMetric struct {
	ID           string          `json:"id"`
	ExternalID   *string         `json:"externalId"`
	MetricName   string          `json:"metricName"`
	Score        *float64        `json:"score"`
	Reason       *string         `json:"reason"`
	ResultDetail json.RawMessage `json:"resultDetail"`
	Config       json.RawMessage `json:"config"`
	StartTime    *time.Time      `json:"startTime"`
	EndTime      *time.Time      `json:"endTime"`
	Duration     *float64        `json:"duration"`
	Timestamp    time.Time       `json:"timestamp"`
}

type cProject struct {
	ID          string `json:"id"`
	ProjectName string `json:"projectName"`
}

type cTrace struct {
	ID               string               `json:"id"`
	ExternalID       *string              `json:"externalId"`
	StartTime        time.Time            `json:"startTime"`
	EndTime          *time.Time           `json:"endTime"`
	Duration         *float64             `json:"duration"`
	Project          cProject             `json:"project"`
	SystemInfo       *cSystemInfo         `json:"systemInfo"`
	AgentCalls       nodes[*cAgent]       `json:"agentCalls"`
	LLMCalls         nodes[*cLLM]         `json:"llmCalls"`
	ToolCalls        nodes[*cTool]        `json:"toolCalls"`
	UserInteractions nodes[*cInteraction] `json:"userInteractions"`
	Errors           nodes[*cError]       `json:"errors"`
	Metrics          nodes[*cMetric]      `json:"metrics"`
}

// rawJSON turns a scanned JSON column into a value to embed (null if NULL).
func rawJSON(b []byte) json.RawMessage {
	if b == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(b)
}

func (s *boundServer) trace(ctx context.Context, globalID string, n int) (any, error) {
	typ, traceID, ok := parseGID(globalID)
	if !ok || typ != "Trace" {
		return nil, fmt.Errorf("not a trace id: %q", globalID)
	}
	var t *cTrace
	var row cTrace
	var id, pid int64
	err := s.scanAll(ctx, s.q.trace, []any{traceID}, []any{&id, &row.ExternalID, &row.StartTime, &row.EndTime, &row.Duration,
		&pid, &row.Project.ProjectName}, func() {
		r := row
		r.ID, r.Project.ID = gid("Trace", id), gid("Project", pid)
		t = &r
	})
	if err != nil || t == nil {
		return map[string]any{"trace": t}, err
	}
	t.AgentCalls.Nodes, t.LLMCalls.Nodes, t.ToolCalls.Nodes = []*cAgent{}, []*cLLM{}, []*cTool{}
	t.UserInteractions.Nodes, t.Errors.Nodes, t.Metrics.Nodes = []*cInteraction{}, []*cError{}, []*cMetric{}
	one := []any{traceID}
	page := []any{traceID, n}
	var si cSystemInfo
	var gpu, disk, pkgs []byte
	if err := s.scanAll(ctx, s.q.systemInfo, one, []any{&id, &si.OsName, &si.OsVersion, &si.PythonVersion, &si.CPUInfo,
		&si.MemoryTotal, &gpu, &disk, &pkgs}, func() {
		r := si
		r.ID = gid("SystemInfo", id)
		r.GpuInfo, r.DiskInfo, r.InstalledPackages = rawJSON(gpu), rawJSON(disk), rawJSON(pkgs)
		t.SystemInfo = &r
	}); err != nil {
		return nil, err
	}
	var a cAgent
	var l1, l2, l3 []byte
	if err := s.scanAll(ctx, s.q.agentsFull, page, []any{&id, &a.ExternalID, &a.Name, &a.StartTime, &a.EndTime, &l1, &l2, &l3}, func() {
		r := a
		r.ID = gid("AgentCall", id)
		r.LLMCallIDs, r.ToolCallIDs, r.UserInteractionIDs = rawJSON(l1), rawJSON(l2), rawJSON(l3)
		t.AgentCalls.Nodes = append(t.AgentCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var l cLLM
	if err := s.scanAll(ctx, s.q.llmFull, page, []any{&id, &l.ExternalID, &l.Name, &l.Model, &l.InputPrompt, &l.Output, &l.ToolCall,
		&l.StartTime, &l.EndTime, &l.Duration, &l.MemoryUsed, &l.TokenUsage.Input, &l.TokenUsage.Completion, &l.TokenUsage.Reasoning,
		&l.TokenUsage.Total, &l.Cost.Input, &l.Cost.Output, &l.Cost.Reasoning, &l.Cost.Total}, func() {
		r := l
		r.ID = gid("LLMCall", id)
		t.LLMCalls.Nodes = append(t.LLMCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var tc cTool
	var net []byte
	if err := s.scanAll(ctx, s.q.toolsFull, page, []any{&id, &tc.ExternalID, &tc.Name, &tc.InputParameters, &tc.Output,
		&tc.StartTime, &tc.EndTime, &tc.Duration, &tc.MemoryUsed, &net}, func() {
		r := tc
		r.ID = gid("ToolCall", id)
		r.NetworkCalls = rawJSON(net)
		t.ToolCalls.Nodes = append(t.ToolCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var in cInteraction
	if err := s.scanAll(ctx, s.q.inters, page, []any{&id, &in.ExternalID, &in.InteractionType, &in.Content, &in.Timestamp}, func() {
		r := in
		r.ID = gid("UserInteraction", id)
		t.UserInteractions.Nodes = append(t.UserInteractions.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var e cError
	if err := s.scanAll(ctx, s.q.errorsFull, page, []any{&id, &e.ExternalID, &e.ErrorType, &e.ErrorMessage, &e.Timestamp}, func() {
		r := e
		r.ID = gid("TraceError", id)
		t.Errors.Nodes = append(t.Errors.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var m cMetric
	var detail, config []byte
	if err := s.scanAll(ctx, s.q.metricsFull, page, []any{&id, &m.ExternalID, &m.MetricName, &m.Score, &m.Reason, &detail, &config,
		&m.StartTime, &m.EndTime, &m.Duration, &m.Timestamp}, func() {
		r := m
		r.ID = gid("Metric", id)
		r.ResultDetail, r.Config = rawJSON(detail), rawJSON(config)
		t.Metrics.Nodes = append(t.Metrics.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	return map[string]any{"trace": t}, nil
}

// --- (d) Query.analytics over a day, LLM calls by hour and model: 1 statement.

type dValue struct {
	Avg *float64 `json:"avg"`
	P50 *float64 `json:"p50"`
	P99 *float64 `json:"p99"`
}

type dRow struct {
	Bucket time.Time `json:"bucket"`
	Model  *string   `json:"model"`
	Count  int64     `json:"count"`
	Tokens tokens    `json:"tokens"`
	Cost   totalCost `json:"cost"`
	Value  dValue    `json:"value"`
}

// analytics is the bound of (d), analyticsQuery: one GROUP BY over the
// project's LLM calls of the range (percentile_cont on PostgreSQL; SQLite,
// which has none, returns the values sorted and the quantiles are
// interpolated here the same way), then the empty hours of every model
// filled with zeros, as the API answers. When analyticsQuery changes,
// change this with it.
func (s *boundServer) analytics(ctx context.Context, projectID string, from, to *time.Time) (any, error) {
	_, pid, ok := parseGID(projectID)
	if !ok || from == nil || to == nil {
		return nil, fmt.Errorf("analytics bound: bad variables")
	}
	var rows []*dRow
	if s.raw.dialect == db.Postgres {
		var r dRow
		var sec int64
		err := s.scanAll(ctx, s.q.dayLLM, []any{pid, from.UTC(), to.UTC()}, []any{&sec, &r.Model, &r.Count,
			&r.Tokens.Input, &r.Tokens.Completion, &r.Tokens.Total, &r.Cost.Total, &r.Value.Avg, &r.Value.P50, &r.Value.P99}, func() {
			row := r
			row.Bucket = time.Unix(sec, 0).UTC()
			rows = append(rows, &row)
		})
		if err != nil {
			return nil, err
		}
	} else {
		var cur *dRow
		var values []float64
		var sum float64
		flush := func() {
			if cur == nil {
				return
			}
			if n := len(values); n > 0 {
				avg := sum / float64(n)
				cur.Value.Avg, cur.Value.P50, cur.Value.P99 = &avg, quantile(values, 0.5), quantile(values, 0.99)
			}
			rows = append(rows, cur)
		}
		var sec int64
		var model *string
		var dur *float64
		var in, comp, total int64
		var cost float64
		err := s.scanAll(ctx, s.q.dayLLM, []any{pid, from.UTC(), to.UTC()}, []any{&sec, &model, &dur, &in, &comp, &total, &cost}, func() {
			b := time.Unix(sec, 0).UTC()
			if cur == nil || !cur.Bucket.Equal(b) || !sameString(cur.Model, model) {
				flush()
				cur, values, sum = &dRow{Bucket: b, Model: model}, values[:0], 0
			}
			cur.Count++
			cur.Tokens.Input += in
			cur.Tokens.Completion += comp
			cur.Tokens.Total += total
			cur.Cost.Total += cost
			if dur != nil {
				values = append(values, *dur)
				sum += *dur
			}
		})
		if err != nil {
			return nil, err
		}
		flush()
	}
	return map[string]any{"analytics": fillHours(rows, *from, *to)}, nil
}

// quantile interpolates the p-quantile of sorted values as percentile_cont.
func quantile(sorted []float64, p float64) *float64 {
	pos := p * float64(len(sorted)-1)
	lo := int(pos)
	v := sorted[lo]
	if lo+1 < len(sorted) {
		v += (pos - float64(lo)) * (sorted[lo+1] - sorted[lo])
	}
	return &v
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// fillHours adds a zero row for every hour of [from, to) a model lacks and
// sorts the rows by hour, then model (no model first).
func fillHours(rows []*dRow, from, to time.Time) []*dRow {
	type cell struct {
		model  string
		bucket int64
	}
	key := func(m *string) string {
		if m == nil {
			return ""
		}
		return "=" + *m
	}
	have := map[cell]bool{}
	models := map[string]*string{}
	var order []string
	for _, r := range rows {
		k := key(r.Model)
		have[cell{k, r.Bucket.Unix()}] = true
		if _, ok := models[k]; !ok {
			models[k] = r.Model
			order = append(order, k)
		}
	}
	first := from.Unix() / 3600 * 3600
	if from.Unix() < 0 && from.Unix()%3600 != 0 {
		first -= 3600
	}
	for b := first; b < to.Unix(); b += 3600 {
		for _, k := range order {
			if !have[cell{k, b}] {
				rows = append(rows, &dRow{Bucket: time.Unix(b, 0).UTC(), Model: models[k]})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b *dRow) int {
		if c := a.Bucket.Compare(b.Bucket); c != 0 {
			return c
		}
		return strings.Compare(key(a.Model), key(b.Model))
	})
	return rows
}
