package graph_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
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

// TestReadmeIngestExample posts the body of the README's curl example of
// POST /v1/ingest, twice: the same trace both times.
func TestReadmeIngestExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)curl -s http://127.0.0.1:8080/v1/ingest -H 'Content-Type: application/json' -d '(.*?)'\n`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("no curl example of /v1/ingest in the README")
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newIngestEnv(t, b, ingest.Options{}, graph.Limits{})
		first := e.post(t, m[1])
		again := e.post(t, m[1])
		if first.status != 200 || len(first.Traces) != 1 || first.Traces[0].ExternalID == nil || *first.Traces[0].ExternalID != "run-43" {
			t.Fatalf("README example answered %d %s", first.status, first.body)
		}
		if again.status != 200 || again.Traces[0].ID != first.Traces[0].ID {
			t.Errorf("sent again: %d %s, want the same trace", again.status, again.body)
		}
	})
}
