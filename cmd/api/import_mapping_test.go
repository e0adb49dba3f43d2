package main

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

func TestImportAgentNeo(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		fixture := writeFixture(t)
		url := b.NewURL(t)
		// The fixture was recorded in New York; the import reads naive times
		// in the local zone of the machine, which TZ sets.
		tz := "TZ=" + agentneotest.Zone
		code, stdout, stderr := runImport(t, []string{tz}, "--database-url", url, fixture)
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		for _, want := range []string{
			"reading " + fixture,
			"traces 4/4",
			"table                 read imported  skipped",
			"llm_call                 6        6        0",
			"user_interactions        4        4        0",
			"metrics                  4        4        0",
			"total                   36       36        0",
			"0 warnings, 0 rows skipped",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
		if stderr != "" {
			t.Errorf("stderr: %s", stderr)
		}

		store := dbtest.MustOpenURL(t, url, db.Options{})
		counts := rowCounts(t, store)
		for table, n := range agentneotest.Counts {
			if counts[table] != int64(n) {
				t.Errorf("%s: %d rows, want %d", table, counts[table], n)
			}
		}
		checkImportedGraph(t, queryImport(t, store))

		// Again, with the store named by the environment: nothing new.
		code, stdout, stderr = runImport(t, []string{tz, "DATABASE_URL=" + url}, fixture)
		if code != 0 {
			t.Fatalf("second import: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		if again := rowCounts(t, store); !equalCounts(counts, again) {
			t.Errorf("the second import changed row counts: %v, then %v", counts, again)
		}
		checkImportedGraph(t, queryImport(t, store))
	})
}

// checkImportedGraph checks every relationship and converted value of the fixture.
func checkImportedGraph(t *testing.T, projects map[string]gqlProject) {
	t.Helper()
	if len(projects) != 3 {
		t.Fatalf("projects %v, want travel-planner, support-bot and idle-project", slices.Sorted(mapKeys(projects)))
	}
	eqTime := func(what string, got *time.Time, want string) {
		t.Helper()
		switch {
		case want == "" && got != nil:
			t.Errorf("%s = %v, want none", what, got)
		case want != "" && (got == nil || !got.Equal(utcTime(t, want))):
			t.Errorf("%s = %v, want %s", what, got, want)
		}
	}
	eq := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}

	travel := projects["travel-planner"]
	eq("travel-planner traces", travel.Traces.TotalCount, 2)
	eq("travel-planner tokens", travel.TotalTokens, int64(510+1550+15+21+10))
	eqTime("travel-planner start", travel.StartTime, "2024-01-11T04:30:00.25Z")
	if idle := projects["idle-project"]; idle.Traces.TotalCount != 0 {
		t.Errorf("idle-project has %d traces", idle.Traces.TotalCount)
	}
	if len(travel.Traces.Nodes) != 2 {
		t.Fatalf("travel-planner traces: %+v", travel.Traces.Nodes)
	}
	t1, t2 := travel.Traces.Nodes[0], travel.Traces.Nodes[1] // newest first

	// Trace 1: naive New York summer time, UTC-4.
	eqTime("trace 1 start", &t1.StartTime, "2024-07-15T13:00:00Z")
	eqTime("trace 1 end", t1.EndTime, "2024-07-15T13:00:05.5Z")
	if t1.Duration == nil || *t1.Duration != 5.5 {
		t.Errorf("trace 1 duration %v", t1.Duration)
	}
	si := t1.SystemInfo
	if si == nil || len(si.GpuInfo) != 1 || si.GpuInfo[0].Name != "NVIDIA A100-SXM4-40GB" || si.GpuInfo[0].Memory == nil || *si.GpuInfo[0].Memory != 40960 {
		t.Errorf("trace 1 system info GPUs: %+v", si)
	} else {
		if si.DiskInfo == nil || *si.DiskInfo.Total != 512 || *si.DiskInfo.Available != 128.5 || *si.MemoryTotal != 31.25 {
			t.Errorf("trace 1 disk and memory: %+v", si)
		}
		if got := fmtPackages(si.InstalledPackages); got != "agentneo 1.2.3, openai 1.40.0, requests 2.32.3" {
			t.Errorf("trace 1 packages: %s", got)
		}
		eq("system info project", si.Project.ProjectName, "travel-planner")
	}

	// Agents, with their children by agent_id and id lists that agree.
	if len(t1.AgentCalls.Nodes) != 2 {
		t.Fatalf("trace 1 agents: %+v", t1.AgentCalls.Nodes)
	}
	planner, summarizer := t1.AgentCalls.Nodes[0], t1.AgentCalls.Nodes[1]
	eq("agent 1", planner.Name, "planner")
	eqTime("planner start", &planner.StartTime, "2024-07-15T13:00:00.1Z")
	eqTime("planner end", planner.EndTime, "2024-07-15T13:00:04Z")
	eq("agent 2", summarizer.Name, "summarizer")
	eqTime("summarizer end (none recorded)", summarizer.EndTime, "")
	eq("planner llm calls", namesOf(planner.LLMCalls), "plan_trip,choose_flight")
	eq("planner tool calls", namesOf(planner.ToolCalls), "search_flights")
	eq("summarizer llm calls", namesOf(summarizer.LLMCalls), "summarize")
	eq("summarizer tool calls", namesOf(summarizer.ToolCalls), "")
	for _, a := range []gqlAgent{planner, summarizer} {
		checkIDList(t, a.Name+" llmCallIds", a.LLMCallIDs, idsOf(a.LLMCalls))
		checkIDList(t, a.Name+" toolCallIds", a.ToolCallIDs, idsOf(a.ToolCalls))
		var inter []string
		for _, n := range a.UserInteractions.Nodes {
			inter = append(inter, n.ID)
		}
		checkIDList(t, a.Name+" userInteractionIds", a.UserInteractionIDs, inter)
	}
	eq("planner interactions", len(planner.UserInteractions.Nodes), 2)
	eq("planner errors", errorMessages(planner.Errors), "TimeoutError: flights API,RateLimitError: slow down")
	eq("summarizer errors", errorMessages(summarizer.Errors), "summarizer crashed")

	// LLM calls: numbers from double-encoded JSON, recorded costs kept.
	calls := map[string]gqlLLMCall{}
	for _, c := range t1.LLMCalls.Nodes {
		calls[c.Name] = c
	}
	eq("trace 1 llm calls", len(calls), 4)
	plan := calls["plan_trip"]
	eq("plan_trip tokens", plan.TokenUsage, struct{ Input, Completion, Reasoning, Total int64 }{451, 59, 0, 510})
	eqCost := func(what string, got struct{ Input, Output, Reasoning, Total float64 }, in, out, reasoning float64) {
		t.Helper()
		if got.Input != in || got.Output != out || got.Reasoning != reasoning || math.Abs(got.Total-(in+out+reasoning)) > 1e-12 {
			t.Errorf("%s = %+v, want %v, %v, %v and their sum", what, got, in, out, reasoning)
		}
	}
	eqCost("plan_trip cost", plan.Cost, 6.765e-05, 3.54e-05, 0)
	eqTime("plan_trip start", &plan.StartTime, "2024-07-15T13:00:00.2Z")
	eqTime("plan_trip end", plan.EndTime, "2024-07-15T13:00:01Z")
	eq("plan_trip memory", *plan.MemoryUsed, int64(2048))
	eq("plan_trip agent", plan.AgentCall != nil && plan.AgentCall.Name == "planner", true)
	eq("plan_trip project", plan.Project.ProjectName, "travel-planner")
	choose := calls["choose_flight"]
	eq("choose_flight tokens", choose.TokenUsage, struct{ Input, Completion, Reasoning, Total int64 }{1200, 300, 50, 1550})
	eqCost("choose_flight cost", choose.Cost, 0.003, 0.003, 0.0005)
	eq("choose_flight tool call", *choose.ToolCall, `{"name": "search_flights", "arguments": "{\"to\": \"LIS\"}"}`)
	eq("choose_flight errors", errorMessages(choose.Errors), "RateLimitError: slow down")
	eq("summarize tokens (JSON encoded once)", calls["summarize"].TokenUsage.Total, int64(15))
	eq("summarize agent", calls["summarize"].AgentCall != nil && calls["summarize"].AgentCall.Name == "summarizer", true)
	eq("classify outside agents", calls["classify"].AgentCall == nil, true)
	eq("classify cost", calls["classify"].Cost.Output, 6e-07)

	// Tool calls and their HTTP calls, whose times are naive local time too.
	tools := map[string]gqlToolCall{}
	for _, c := range t1.ToolCalls.Nodes {
		tools[c.Name] = c
	}
	search := tools["search_flights"]
	eq("search_flights memory", *search.MemoryUsed, int64(-512))
	eq("search_flights agent", search.AgentCall != nil && search.AgentCall.Name == "planner", true)
	eq("search_flights errors", errorMessages(search.Errors), "TimeoutError: flights API")
	if len(search.NetworkCalls) != 1 {
		t.Errorf("search_flights network calls: %+v", search.NetworkCalls)
	} else {
		n := search.NetworkCalls[0]
		eq("network call", *n.Method+" "+n.URL, "GET https://api.example.com/flights?to=LIS")
		eq("network call status", *n.StatusCode, 200)
		eqTime("network call start", n.StartTime, "2024-07-15T13:00:01.2Z")
		eqTime("network call end", n.EndTime, "2024-07-15T13:00:01.35Z")
		eq("network call headers", len(n.RequestHeaders) == 1 && n.RequestHeaders[0].Value == "application/json", true)
	}
	eq("currency outside agents", tools["currency"].AgentCall == nil, true)
	eq("currency network calls", tools["currency"].NetworkCalls == nil, true)

	// Interactions.
	eq("trace 1 interactions", len(t1.UserInteractions.Nodes), 3)
	first := t1.UserInteractions.Nodes[0] // oldest first
	eq("interaction 1", first.InteractionType+" "+*first.Content, "input I want to go to Lisbon")
	eqTime("interaction 1 time", &first.Timestamp, "2024-07-15T13:00:00.05Z")
	eq("interaction 1 agent", first.AgentCall != nil && first.AgentCall.Name == "planner", true)
	last := t1.UserInteractions.Nodes[2]
	eq("interaction 3 outside agents", last.AgentCall == nil && *last.Content == "Thanks!", true)

	// Errors: normalized types and every reference.
	errs := map[string]gqlError{}
	for _, e := range t1.Errors.Nodes {
		errs[e.ErrorType] = e
	}
	eq("trace 1 error types", len(errs), 3)
	eq("LLM error", refs(errs["LLM"]), "planner|choose_flight|")
	eq("Tool error", refs(errs["Tool"]), "planner||search_flights")
	eq("Agent error", refs(errs["Agent"]), "summarizer||")
	eqTime("LLM error time", &[]time.Time{errs["LLM"].Timestamp}[0], "2024-07-15T13:00:03.3Z")

	// Metrics on their trace; result_detail double-encoded in one of them.
	if len(t1.Metrics.Nodes) != 2 {
		t.Fatalf("trace 1 metrics: %+v", t1.Metrics.Nodes)
	}
	m1, m2 := t1.Metrics.Nodes[0], t1.Metrics.Nodes[1]
	eq("metric 1", m1.MetricName, "goal_decomposition_efficiency")
	eq("metric 1 trace", m1.Trace.DatabaseID, t1.DatabaseID)
	eq("metric 1 score", *m1.Score, 0.85)
	eqJSON(t, "metric 1 detail", m1.ResultDetail, `{"subgoals": 3, "scores": [0.8, 0.9]}`)
	eqJSON(t, "metric 1 config", m1.Config, `{"model": "gpt-4o-mini"}`)
	eqTime("metric 1 start", m1.StartTime, "2024-07-15T13:01:00Z")
	eqTime("metric 1 timestamp", &m1.Timestamp, "2024-07-15T13:01:02Z")
	eqJSON(t, "metric 2 detail", m2.ResultDetail, `{"successes": 1, "calls": 2}`)
	eqTime("metric 2 end", m2.EndTime, "")

	// Trace 2: winter time, UTC-5; no end, no GPU, no disk.
	eqTime("trace 2 start", &t2.StartTime, "2024-01-11T04:30:00.25Z")
	eqTime("trace 2 end", t2.EndTime, "")
	if t2.SystemInfo == nil || t2.SystemInfo.GpuInfo != nil || t2.SystemInfo.DiskInfo != nil || *t2.SystemInfo.OsName != "Darwin" {
		t.Errorf("trace 2 system info: %+v", t2.SystemInfo)
	}
	if len(t2.LLMCalls.Nodes) != 1 || t2.LLMCalls.Nodes[0].Cost.Output != 4.5e-05 || t2.LLMCalls.Nodes[0].AgentCall != nil {
		t.Errorf("trace 2 llm calls: %+v", t2.LLMCalls.Nodes)
	}
	if len(t2.Metrics.Nodes) != 1 || t2.Metrics.Nodes[0].MetricName != "response_latency" || t2.Metrics.Nodes[0].Trace.DatabaseID != t2.DatabaseID {
		t.Errorf("trace 2 metrics: %+v", t2.Metrics.Nodes)
	}

	// The second project.
	support := projects["support-bot"]
	if len(support.Traces.Nodes) != 2 {
		t.Fatalf("support-bot traces: %+v", support.Traces.Nodes)
	}
	t4, t3 := support.Traces.Nodes[0], support.Traces.Nodes[1]
	eqTime("trace 3 start", &t3.StartTime, "2024-11-05T19:15:16.123456Z")
	eq("trace 3 project", t3.Project.ProjectName, "support-bot")
	if len(t3.AgentCalls.Nodes) != 1 {
		t.Fatalf("trace 3 agents: %+v", t3.AgentCalls.Nodes)
	}
	agent := t3.AgentCalls.Nodes[0]
	eqTime("support agent end", agent.EndTime, "")
	eq("support agent llm calls", namesOf(agent.LLMCalls), "answer")
	checkIDList(t, "support llmCallIds (repeated in AgentNeo)", agent.LLMCallIDs, idsOf(agent.LLMCalls))
	checkIDList(t, "support toolCallIds", agent.ToolCallIDs, idsOf(agent.ToolCalls))
	eq("trace 3 GPUs", len(t3.SystemInfo.GpuInfo), 2)
	eq("trace 3 errors", len(t3.Errors.Nodes), 2)
	for _, e := range t3.Errors.Nodes {
		eq("trace 3 error project", e.Project.ProjectName, "support-bot")
		switch e.ErrorType {
		case "LLM":
			eq("trace 3 LLM error", refs(e), "|answer|")
		case "Tool":
			eq("trace 3 Tool error", refs(e), "support||lookup_order")
		default:
			t.Errorf("trace 3 error type %q", e.ErrorType)
		}
	}
	if len(t4.Errors.Nodes) != 1 || refs(t4.Errors.Nodes[0]) != "||" || t4.Errors.Nodes[0].ErrorType != "Agent" {
		t.Errorf("trace 4 errors: %+v", t4.Errors.Nodes)
	}
	if len(t4.Metrics.Nodes) != 1 || t4.Metrics.Nodes[0].Score != nil || t4.Metrics.Nodes[0].Trace.DatabaseID != t4.DatabaseID {
		t.Errorf("trace 4 metrics: %+v", t4.Metrics.Nodes)
	}
	eqTime("trace 4 metric timestamp", &t4.Metrics.Nodes[0].Timestamp, "2024-11-06T13:00:02Z")
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func namesOf(c nodeNames) string {
	var names []string
	for _, n := range c.Nodes {
		names = append(names, n.Name)
	}
	return strings.Join(names, ",")
}

func idsOf(c nodeNames) []string {
	var ids []string
	for _, n := range c.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

func checkIDList(t *testing.T, what string, list, children []string) {
	t.Helper()
	a, b := slices.Clone(list), slices.Clone(children)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("%s = %v, but the children are %v", what, list, children)
	}
}

func errorMessages(m messages) string {
	var out []string
	for _, n := range m.Nodes {
		out = append(out, n.ErrorMessage)
	}
	return strings.Join(out, ",")
}

func fmtPackages(p []struct{ Name, Version string }) string {
	var out []string
	for _, x := range p {
		out = append(out, x.Name+" "+x.Version)
	}
	return strings.Join(out, ", ")
}

func refs(e gqlError) string {
	name := func(n *named) string {
		if n == nil {
			return ""
		}
		return n.Name
	}
	return name(e.AgentCall) + "|" + name(e.LLMCall) + "|" + name(e.ToolCall)
}

func eqJSON(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("%s: %v in %s", what, err, got)
		return
	}
	_ = json.Unmarshal([]byte(want), &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}
