package graph_test

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestExplorerQueriesFitTheLimits runs the explorer's queries, at their
// largest pages, against the demo data: text fields weigh more in the
// complexity estimate, and what the frontend asks must still fit.
func TestExplorerQueriesFitTheLimits(t *testing.T) {
	src, err := os.ReadFile("../web/src/explorer/queries.ts")
	if err != nil {
		t.Fatal(err)
	}
	maxPage := regexp.MustCompile(`MAX_PAGE = (\d+);`).FindSubmatch(src)
	found := regexp.MustCompile("(?s)export const (\\w+_QUERY) = `(.*?)`").FindAllSubmatch(src, -1)
	if maxPage == nil || len(found) < 3 {
		t.Fatalf("found %d queries in queries.ts", len(found))
	}
	first, _ := strconv.Atoi(string(maxPage[1]))
	e := newEnv(t, dbtest.Backends()[0], demo.DefaultScale())
	var ids struct {
		Projects struct {
			Nodes []struct {
				ID     string
				Traces struct{ Nodes []struct{ ID string } }
			}
		}
	}
	e.mustData(t, `{ projects(first: 1) { nodes { id traces(first: 1) { nodes { id } } } } }`, nil, &ids)
	project := ids.Projects.Nodes[0]
	for _, q := range found {
		name, query := string(q[1]), strings.ReplaceAll(string(q[2]), "${MAX_PAGE}", string(maxPage[1]))
		id := project.ID
		if name == "TRACE_QUERY" {
			id = project.Traces.Nodes[0].ID
		}
		r := e.do(t, query, map[string]any{"first": first, "id": id})
		if r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("%s: %d %.300s", name, r.status, r.body)
		}
	}
}

// TestTextsWeighInTheEstimate checks that a request for tens of thousands
// of texts is refused before it runs, while the same tree without texts
// runs.
func TestTextsWeighInTheEstimate(t *testing.T) {
	e := newEnv(t, dbtest.Backends()[0], demo.Scale{Projects: 1, TracesPerProject: 1, LLMCallsPerTrace: 1})
	statements := countStatements(t, e.store)
	const tree = `{ projects(first: 10) { nodes { traces(first: 100) { nodes { llmCalls(first: 100) { nodes { %s } } } } } } }`
	r := e.do(t, strings.ReplaceAll(tree, "%s", "id inputPrompt output"), nil)
	if r.status != http.StatusBadRequest || r.codeOf() != "COMPLEXITY_LIMIT_EXCEEDED" || statements.Load() != 0 {
		t.Errorf("%d statements, %d %.300s; want 400 COMPLEXITY_LIMIT_EXCEEDED before any statement", statements.Load(), r.status, r.body)
	}
	if r := e.do(t, strings.ReplaceAll(tree, "%s", "id model name"), nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("without texts: %d %.300s", r.status, r.body)
	}
}
