package db_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestReadOnlyRoleFromDocs runs the read-only role block of docs/bi.md on a
// fresh PostgreSQL database and checks that the role reads every view and
// writes nothing.
func TestReadOnlyRoleFromDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/bi.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```sql\n(CREATE ROLE.*?)```").FindSubmatch(doc)
	if block == nil {
		t.Fatal("no role block in docs/bi.md")
	}
	b := dbtest.Backends()[1]
	store := dbtest.MustOpen(t, b)
	ctx := context.Background()
	if err := demo.Load(ctx, store, 1, demo.DefaultScale()); err != nil {
		t.Fatal(err)
	}
	g := store.Gorm()
	var dbName string
	mustExec(t, g.Raw(`SELECT current_database()`).Scan(&dbName).Error)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	role := "agentgraph_reader_" + hex.EncodeToString(suffix)
	sql := strings.ReplaceAll(string(block[1]), "agentgraph_reader", role)
	sql = strings.ReplaceAll(sql, "DATABASE agentgraph ", "DATABASE "+dbName+" ")
	t.Cleanup(func() {
		g.Exec(`RESET ROLE`)
		g.Exec(`DROP OWNED BY ` + role)
		g.Exec(`DROP ROLE IF EXISTS ` + role)
	})
	for _, stmt := range strings.Split(sql, ";") {
		if strings.TrimSpace(stmt) != "" {
			mustExec(t, g.Exec(stmt).Error)
		}
	}
	conn, err := g.DB()
	if err != nil {
		t.Fatal(err)
	}
	c, err := conn.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SET ROLE `+role); err != nil {
		t.Fatal(err)
	}
	defer c.ExecContext(ctx, `RESET ROLE`)
	for _, view := range []string{"bi_traces", "bi_llm_calls", "bi_tool_calls", "bi_agent_calls", "bi_errors", "bi_daily_usage", "llm_call"} {
		var n int
		if err := c.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+view).Scan(&n); err != nil || n == 0 {
			t.Errorf("reader on %s: %d rows, %v", view, n, err)
		}
	}
	if _, err := c.ExecContext(ctx, `INSERT INTO project_info (project_name) VALUES ('intruder')`); err == nil {
		t.Error("the read-only role could insert")
	}
	if _, err := c.ExecContext(ctx, `DELETE FROM traces`); err == nil {
		t.Error("the read-only role could delete")
	}
	for _, table := range []string{"api_keys", "api_key_projects"} {
		if _, err := c.ExecContext(ctx, `SELECT COUNT(*) FROM `+table); err == nil {
			t.Errorf("the read-only role could read %s", table)
		}
	}
}

// TestBIViewsAgreeWithTables checks the views' totals against the tables.
func TestBIViewsAgreeWithTables(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		if err := demo.Load(context.Background(), store, 1, demo.DefaultScale()); err != nil {
			t.Fatal(err)
		}
		g := store.Gorm()
		pairs := [][2]string{
			{`SELECT SUM(traces) FROM bi_daily_usage`, `SELECT COUNT(*) FROM traces`},
			{`SELECT SUM(llm_calls) FROM bi_daily_usage`, `SELECT COUNT(*) FROM llm_call`},
			{`SELECT SUM(total_tokens) FROM bi_daily_usage`, `SELECT SUM(total_tokens) FROM llm_call`},
			{`SELECT SUM(traces_with_errors) FROM bi_daily_usage`, `SELECT COUNT(DISTINCT trace_id) FROM errors`},
			{`SELECT COUNT(*) FROM bi_llm_calls WHERE project_name IS NOT NULL`, `SELECT COUNT(*) FROM llm_call`},
			{`SELECT SUM(error_count) FROM bi_traces`, `SELECT COUNT(*) FROM errors`},
			{`SELECT SUM(error_count) FROM bi_tool_calls`, `SELECT COUNT(*) FROM errors WHERE tool_call_id IS NOT NULL`},
			{`SELECT COUNT(*) FROM bi_agent_calls WHERE duration > 0`, `SELECT COUNT(*) FROM agent_call`},
		}
		for _, p := range pairs {
			var view, table int64
			mustExec(t, g.Raw(p[0]).Scan(&view).Error)
			mustExec(t, g.Raw(p[1]).Scan(&table).Error)
			if view != table || table == 0 {
				t.Errorf("%s = %d, but %s = %d", p[0], view, p[1], table)
			}
		}
	})
}
