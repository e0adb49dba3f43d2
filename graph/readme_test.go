package graph_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestReadmeQueriesWork runs every GraphQL example of the README against the
// demo data, so the documentation cannot drift from the schema.
func TestReadmeQueriesWork(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 4 {
		t.Fatalf("found %d graphql examples in the README, expected at least 4", len(blocks))
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		for i, block := range blocks {
			r := e.do(t, block[1], nil)
			if len(r.Errors) > 0 || len(r.Data) < 20 {
				t.Errorf("README example %d fails: %s\n%s", i+1, r.body, block[1])
			}
		}
	})
}
