package agentneo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"

	// The pure-Go SQLite driver internal/db uses too, registered as "sqlite".
	_ "github.com/glebarez/go-sqlite"
)

// ErrNotAgentNeo is wrapped by the errors of Check and Import for a file that
// is missing, unreadable, not SQLite, an agentgraph database, or a SQLite
// database without AgentNeo's tables and columns.
var ErrNotAgentNeo = errors.New("not an AgentNeo database")

// notAgentNeo says why path is not an AgentNeo database; it matches ErrNotAgentNeo.
type notAgentNeo struct{ path, reason string }

func (e *notAgentNeo) Error() string {
	return e.path + " is not an AgentNeo database: " + e.reason
}

func (e *notAgentNeo) Is(target error) bool { return target == ErrNotAgentNeo }

func reject(path, format string, args ...any) error {
	return &notAgentNeo{path: path, reason: fmt.Sprintf(format, args...)}
}

// Table names, in the order they are reported.
const (
	TableProjects     = "project_info"
	TableTraces       = "traces"
	TableSystemInfo   = "system_info"
	TableAgentCalls   = "agent_call"
	TableLLMCalls     = "llm_call"
	TableToolCalls    = "tool_call"
	TableInteractions = "user_interactions"
	TableErrors       = "errors"
	TableMetrics      = "metrics"
)

// Tables lists AgentNeo's tables in the order Summary reports them.
var Tables = []string{
	TableProjects, TableTraces, TableSystemInfo, TableAgentCalls, TableLLMCalls,
	TableToolCalls, TableInteractions, TableErrors, TableMetrics,
}

// tableSpec is what the importer reads from one AgentNeo table. Every column
// AgentNeo has had since its first release must exist: a file without one is
// not AgentNeo's, or damaged, and importing it would zero or re-price what it
// lost. The columns in newer came in later releases and read as NULL when
// missing (gathered from every version of AgentNeo's data_models.py, 1.0 to
// 1.2.2).
type tableSpec struct {
	name     string
	optional bool     // the table itself came in a later release
	columns  []string // every column read, in scan order
	newer    []string // columns of later releases, may be missing
}

// required reports whether column c must exist in the table.
func (t tableSpec) required(c string) bool { return !slices.Contains(t.newer, c) }

var specs = map[string]tableSpec{
	TableProjects: {
		name:    TableProjects,
		columns: []string{"id", "project_name", "start_time", "end_time", "duration", "total_cost", "total_tokens"},
	},
	TableTraces: {
		name:    TableTraces,
		columns: []string{"id", "project_id", "start_time", "end_time", "duration"},
	},
	TableSystemInfo: {
		name: TableSystemInfo,
		columns: []string{"id", "project_id", "trace_id", "os_name", "os_version", "python_version", "cpu_info",
			"gpu_info", "disk_info", "memory_total", "installed_packages"},
		newer: []string{"gpu_info", "disk_info"},
	},
	TableAgentCalls: {
		name: TableAgentCalls,
		columns: []string{"id", "project_id", "trace_id", "name", "start_time", "end_time",
			"llm_call_ids", "tool_call_ids", "user_interaction_ids"},
		newer: []string{"llm_call_ids", "tool_call_ids", "user_interaction_ids"},
	},
	TableLLMCalls: {
		name: TableLLMCalls,
		columns: []string{"id", "project_id", "trace_id", "agent_id", "name", "model", "input_prompt", "output",
			"tool_call", "start_time", "end_time", "duration", "token_usage", "cost", "memory_used"},
		newer: []string{"agent_id", "model", "tool_call"},
	},
	TableToolCalls: {
		name: TableToolCalls,
		columns: []string{"id", "project_id", "trace_id", "agent_id", "name", "input_parameters", "output",
			"start_time", "end_time", "duration", "memory_used", "network_calls"},
		newer: []string{"agent_id", "network_calls"},
	},
	TableInteractions: {
		name:     TableInteractions,
		optional: true,
		columns:  []string{"id", "project_id", "trace_id", "agent_id", "interaction_type", "content", "timestamp"},
	},
	TableErrors: {
		name: TableErrors,
		columns: []string{"id", "project_id", "trace_id", "agent_id", "tool_call_id", "llm_call_id",
			"error_type", "error_message", "timestamp"},
		newer: []string{"agent_id", "tool_call_id", "llm_call_id"},
	},
	TableMetrics: {
		name:     TableMetrics,
		optional: true,
		columns: []string{"id", "trace_id", "metric_name", "score", "reason", "result_detail", "config",
			"start_time", "end_time", "duration", "timestamp"},
	},
}

// timeColumns are read as text: the driver would otherwise turn columns
// declared DATETIME into times in UTC, losing that they are local times.
var timeColumns = map[string]bool{"start_time": true, "end_time": true, "timestamp": true}

// source is an open, checked AgentNeo database.
type source struct {
	db      *sql.DB
	path    string
	present map[string]map[string]bool // table -> existing columns; missing tables absent
	notes   []string                   // what the check found missing but tolerates
}

// openSource opens path read-only and checks that it is an AgentNeo database.
func openSource(ctx context.Context, path string) (*source, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, reject(path, "no such file")
	case err != nil:
		return nil, reject(path, "%v", err)
	case info.IsDir():
		return nil, reject(path, "it is a directory")
	}
	// mode=ro: never write to the file, not even a journal; the file must
	// exist, so a wrong path cannot create an empty database either.
	dsn := "file:" + escapePath(path) + "?mode=ro&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, reject(path, "%v", err)
	}
	db.SetMaxOpenConns(1)
	s := &source{db: db, path: path, present: map[string]map[string]bool{}}
	if err := s.check(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// escapePath makes path safe inside a SQLite URI filename.
func escapePath(path string) string {
	u := url.URL{Path: path}
	return strings.ReplaceAll(u.EscapedPath(), "+", "%2B")
}

func (s *source) close() error { return s.db.Close() }

// check reads the table list and columns and reports what is missing.
func (s *source) check(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`)
	if err != nil {
		// "file is not a database" and friends: not SQLite at all.
		return reject(s.path, "not a SQLite file (%s)", cleanDriverError(err))
	}
	var all []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return reject(s.path, "%s", cleanDriverError(err))
		}
		all = append(all, name)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return reject(s.path, "not a SQLite file (%s)", cleanDriverError(err))
	}
	rows.Close()
	tables := map[string]string{} // lower-case name -> name as created
	for _, name := range all {
		tables[strings.ToLower(name)] = name
	}

	// An agentgraph store keeps AgentNeo's tables and columns, so only
	// its own tables tell it apart.
	for _, name := range agentgraphTables {
		if _, ok := tables[name]; ok {
			return reject(s.path, "it is an agentgraph database (it has agentgraph's %s table); give the AgentNeo SDK's database file", name)
		}
	}

	var missing []string
	tableMissing := false
	for _, t := range Tables {
		spec := specs[t]
		if _, ok := tables[t]; !ok {
			if spec.optional {
				s.notes = append(s.notes, fmt.Sprintf("table %s not found (older AgentNeo version); nothing to import from it", t))
				continue
			}
			missing = append(missing, "table "+t)
			tableMissing = true
			continue
		}
		cols, err := s.columns(ctx, t)
		if err != nil {
			return reject(s.path, "cannot read the columns of %s (%s)", t, cleanDriverError(err))
		}
		if cols["external_id"] {
			return reject(s.path, "it is an agentgraph database (its %s table has agentgraph's external_id column); give the AgentNeo SDK's database file", t)
		}
		var absent []string
		for _, c := range spec.columns {
			switch {
			case cols[c]:
			case spec.required(c):
				missing = append(missing, "column "+t+"."+c)
			default:
				absent = append(absent, c)
			}
		}
		if len(absent) > 0 {
			s.notes = append(s.notes, fmt.Sprintf("table %s has no column %s (older AgentNeo version); read as empty", t, strings.Join(absent, ", ")))
		}
		s.present[t] = cols
	}
	if len(missing) == 0 {
		return nil
	}
	if !tableMissing {
		return reject(s.path, "missing %s, which every AgentNeo version has", strings.Join(missing, ", "))
	}
	found := "no tables"
	if len(all) > 0 {
		slices.Sort(all)
		if len(all) > 12 {
			all = append(all[:12], "...")
		}
		found = "tables: " + strings.Join(all, ", ")
	}
	return reject(s.path, "missing %s (found %s)", strings.Join(missing, ", "), found)
}

// agentgraphTables are tables an agentgraph store has and AgentNeo never
// had: its migration log, API keys and text search index.
var agentgraphTables = []string{"schema_migrations", "api_keys", "search_text"}

// columns returns the column names of table, lower-cased.
func (s *source) columns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		cols[strings.ToLower(name)] = true
	}
	return cols, rows.Err()
}

// has reports whether table exists.
func (s *source) has(table string) bool { return s.present[table] != nil }

// selectList is the column list of a query on table: missing columns read
// as NULL, time columns as text.
func (s *source) selectList(table string) string {
	cols := s.present[table]
	parts := make([]string, 0, len(specs[table].columns))
	for _, c := range specs[table].columns {
		switch {
		case !cols[c]:
			parts = append(parts, "NULL")
		case timeColumns[c]:
			parts = append(parts, `CAST("`+c+`" AS TEXT)`)
		default:
			parts = append(parts, `"`+c+`"`)
		}
	}
	return strings.Join(parts, ", ")
}

// count returns the number of rows of table, 0 when it is missing.
func (s *source) count(ctx context.Context, table string) (int, error) {
	if !s.has(table) {
		return 0, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+table+`"`).Scan(&n)
	return n, err
}

// cleanDriverError shortens SQLite driver messages to their cause.
func cleanDriverError(err error) string {
	msg := err.Error()
	// "file is not a database (26)" and similar: drop the numeric code.
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	return msg
}
