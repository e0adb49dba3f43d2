package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// The budget tests read calls with big texts under a small budget: 2
// traces of 25 calls, each with a 100 KB prompt and output, 10 MB in all,
// against 2 MiB per request.
const (
	testBudget     = 2 << 20
	bigText        = 100_000
	bigCallsPerRun = 25
)

// newBudgetEnv serves a store holding project "big" (see above) with the
// given memory budget, behind the request-id middleware.
func newBudgetEnv(t *testing.T, b dbtest.Backend, budget int64) *env {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	text := func(word string) *string {
		s := strings.Repeat(word+" ", bigText/(len(word)+1))
		return &s
	}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var traces []ingest.Trace
	for i := range 2 {
		tr := ingest.Trace{Project: "big", ExternalID: fmt.Sprintf("run-%d", i), StartTime: start}
		for j := range bigCallsPerRun {
			tr.LLMCalls = append(tr.LLMCalls, ingest.LLMCall{ExternalID: fmt.Sprintf("call-%d-%d", i, j), Name: "chat",
				InputPrompt: text("prompt"), Output: text("output"), StartTime: start.Add(time.Duration(j) * time.Second)})
		}
		traces = append(traces, tr)
	}
	if _, err := ingest.New(store, ingest.Options{}).Ingest(context.Background(), traces); err != nil {
		t.Fatal(err)
	}
	h := graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait, Limits: graph.Limits{MemoryBytes: budget}})
	srv := httptest.NewServer(observe.NewMetrics(nil, 0).Middleware("graphql", h))
	t.Cleanup(srv.Close)
	return &env{store: store, url: srv.URL}
}

// countReadsOf counts the statements that ran reading table (those
// refused before they ran are not counted).
func countReadsOf(t *testing.T, store *db.DB, table string) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	store.OnDirectStatement("test:reads", func(_ context.Context, s db.DirectStatement) {
		if s.Table == table {
			n.Add(1)
		}
	})
	count := func(tx *gorm.DB) {
		if tx.Error == nil && strings.Contains(tx.Statement.SQL.String(), " "+table+" ") {
			n.Add(1)
		}
	}
	cb := store.Gorm().Callback()
	mustNil(t, cb.Query().After("gorm:query").Register("test:reads", count))
	mustNil(t, cb.Row().After("gorm:row").Register("test:reads", count))
	return &n
}

// tooLarge checks that r is the answer to a request over its budget: 400,
// no data entry, one RESPONSE_TOO_LARGE error naming the budget, with the
// request id.
func tooLarge(t *testing.T, r response) {
	t.Helper()
	var raw map[string]json.RawMessage
	mustNil(t, json.Unmarshal(r.body, &raw))
	if _, hasData := raw["data"]; hasData || r.status != http.StatusBadRequest {
		t.Fatalf("status %d, data entry %v; want 400 without data: %.300s", r.status, hasData, r.body)
	}
	if len(r.Errors) != 1 || r.codeOf() != "RESPONSE_TOO_LARGE" {
		t.Fatalf("want one RESPONSE_TOO_LARGE error, got %.600s", r.body)
	}
	if e := r.Errors[0]; !strings.Contains(e.Message, "memory budget of 2 MiB") || e.Extensions["requestId"] == nil {
		t.Errorf("the error must name the budget and carry the request id: %.300s", r.body)
	}
}

func aliasedQuery(n int, field func(i int) string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field(i))
	}
	return b.String() + "}"
}

func TestMemoryBudgetBoundsEachRequest(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newBudgetEnv(t, b, testBudget)
		reads := countReadsOf(t, e.store, "llm_call")

		t.Run("aliased pages of prompts", func(t *testing.T) {
			// The attack of issue 14: a 1 KB query under the complexity limit.
			tooLarge(t, e.do(t, aliasedQuery(10, func(int) string {
				return `projectByName(name: "big") { llmCalls(first: 100) { nodes { inputPrompt } } }`
			}), nil))
		})

		t.Run("a page within the budget", func(t *testing.T) {
			var data struct {
				ProjectByName struct {
					LlmCalls struct {
						Nodes []struct{ InputPrompt string }
					}
				}
			}
			e.mustData(t, `{ projectByName(name: "big") { llmCalls(first: 3) { nodes { inputPrompt } } } }`, nil, &data)
			nodes := data.ProjectByName.LlmCalls.Nodes
			if len(nodes) != 3 || len(nodes[2].InputPrompt) < bigText-10 {
				t.Fatalf("got %d prompts", len(nodes))
			}
		})

		t.Run("rows that fit, repeated in the answer past the budget", func(t *testing.T) {
			// The rows fit and are read once; the answer repeating their
			// prompts does not fit, written by fastlists.go or, with a
			// directive, by gqlgen.
			for _, directive := range []string{"", " @include(if: true)"} {
				before := reads.Load()
				tooLarge(t, e.do(t, `{ projectByName(name: "big") { llmCalls(first: 3) { nodes `+aliasedQuery(10, func(int) string {
					return "inputPrompt" + directive
				})+` } } }`, nil))
				if n := reads.Load() - before; n != 1 {
					t.Errorf("%d reads of llm_call, want 1", n)
				}
			}
		})

		t.Run("reading stops at the budget", func(t *testing.T) {
			// Ten distinct pages of 50 outputs, read at once: 50 MB if they
			// were read whole. Each stops at the first row over the budget.
			q := `{ projectByName(name: "big") ` + aliasedQuery(10, func(i int) string {
				return fmt.Sprintf("llmCalls(first: %d) { nodes { output } }", 100-i)
			}) + ` }`
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			tooLarge(t, e.do(t, q, nil))
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d MB", allocated>>20)
			if allocated > 20<<20 {
				t.Errorf("the request allocated %d MB", allocated>>20)
			}
		})

		t.Run("no statement starts once the budget is spent", func(t *testing.T) {
			// The statement that spends the budget fails; nothing reads it again.
			before := reads.Load()
			tooLarge(t, e.do(t, `{ projectByName(name: "big") { llmCalls(first: 100) { nodes { output } } } }`, nil))
			if n := reads.Load() - before; n != 1 {
				t.Errorf("%d reads of llm_call, want 1", n)
			}
		})

		t.Run("a deep query", func(t *testing.T) {
			tooLarge(t, e.do(t, `{ projects { nodes { traces { nodes { llmCalls { nodes { output } } } } } } }`, nil))
		})

		t.Run("the next request has a budget of its own", func(t *testing.T) {
			var data struct{ Projects struct{ TotalCount int } }
			e.mustData(t, `{ projects { totalCount } }`, nil, &data)
			if data.Projects.TotalCount != 1 {
				t.Errorf("totalCount %d", data.Projects.TotalCount)
			}
		})
	})
}

// TestMemoryBudgetCanBeRaised checks that what a small budget refuses a
// bigger one serves.
func TestMemoryBudgetCanBeRaised(t *testing.T) {
	e := newBudgetEnv(t, dbtest.Backends()[0], 64<<20)
	r := e.do(t, aliasedQuery(3, func(int) string {
		return `projectByName(name: "big") { llmCalls(first: 10) { nodes { inputPrompt } } }`
	}), nil)
	if r.status != http.StatusOK || len(r.Errors) > 0 || len(r.body) < 30*bigText {
		t.Fatalf("status %d, %d bytes: %.300s", r.status, len(r.body), r.body)
	}
}
