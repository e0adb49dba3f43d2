package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/demo"
)

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 90: 90 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(lat, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one = %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of none = %v", got)
	}
}

func TestProfileName(t *testing.T) {
	if got := profileName("out/cpu.pprof", "b", ""); got != "out/cpu.b.pprof" {
		t.Error(got)
	}
	if got := profileName("mem", "e", ".base"); got != "mem.e.base" {
		t.Error(got)
	}
}

func TestCountNodes(t *testing.T) {
	doc := `{"data":{"projects":{"nodes":[{"traces":{"nodes":[{"id":1},{"id":2}]}},{"traces":{"nodes":[{"id":3}]}}]}}}`
	got, err := countNodes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got["projects"] != 2 || got["traces"] != 3 {
		t.Errorf("counts %v", got)
	}
}

func TestPlaceholders(t *testing.T) {
	pg := &rawDB{dialect: db.Postgres}
	if got := pg.sql("SELECT ? WHERE a = ANY(?::bigint[]) LIMIT ?"); got != "SELECT $1 WHERE a = ANY($2::bigint[]) LIMIT $3" {
		t.Error(got)
	}
	lite := &rawDB{dialect: db.SQLite}
	if got := lite.sql("SELECT ?"); got != "SELECT ?" {
		t.Error(got)
	}
	if got := lite.idsArg([]int64{1, 22}); got != "[1,22]" {
		t.Error(got)
	}
}

// TestIngestPool checks that request bodies are valid JSON whose external
// ids all carry the request's prefix, and that calls are counted.
func TestIngestPool(t *testing.T) {
	s := QuickScale()
	pool, err := newIngestPool(3, s, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(pool.traces) < 6 {
		t.Fatalf("%d traces in the pool", len(pool.traces))
	}
	body, calls := pool.body(nil, []int{0, 1}, "req7/")
	perTrace := s.AgentsPerTrace + s.LLMCallsPerTrace + s.ToolCallsPerTrace + s.InteractionsPerTrace
	if calls != 2*perTrace {
		t.Errorf("%d calls, want %d", calls, 2*perTrace)
	}
	if strings.Contains(string(body), keyMarker) {
		t.Error("the marker is left in the body")
	}
	var req struct {
		Query     string `json:"query"`
		Variables struct {
			Input []traceIn `json:"input"`
		} `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if req.Query != ingestMutation || len(req.Variables.Input) != 2 {
		t.Fatalf("query %q, %d traces", req.Query, len(req.Variables.Input))
	}
	tr := req.Variables.Input[0]
	if !strings.HasPrefix(tr.ExternalID, "req7/demo-") || tr.Project != demo.ProjectName(0) {
		t.Errorf("trace %q in %q", tr.ExternalID, tr.Project)
	}
	for _, a := range tr.AgentCalls {
		for _, c := range a.LLMCalls {
			if !strings.HasPrefix(c.ExternalID, "req7/") {
				t.Errorf("llm call key %q", c.ExternalID)
			}
		}
	}
	// (f) sends the same traces as the body of POST /v1/ingest.
	plain, plainCalls := pool.plainBody(nil, []int{0, 1}, "req7/")
	var bulk struct {
		Traces []traceIn `json:"traces"`
	}
	if err := json.Unmarshal(plain, &bulk); err != nil {
		t.Fatalf("plain body is not JSON: %v", err)
	}
	again, _ := json.Marshal(req.Variables.Input)
	if same, _ := json.Marshal(bulk.Traces); plainCalls != calls || string(same) != string(again) {
		t.Errorf("the plain body holds other traces (%d calls) than the mutation's (%d calls)", plainCalls, calls)
	}
	// The bound turns the same input into rows for every table.
	ids := [][]int64{{1, 2}, make([]int64, 2*s.AgentsPerTrace), make([]int64, 2*s.LLMCallsPerTrace), make([]int64, 2*s.ToolCallsPerTrace)}
	tables, traceIDs := (&boundIngest{}).rows(req.Variables.Input, []int64{1, 1}, ids)
	if len(traceIDs) != 2 || traceIDs[1] != 2 {
		t.Errorf("trace ids %v", traceIDs)
	}
	rows := 0
	for _, tb := range tables {
		for _, r := range tb.rows {
			if len(r) != len(tb.cols) {
				t.Fatalf("%s: %d values for %d columns", tb.name, len(r), len(tb.cols))
			}
		}
		if tb.name != "errors" && len(tb.rows) == 0 {
			t.Errorf("no rows for %s", tb.name)
		}
		if tb.name == "agent_call" || tb.name == "llm_call" || tb.name == "tool_call" || tb.name == "user_interactions" {
			rows += len(tb.rows)
		}
	}
	if rows != calls {
		t.Errorf("%d call rows for %d calls", rows, calls)
	}
}

func TestJudgeEmpty(t *testing.T) {
	none := func() (int64, error) { return 0, nil }
	some := func() (int64, error) { return 2, nil }
	if err := judgeEmpty("x", nil, some); err != nil {
		t.Error(err)
	}
	if err := judgeEmpty("x", []string{"project_info", "traces"}, none); err != nil {
		t.Error(err)
	}
	if err := judgeEmpty("x", []string{"project_info"}, some); err == nil {
		t.Error("a database with projects counts as empty")
	}
	if err := judgeEmpty("x", []string{"customers"}, none); err == nil {
		t.Error("a database with other tables counts as empty")
	}
}
