package db_test

import (
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestModelsMatchTheMigrations requires every column of every model to
// exist in the migrated database, on both engines: a field added to a
// model without its migration fails here by name.
func TestModelsMatchTheMigrations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		g := store.Gorm()
		for _, model := range []any{&db.Project{}, &db.Trace{}, &db.AgentCall{}, &db.LLMCall{}, &db.ToolCall{},
			&db.UserInteraction{}, &db.TraceError{}, &db.Metric{}, &db.SystemInfo{}, &db.APIKey{}} {
			stmt := g.Model(model).Statement
			if err := stmt.Parse(model); err != nil {
				t.Fatal(err)
			}
			if !g.Migrator().HasTable(model) {
				t.Errorf("no table %s", stmt.Schema.Table)
				continue
			}
			for _, f := range stmt.Schema.Fields {
				if f.DBName == "" {
					continue
				}
				if !g.Migrator().HasColumn(model, f.DBName) {
					t.Errorf("%s.%s (field %s) has no column in the migrated database", stmt.Schema.Table, f.DBName, f.Name)
				}
			}
		}
	})
}
