package bench

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

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
