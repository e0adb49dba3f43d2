package agentneo

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// requiredColumns are the columns every AgentNeo release has had, from
// its data models of 1.0 to 1.2.2: an import without one would zero or
// re-price what it lost.
var requiredColumns = map[string][]string{
	TableProjects:     {"id", "project_name", "start_time", "end_time", "duration", "total_cost", "total_tokens"},
	TableTraces:       {"id", "project_id", "start_time", "end_time", "duration"},
	TableSystemInfo:   {"id", "project_id", "trace_id", "os_name", "os_version", "python_version", "cpu_info", "memory_total", "installed_packages"},
	TableAgentCalls:   {"id", "project_id", "trace_id", "name", "start_time", "end_time"},
	TableLLMCalls:     {"id", "project_id", "trace_id", "name", "input_prompt", "output", "start_time", "end_time", "duration", "token_usage", "cost", "memory_used"},
	TableToolCalls:    {"id", "project_id", "trace_id", "name", "input_parameters", "output", "start_time", "end_time", "duration", "memory_used"},
	TableInteractions: {"id", "project_id", "trace_id", "agent_id", "interaction_type", "content", "timestamp"},
	TableErrors:       {"id", "project_id", "trace_id", "error_type", "error_message", "timestamp"},
	TableMetrics:      {"id", "trace_id", "metric_name", "score", "reason", "result_detail", "config", "start_time", "end_time", "duration", "timestamp"},
}

// TestRefusesMissingColumns removes each column every AgentNeo release has
// from a copy of the fixture and imports it into a store holding the
// fixture: refused, naming the column, nothing written. Columns of later
// releases may be missing.
func TestRefusesMissingColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		path := fixture(t)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, path, Options{})
		for _, table := range Tables {
			for _, col := range requiredColumns[table] {
				damaged := copyFixture(t, path)
				if err := agentneotest.DropColumn(damaged, table, col); err != nil {
					t.Fatal(err)
				}
				refused(t, svc, damaged, Options{}, "missing column "+table+"."+col+", which every AgentNeo version has")
				if !errors.Is(Check(context.Background(), damaged), ErrNotAgentNeo) {
					t.Errorf("Check accepts a file without %s.%s", table, col)
				}
			}
		}
		damaged := copyFixture(t, path)
		for _, c := range [][2]string{{TableLLMCalls, "cost"}, {TableErrors, "error_type"}} {
			if err := agentneotest.DropColumn(damaged, c[0], c[1]); err != nil {
				t.Fatal(err)
			}
		}
		refused(t, svc, damaged, Options{}, "missing column llm_call.cost, column errors.error_type")
	})

	newer := map[string][]string{
		TableSystemInfo: {"gpu_info", "disk_info"},
		TableAgentCalls: {"llm_call_ids", "tool_call_ids", "user_interaction_ids"},
		TableLLMCalls:   {"agent_id", "model", "tool_call"},
		TableToolCalls:  {"agent_id", "network_calls"},
		TableErrors:     {"agent_id", "tool_call_id", "llm_call_id"},
	}
	for table, cols := range newer {
		for _, col := range cols {
			older := fixture(t)
			if err := agentneotest.DropColumn(older, table, col); err != nil {
				t.Fatal(err)
			}
			_, _, _, out := dryRun(t, older, Options{Location: zone(t)})
			if want := "table " + table + " has no column " + col; !strings.Contains(out, want) {
				t.Errorf("without %s.%s, progress does not say %q:\n%s", table, col, want, out)
			}
		}
	}
}

// TestRefusesAgentgraphDatabase gives the importer an agentgraph store
// (which keeps AgentNeo's tables and columns) as its input.
func TestRefusesAgentgraphDatabase(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		input := filepath.Join(t.TempDir(), "agentgraph.db")
		in, err := db.Open(ctx, "sqlite:"+input, db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustImport(t, ingest.New(in, ingest.Options{}), fixture(t), Options{})
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}

		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		mustImport(t, svc, fixture(t), Options{})
		refused(t, svc, input, Options{}, "is not an AgentNeo database: it is an agentgraph database")
		// Each mark of agentgraph alone.
		for _, script := range []string{
			`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL);`,
			`CREATE TABLE api_keys (id INTEGER PRIMARY KEY);`,
			`ALTER TABLE traces ADD COLUMN external_id TEXT;`,
		} {
			refused(t, svc, fixture(t, script), Options{}, "it is an agentgraph database")
		}
	})
}
