package db_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// fullTree is a trace with one of every entity, each under an external id.
func fullTree(cost float64, prompt string) *db.TraceWrite {
	end := t0.Add(3 * time.Second)
	score := 0.5
	return &db.TraceWrite{
		Trace:      db.Trace{StartTime: t0, EndTime: &end, ExternalID: str("tr")},
		SystemInfo: &db.SystemInfo{OsName: str("linux")},
		Agents: []db.AgentWrite{{Agent: db.AgentCall{Name: "agent", StartTime: t0, EndTime: &end, ExternalID: str("ag")},
			LLMCalls: []db.LLMCall{{Name: "llm", StartTime: t0, InputPrompt: str(prompt), ExternalID: str("l1"),
				Tokens: db.TokenUsage{Input: 4, Completion: 6, Total: 10}, Cost: db.Cost{Input: cost / 2, Output: cost / 2, Total: cost}}},
			ToolCalls:    []db.ToolCall{{Name: "tool", StartTime: t0, ExternalID: str("tc1")}},
			Interactions: []db.UserInteraction{{InteractionType: "input", Content: str("hello"), Timestamp: t0, ExternalID: str("i1")}},
		}},
		Errors:  []db.TraceError{{ErrorType: "Tool", ErrorMessage: str("boom"), Timestamp: t0, ExternalID: str("e1"), LLMCallExternalID: str("l1")}},
		Metrics: []db.Metric{{MetricName: "quality", Score: &score, Timestamp: t0, ExternalID: str("m1")}},
	}
}

// snapshot is everything a project's store holds, row by row.
type snapshot struct {
	Projects     []*db.Project
	Traces       []*db.Trace
	Infos        []*db.SystemInfo
	Agents       []*db.AgentCall
	LLM          []*db.LLMCall
	Tools        []*db.ToolCall
	Interactions []*db.UserInteraction
	Errors       []*db.TraceError
	Metrics      []*db.Metric
}

func takeSnapshot(t *testing.T, store *db.DB) snapshot {
	t.Helper()
	return snapshot{
		Projects: allRows[db.Project](t, store), Traces: allRows[db.Trace](t, store), Infos: allRows[db.SystemInfo](t, store),
		Agents: allRows[db.AgentCall](t, store), LLM: allRows[db.LLMCall](t, store), Tools: allRows[db.ToolCall](t, store),
		Interactions: allRows[db.UserInteraction](t, store), Errors: allRows[db.TraceError](t, store), Metrics: allRows[db.Metric](t, store),
	}
}

func allRows[T any](t *testing.T, store *db.DB) []*T {
	t.Helper()
	res, err := db.List[T](context.Background(), store, db.Cond{}, db.ProjectOrder, db.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows
}

// conformIdempotentResend: sending a trace again changes nothing, and the
// ids written back are the stored ones.
func conformIdempotentResend(t *testing.T, store *db.DB) {
	p := mustProject(t, store, "p")
	first := fullTree(1, "a prompt")
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: first})
	before := takeSnapshot(t, store)
	if len(before.LLM) != 1 || len(before.Errors) != 1 || before.Errors[0].LLMCallID == nil || *before.Errors[0].LLMCallID != before.LLM[0].ID {
		t.Fatalf("first write: %+v", before)
	}
	again := fullTree(1, "a prompt")
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: again})
	if after := takeSnapshot(t, store); !reflect.DeepEqual(before, after) {
		t.Errorf("re-sending a trace changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	if again.Trace.ID != first.Trace.ID || again.Agents[0].LLMCalls[0].ID != first.Agents[0].LLMCalls[0].ID ||
		again.Metrics[0].ID != first.Metrics[0].ID || again.SystemInfo.ID != first.SystemInfo.ID {
		t.Errorf("re-sent rows were given other ids")
	}
}

// conformPartialMerge: a trace sent in parts is the union of its parts,
// with links by external id made across them and every rollup true.
func conformPartialMerge(t *testing.T, store *db.DB) {
	ctx := context.Background()
	p := mustProject(t, store, "p")
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: fullTree(1, "a prompt")})
	later, end := t0.Add(10*time.Second), t0.Add(20*time.Second)
	part := &db.TraceWrite{Trace: db.Trace{StartTime: later, EndTime: &end, ExternalID: str("tr")},
		LLMCalls: []db.LLMCall{{Name: "second", StartTime: later, AgentExternalID: str("ag"), ExternalID: str("l2"),
			Tokens: db.TokenUsage{Total: 20}, Cost: db.Cost{Total: 2}}},
		ToolCalls: []db.ToolCall{{Name: "second tool", StartTime: later, AgentExternalID: str("ag")}}}
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: part})

	s := takeSnapshot(t, store)
	if len(s.Traces) != 1 || len(s.LLM) != 2 || len(s.Tools) != 2 {
		t.Fatalf("merged trace: %d traces, %d llm calls, %d tool calls", len(s.Traces), len(s.LLM), len(s.Tools))
	}
	tr := s.Traces[0]
	if !tr.StartTime.Equal(t0) || tr.EndTime == nil || !tr.EndTime.Equal(end) || tr.Duration == nil || *tr.Duration != 20 {
		t.Errorf("merged trace spans %v..%v (%v s), want %v..%v (20 s)", tr.StartTime, tr.EndTime, tr.Duration, t0, end)
	}
	if tr.TotalCost != 3 || tr.TotalTokens != 30 {
		t.Errorf("merged trace totals %v / %d, want 3 / 30", tr.TotalCost, tr.TotalTokens)
	}
	agent := s.Agents[0]
	for _, c := range s.LLM {
		if c.AgentID == nil || *c.AgentID != agent.ID {
			t.Errorf("llm call %q not linked to the agent", c.Name)
		}
	}
	if want := []int64{s.LLM[0].ID, s.LLM[1].ID}; !slices.Equal(agent.LLMCallIDs.V, want) {
		t.Errorf("agent's llm call ids %v, want %v", agent.LLMCallIDs.V, want)
	}
	if want := []int64{s.Tools[0].ID, s.Tools[1].ID}; !slices.Equal(agent.ToolCallIDs.V, want) {
		t.Errorf("agent's tool call ids %v, want %v", agent.ToolCallIDs.V, want)
	}
	stats, err := store.TraceStatsFor(ctx, []int64{tr.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st := stats[0]; st.LLMCalls != 2 || st.ToolCalls != 2 || st.AgentCalls != 1 || st.Errors != 1 || st.Cost.Total != 3 || st.Tokens.Total != 30 {
		t.Errorf("trace stats %+v", st)
	}
	astats, err := store.AgentStatsFor(ctx, []int64{agent.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st := astats[0]; st.LLMCalls != 2 || st.ToolCalls != 2 || st.Interactions != 1 || st.Cost.Total != 3 || st.Tokens.Total != 30 {
		t.Errorf("agent stats %+v", st)
	}
}

// conformRollups: traces' and projects' totals and spans, kept by every
// write, equal what recounting the rows gives.
func conformRollups(t *testing.T, store *db.DB) {
	ctx := context.Background()
	p := mustProject(t, store, "p")
	other := fullTree(5, "x")
	other.Trace.ExternalID, other.Trace.StartTime = str("other"), t0.Add(-time.Hour)
	for i := range other.Agents[0].LLMCalls {
		other.Agents[0].LLMCalls[i].ExternalID = str("o1")
	}
	other.Agents[0].Agent.ExternalID, other.Agents[0].ToolCalls[0].ExternalID = str("o-ag"), str("o-tc")
	other.Agents[0].Interactions[0].ExternalID, other.Errors[0].ExternalID, other.Metrics[0].ExternalID = str("o-i"), str("o-e"), str("o-m")
	other.Errors[0].LLMCallExternalID = str("o1")
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: fullTree(1, "x")}, db.ProjectTrace{ProjectID: p, Write: other})
	// A call's cost changes: the totals move by the difference.
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: fullTree(4, "x")})

	s := takeSnapshot(t, store)
	for _, tr := range s.Traces {
		var cost float64
		var tokens int64
		for _, c := range s.LLM {
			if c.TraceID == tr.ID {
				cost, tokens = cost+c.Cost.Total, tokens+c.Tokens.Total
			}
		}
		if tr.TotalCost != cost || tr.TotalTokens != tokens {
			t.Errorf("trace %d totals %v / %d, its calls sum to %v / %d", tr.ID, tr.TotalCost, tr.TotalTokens, cost, tokens)
		}
	}
	kept := *s.Projects[0]
	if kept.TotalCost != 9 || kept.TotalTokens != 20 || kept.StartTime == nil || !kept.StartTime.Equal(t0.Add(-time.Hour)) {
		t.Errorf("project rollups %+v, want cost 9, tokens 20, start %v", kept, t0.Add(-time.Hour))
	}
	if err := store.RefreshProjectRollups(ctx, p); err != nil {
		t.Fatal(err)
	}
	if recounted := *takeSnapshot(t, store).Projects[0]; !reflect.DeepEqual(kept, recounted) {
		t.Errorf("rollups kept by writes %+v, recounted %+v", kept, recounted)
	}
}

// conformSearch: a trace is found by the beginnings of words of its texts,
// every word of the query in some text of it, and no longer by words a
// merge replaced.
func conformSearch(t *testing.T, store *db.DB) {
	ctx := context.Background()
	p := mustProject(t, store, "p")
	fox := fullTree(1, "The quick brown Fox")
	dog := fullTree(1, "a lazy dog")
	dog.Trace.ExternalID = str("dog")
	dog.Agents[0].LLMCalls[0].ExternalID = str("dog-l1")
	dog.Agents = append(dog.Agents[:0:0], db.AgentWrite{Agent: db.AgentCall{Name: "a", StartTime: t0}, LLMCalls: dog.Agents[0].LLMCalls})
	dog.Errors, dog.Metrics, dog.SystemInfo = nil, nil, nil
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: fox}, db.ProjectTrace{ProjectID: p, Write: dog})
	find := func(q string) []int64 {
		res, err := db.List[db.Trace](ctx, store, db.TraceFilter{Search: &q}.Cond(store), db.TraceOrder, db.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range res.Rows {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	for q, want := range map[string][]int64{
		"brow": {fox.Trace.ID}, "QUICK fox": {fox.Trace.ID}, "quick dog": nil, "hello": {fox.Trace.ID},
		"dog": {dog.Trace.ID}, "own": nil,
	} {
		if got := find(q); !slices.Equal(got, want) {
			t.Errorf("search %q: %v, want %v", q, got, want)
		}
	}
	mustIngest(t, store, db.ProjectTrace{ProjectID: p, Write: fullTree(1, "a slow turtle")})
	if got := find("quick"); got != nil {
		t.Errorf("a replaced prompt is still found: %v", got)
	}
	if got := find("turtle"); !slices.Equal(got, []int64{fox.Trace.ID}) {
		t.Errorf("the new prompt is not found: %v", got)
	}
}

// conformAnalyticsBins: rows fall in the bin holding their time, empty
// bins of the range are filled, bins start on the bin's multiples.
func conformAnalyticsBins(t *testing.T, store *db.DB) {
	ctx := context.Background()
	p := mustProject(t, store, "p")
	var batch []db.ProjectTrace
	for _, at := range []time.Duration{0, 30 * time.Minute, 59 * time.Minute, 2*time.Hour + time.Second} {
		end := t0.Add(at + time.Second)
		batch = append(batch, db.ProjectTrace{ProjectID: p, Write: &db.TraceWrite{Trace: db.Trace{StartTime: t0.Add(at), EndTime: &end}}})
	}
	mustIngest(t, store, batch...)
	rows, err := store.Analytics(ctx, db.AnalyticsQuery{ProjectID: p, Source: "TRACES", From: t0, To: t0.Add(3 * time.Hour), Bin: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for i, r := range rows {
		if r.Bucket == nil || !r.Bucket.Equal(t0.Add(time.Duration(i)*time.Hour)) {
			t.Fatalf("bin %d starts at %v", i, r.Bucket)
		}
		got = append(got, r.Count)
	}
	if want := []int64{3, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("counts per hour %v, want %v", got, want)
	}
	if rows[0].Value.Sum == nil || *rows[0].Value.Sum != 3 {
		t.Errorf("first bin's duration sum %v, want 3", rows[0].Value.Sum)
	}
}
