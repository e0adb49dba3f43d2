package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
func atp(ms int) *time.Time {
	t := at(ms)
	return &t
}
func str(s string) *string { return &s }

// sample is a keyed trace with an agent, calls inside and outside it, an
// error pointing at a call, a metric and system info.
func sample(project, key string, ended bool) ingest.Trace {
	end := func(ms int) *time.Time {
		if !ended {
			return nil
		}
		return atp(ms)
	}
	return ingest.Trace{
		Project: project, ExternalID: key, StartTime: at(0), EndTime: end(5000),
		SystemInfo: &ingest.SystemInfo{OsName: str("Linux"), InstalledPackages: map[string]string{"openai": "1.0"}},
		Agents: []ingest.Agent{{
			ExternalID: key + "/agent-1", Name: "planner", StartTime: at(10), EndTime: end(4000),
			LLMCalls: []ingest.LLMCall{{
				ExternalID: key + "/llm-1", Name: "chat", Model: str("gpt-4o-mini"), InputPrompt: str("plan"), Output: str("ok"),
				StartTime: at(20), EndTime: end(900), Tokens: ingest.TokenUsage{Input: 1000, Completion: 500},
			}},
			ToolCalls:    []ingest.ToolCall{{ExternalID: key + "/tool-1", Name: "search", StartTime: at(1000), EndTime: end(1500)}},
			Interactions: []ingest.Interaction{{Type: "Input", Content: str("hi"), Timestamp: at(15)}},
		}},
		LLMCalls: []ingest.LLMCall{{
			Name: "summary", Model: str("unknown-model"), StartTime: at(4100), EndTime: end(4500),
			Tokens: ingest.TokenUsage{Input: 10, Completion: 5}, Cost: &ingest.Cost{Input: 0.5, Output: 0.25},
		}},
		Errors:  []ingest.Error{{Type: "tool", Message: str("timeout"), Timestamp: at(1500), ToolCallRef: key + "/tool-1", AgentRef: key + "/agent-1"}},
		Metrics: []ingest.Metric{{Name: "faithfulness", Score: ptrF(0.9), ResultDetail: json.RawMessage(`{"ok":true}`), Timestamp: at(5000)}},
	}
}

func ptrF(f float64) *float64 { return &f }

type counts map[string]int64

func countRows(t *testing.T, store *db.DB) counts {
	t.Helper()
	out := counts{}
	for _, table := range []string{"project_info", "traces", "system_info", "agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"} {
		var n int64
		if err := store.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestIngestIsIdempotentAndCompletes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})

		// Sent first while running, then again when finished.
		if _, err := svc.Ingest(ctx, []ingest.Trace{sample("app", "trace-1", false)}); err != nil {
			t.Fatal(err)
		}
		first := countRows(t, store)
		stored, err := svc.Ingest(ctx, []ingest.Trace{sample("app", "trace-1", true)})
		if err != nil {
			t.Fatal(err)
		}
		if again := countRows(t, store); fmt.Sprint(again) != fmt.Sprint(first) {
			t.Fatalf("re-sending created rows: %v then %v", first, again)
		}
		want := counts{"project_info": 1, "traces": 1, "system_info": 1, "agent_call": 1, "llm_call": 2, "tool_call": 1, "user_interactions": 1, "errors": 1, "metrics": 1}
		if fmt.Sprint(first) != fmt.Sprint(want) {
			t.Fatalf("rows = %v, want %v", first, want)
		}
		tr := stored[0]
		if tr.EndTime == nil || tr.Duration == nil || *tr.Duration != 5 {
			t.Fatalf("trace not completed: end %v duration %v", tr.EndTime, tr.Duration)
		}

		var agent db.AgentCall
		mustNil(t, store.Gorm().Take(&agent).Error)
		var calls []db.LLMCall
		mustNil(t, store.Gorm().Order("start_time").Find(&calls).Error)
		if calls[0].EndTime == nil || calls[0].AgentID == nil || *calls[0].AgentID != agent.ID || calls[1].AgentID != nil {
			t.Fatalf("llm calls not completed or linked: %+v", calls)
		}
		if got := agent.LLMCallIDs.V; len(got) != 1 || got[0] != calls[0].ID {
			t.Fatalf("agent llm_call_ids = %v, want [%d]", got, calls[0].ID)
		}
		// gpt-4o-mini at 0.15 and 0.60 USD per million tokens; the other call brought its own cost.
		if c := calls[0].Cost; math.Abs(c.Input-0.00015) > 1e-12 || math.Abs(c.Output-0.0003) > 1e-12 || math.Abs(c.Total-0.00045) > 1e-12 {
			t.Errorf("priced cost = %+v", c)
		}
		if calls[0].Tokens.Total != 1500 || calls[1].Cost.Total != 0.75 {
			t.Errorf("derived totals: tokens %d, cost %v", calls[0].Tokens.Total, calls[1].Cost.Total)
		}
		var e db.TraceError
		mustNil(t, store.Gorm().Take(&e).Error)
		if e.ErrorType != "Tool" || e.ToolCallID == nil || e.AgentID == nil || *e.AgentID != agent.ID {
			t.Errorf("error not normalized or linked: %+v", e)
		}
		var inter db.UserInteraction
		mustNil(t, store.Gorm().Take(&inter).Error)
		if inter.InteractionType != "input" {
			t.Errorf("interaction type %q, want input", inter.InteractionType)
		}
		checkProjectTotals(t, store)
	})
}

// TestCallsLinkToAgentsArrivingLater sends a call naming its agent by
// external id before the agent itself, as OTLP exports do.
func TestCallsLinkToAgentsArrivingLater(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		child := ingest.Trace{Project: "otel", ExternalID: "T", StartTime: at(100), EndTime: atp(200),
			LLMCalls: []ingest.LLMCall{{ExternalID: "span-llm", AgentRef: "span-agent", Name: "chat", StartTime: at(100), EndTime: atp(200)}},
			Errors:   []ingest.Error{{Type: "LLM", Timestamp: at(150), LLMCallRef: "span-llm", AgentRef: "span-agent"}},
		}
		parent := ingest.Trace{Project: "otel", ExternalID: "T", StartTime: at(0), EndTime: atp(300),
			Agents: []ingest.Agent{{ExternalID: "span-agent", Name: "agent", StartTime: at(0), EndTime: atp(300)}},
		}
		for _, tr := range []ingest.Trace{child, parent} {
			if _, err := svc.Ingest(ctx, []ingest.Trace{tr}); err != nil {
				t.Fatal(err)
			}
		}
		var agent db.AgentCall
		var call db.LLMCall
		var e db.TraceError
		var trace db.Trace
		mustNil(t, store.Gorm().Take(&agent).Error)
		mustNil(t, store.Gorm().Take(&call).Error)
		mustNil(t, store.Gorm().Take(&e).Error)
		mustNil(t, store.Gorm().Take(&trace).Error)
		if call.AgentID == nil || *call.AgentID != agent.ID || e.AgentID == nil || e.LLMCallID == nil || *e.LLMCallID != call.ID {
			t.Fatalf("late links not made: call %+v error %+v", call, e)
		}
		if ids := agent.LLMCallIDs.V; len(ids) != 1 || ids[0] != call.ID {
			t.Fatalf("agent id list %v", ids)
		}
		if !trace.StartTime.Equal(at(0)) || trace.EndTime == nil || !trace.EndTime.Equal(at(300)) || *trace.Duration != 0.3 {
			t.Fatalf("trace span not merged: %v..%v (%v)", trace.StartTime, trace.EndTime, *trace.Duration)
		}
	})
}

// TestConcurrentWritersKeepTotalsTrue ingests from 16 clients into one
// project at once, re-sending some traces, and checks the project's rollups
// against the rows.
func TestConcurrentWritersKeepTotalsTrue(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		const clients, perClient = 16, 6
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for c := range clients {
			wg.Go(func() {
				for i := range perClient {
					// Every client also re-sends a trace another client writes.
					key := fmt.Sprintf("c%d-t%d", c, i)
					if i == perClient-1 {
						key = fmt.Sprintf("c%d-t0", (c+1)%clients)
					}
					tr := sample("busy", key, true)
					tr.StartTime = at(-c * 1000)
					if _, err := svc.Ingest(ctx, []ingest.Trace{tr}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := countRows(t, store)["traces"]; n != clients*(perClient-1) {
			t.Fatalf("%d traces, want %d", n, clients*(perClient-1))
		}
		checkProjectTotals(t, store)
	})
}

// checkProjectTotals compares every project's rollups with its rows.
func checkProjectTotals(t *testing.T, store *db.DB) {
	t.Helper()
	var projects []db.Project
	mustNil(t, store.Gorm().Find(&projects).Error)
	for _, p := range projects {
		var sums struct {
			Cost   float64
			Tokens int64
		}
		mustNil(t, store.Gorm().Raw(`SELECT COALESCE(SUM(total_cost), 0) AS cost, COALESCE(SUM(total_tokens), 0) AS tokens FROM llm_call WHERE project_id = ?`, p.ID).Scan(&sums).Error)
		var traces []db.Trace
		mustNil(t, store.Gorm().Where("project_id = ?", p.ID).Find(&traces).Error)
		first, last := traces[0].StartTime, traces[0].StartTime
		for _, tr := range traces {
			if tr.StartTime.Before(first) {
				first = tr.StartTime
			}
			end := tr.StartTime
			if tr.EndTime != nil {
				end = *tr.EndTime
			}
			if end.After(last) {
				last = end
			}
		}
		if math.Abs(p.TotalCost-sums.Cost) > 1e-9 || p.TotalTokens != sums.Tokens {
			t.Errorf("project %s totals %v USD %d tokens, rows sum to %v USD %d tokens", p.ProjectName, p.TotalCost, p.TotalTokens, sums.Cost, sums.Tokens)
		}
		if p.StartTime == nil || !p.StartTime.Equal(first) || p.EndTime == nil || !p.EndTime.Equal(last) {
			t.Errorf("project %s span %v..%v, traces span %v..%v", p.ProjectName, p.StartTime, p.EndTime, first, last)
		}
		if p.Duration == nil || math.Abs(*p.Duration-last.Sub(first).Seconds()) > 1e-9 {
			t.Errorf("project %s duration %v, want %v", p.ProjectName, p.Duration, last.Sub(first).Seconds())
		}
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{MaxTextBytes: 64})
		long := string(make([]byte, 65))
		cases := []struct {
			field string
			edit  func(*ingest.Trace)
		}{
			{"input[1].project", func(tr *ingest.Trace) { tr.Project = " " }},
			{"input[1].startTime", func(tr *ingest.Trace) { tr.StartTime = time.Time{} }},
			{"input[1].endTime", func(tr *ingest.Trace) { tr.EndTime = atp(-1) }},
			{"input[1].agentCalls[0].llmCalls[0].endTime", func(tr *ingest.Trace) { tr.Agents[0].LLMCalls[0].EndTime = atp(0) }},
			{"input[1].agentCalls[0].llmCalls[0].tokenUsage.completion", func(tr *ingest.Trace) { tr.Agents[0].LLMCalls[0].Tokens.Completion = -1 }},
			{"input[1].agentCalls[0].name", func(tr *ingest.Trace) { tr.Agents[0].Name = "" }},
			{"input[1].agentCalls[0].llmCalls[0].inputPrompt", func(tr *ingest.Trace) { tr.Agents[0].LLMCalls[0].InputPrompt = &long }},
			{"input[1].llmCalls[0].cost.input", func(tr *ingest.Trace) { tr.LLMCalls[0].Cost.Input = math.NaN() }},
			{"input[1].errors[0].errorType", func(tr *ingest.Trace) { tr.Errors[0].Type = "network" }},
			{"input[1].agentCalls[0].userInteractions[0].interactionType", func(tr *ingest.Trace) { tr.Agents[0].Interactions[0].Type = "both" }},
			{"input[1].metrics[0].resultDetail", func(tr *ingest.Trace) { tr.Metrics[0].ResultDetail = json.RawMessage(`{bad`) }},
			{"input[1].toolCalls[1].externalId", func(tr *ingest.Trace) {
				tr.ToolCalls = []ingest.ToolCall{{ExternalID: "dup", Name: "a", StartTime: at(1)}, {ExternalID: "dup", Name: "b", StartTime: at(2)}}
			}},
		}
		for _, c := range cases {
			bad := sample("p", "bad", true)
			c.edit(&bad)
			_, err := svc.Ingest(ctx, []ingest.Trace{sample("p", "good", true), bad})
			var appErr *apperr.Error
			if !asAppErr(err, &appErr) || appErr.Code != apperr.InvalidArgument || appErr.Field != c.field {
				t.Errorf("%s: got %v, want INVALID_ARGUMENT on that field", c.field, err)
			}
		}
		// A transport naming its list otherwise gets paths starting with its name.
		bad := sample("p", "bad", true)
		bad.EndTime = atp(-1)
		_, err := svc.IngestAs(ctx, []ingest.Trace{sample("p", "good", true), bad}, "traces")
		if appErr := (*apperr.Error)(nil); !asAppErr(err, &appErr) || appErr.Field != "traces[1].endTime" {
			t.Errorf("IngestAs: got %v, want an error on traces[1].endTime", err)
		}
		if n := countRows(t, store); n["traces"] != 0 || n["project_info"] != 0 {
			t.Fatalf("invalid requests wrote rows: %v", n)
		}
	})
}

func asAppErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	if ok {
		*target = e
	}
	return ok
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestExternalIDsWithAnyCharacters re-sends and re-uses keys holding the
// characters SQL array and JSON literals treat specially.
func TestExternalIDsWithAnyCharacters(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		keys := []string{`quote"d`, `back\slash`, `comma,{brace}`, ` spaced `, `ünïcödé`, `NULL`}
		tr := ingest.Trace{Project: "keys", ExternalID: "t1", StartTime: at(0)}
		for i, k := range keys {
			tr.LLMCalls = append(tr.LLMCalls, ingest.LLMCall{ExternalID: k, Name: "c", StartTime: at(i), Tokens: ingest.TokenUsage{Input: 10}})
		}
		for range 2 {
			if _, err := svc.Ingest(ctx, []ingest.Trace{tr}); err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, store)["llm_call"]; n != int64(len(keys)) {
			t.Fatalf("%d llm calls after re-sending, want %d", n, len(keys))
		}
		checkProjectTotals(t, store)
		other := ingest.Trace{Project: "keys", ExternalID: "t2", StartTime: at(0),
			LLMCalls: []ingest.LLMCall{{ExternalID: `back\slash`, Name: "c", StartTime: at(0)}}}
		if _, err := svc.Ingest(ctx, []ingest.Trace{other}); err == nil {
			t.Fatal("a key of another trace was accepted")
		}
	})
}

// TestOneCallManyTraces writes many traces of several projects in one call:
// a trace sent twice in the call is merged as if sent twice, a later trace
// may name an agent of an earlier one, rollups and links stay true, and a
// key reused by two traces of the call fails the call and writes nothing.
func TestOneCallManyTraces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		var batch []ingest.Trace
		for i := range 12 {
			tr := sample(fmt.Sprintf("p%d", i%3), fmt.Sprintf("t%d", i), true)
			tr.StartTime = at(-i * 100)
			batch = append(batch, tr)
		}
		// t0 again, unfinished: the earlier end time must stay.
		batch = append(batch, sample("p0", "t0", false))
		// An unkeyed trace whose call names an agent of t3 (project p0).
		batch = append(batch, ingest.Trace{Project: "p0", StartTime: at(0),
			LLMCalls: []ingest.LLMCall{{Name: "late", StartTime: at(1), AgentRef: "t3/agent-1", Tokens: ingest.TokenUsage{Input: 7}}}})
		stored, err := svc.Ingest(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != len(batch) || stored[0].ID != stored[12].ID || stored[0].ID == stored[1].ID {
			t.Fatalf("stored traces do not follow the input: %d for %d", len(stored), len(batch))
		}
		n := countRows(t, store)
		if n["project_info"] != 3 || n["traces"] != 13 || n["llm_call"] != 12*2+1 || n["agent_call"] != 12 || n["errors"] != 12 {
			t.Fatalf("rows = %v", n)
		}
		var tr db.Trace
		mustNil(t, store.Gorm().Take(&tr, stored[0].ID).Error)
		if tr.EndTime == nil || tr.Duration == nil || *tr.Duration != 5 {
			t.Fatalf("re-sent trace lost its end: %+v", tr)
		}
		var late db.LLMCall
		mustNil(t, store.Gorm().Where("name = ?", "late").Take(&late).Error)
		var agent db.AgentCall
		mustNil(t, store.Gorm().Where("external_id = ?", "t3/agent-1").Take(&agent).Error)
		if late.AgentID == nil || *late.AgentID != agent.ID {
			t.Fatalf("late call not linked to the agent of another trace: %v", late.AgentID)
		}
		var sums []struct {
			ID     int64
			Cost   float64
			Tokens int64
			TC     float64
			TT     int64
		}
		mustNil(t, store.Gorm().Raw(`SELECT t.id, t.total_cost AS tc, t.total_tokens AS tt,
			COALESCE(SUM(c.total_cost), 0) AS cost, COALESCE(SUM(c.total_tokens), 0) AS tokens
			FROM traces t LEFT JOIN llm_call c ON c.trace_id = t.id GROUP BY t.id, t.total_cost, t.total_tokens`).Scan(&sums).Error)
		for _, s := range sums {
			if math.Abs(s.Cost-s.TC) > 1e-9 || s.Tokens != s.TT {
				t.Errorf("trace %d totals %v/%d, calls sum to %v/%d", s.ID, s.TC, s.TT, s.Cost, s.Tokens)
			}
		}
		checkProjectTotals(t, store)

		before := countRows(t, store)
		clash := []ingest.Trace{sample("p1", "fresh", true), sample("p1", "fresh2", true)}
		clash[1].Agents[0].ExternalID = "fresh/agent-1"
		_, err = svc.Ingest(ctx, clash)
		var appErr *apperr.Error
		if !asAppErr(err, &appErr) || appErr.Code != apperr.InvalidArgument || appErr.Field != "input[1].externalId" {
			t.Fatalf("a key used by two traces of one call: got %v", err)
		}
		if after := countRows(t, store); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a failed call wrote rows: %v then %v", before, after)
		}
	})
}

// TestConcurrentCallsOfManyTraces sends calls of several traces at once,
// re-sending each other's traces in opposite orders and creating the same
// projects: no call may fail (no deadlock) and the rollups stay true.
func TestConcurrentCallsOfManyTraces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		const clients = 8
		var wg sync.WaitGroup
		errs := make(chan error, clients*3)
		for c := range clients {
			wg.Go(func() {
				for round := range 3 {
					var batch []ingest.Trace
					for i := range 6 {
						k := i
						if c%2 == 1 {
							k = 5 - i // the same traces, the other way round
						}
						tr := sample(fmt.Sprintf("proj%d", (k+round)%3), fmt.Sprintf("shared-%d-%d", k, round), round%2 == 0)
						tr.StartTime = at(-k * 10)
						batch = append(batch, tr)
					}
					batch = append(batch, sample("proj0", fmt.Sprintf("own-%d-%d", c, round), true))
					if _, err := svc.Ingest(ctx, batch); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := countRows(t, store)["traces"]; n != 6*3+clients*3 {
			t.Fatalf("%d traces, want %d", n, 6*3+clients*3)
		}
		checkProjectTotals(t, store)
	})
}
