package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/agentneo"
	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// These tests run "api import-agentneo" as a user would, on a fixture
// AgentNeo database with every quirk of the format, and read the result
// back over GraphQL.

// writeFixture creates the AgentNeo fixture database in a temporary directory.
func writeFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agentneo.db")
	if err := agentneotest.Write(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// runImport runs the binary's import-agentneo with extra environment variables.
func runImport(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), httpTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, apiBinary(t), append([]string{"import-agentneo"}, args...)...)
	cmd.Env = append(childEnv(), env...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("run api import-agentneo: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("api import-agentneo did not exit within %s; stderr:\n%s", httpTimeout, errOut.String())
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// The GraphQL answer the import is checked against.
type (
	ndTime    = *time.Time
	nodeNames struct {
		Nodes []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"nodes"`
	}
	messages struct {
		Nodes []struct {
			ErrorMessage string `json:"errorMessage"`
		} `json:"nodes"`
	}
	named struct {
		Name        string `json:"name"`
		ProjectName string `json:"projectName"`
	}
	gqlLLMCall struct {
		ID         string    `json:"id"`
		Name       string    `json:"name"`
		Model      *string   `json:"model"`
		StartTime  time.Time `json:"startTime"`
		EndTime    ndTime    `json:"endTime"`
		Duration   *float64  `json:"duration"`
		MemoryUsed *int64    `json:"memoryUsed"`
		ToolCall   *string   `json:"toolCall"`
		TokenUsage struct {
			Input, Completion, Reasoning, Total int64
		} `json:"tokenUsage"`
		Cost struct {
			Input, Output, Reasoning, Total float64
		} `json:"cost"`
		AgentCall *named   `json:"agentCall"`
		Project   named    `json:"project"`
		Errors    messages `json:"errors"`
	}
	gqlToolCall struct {
		ID              string  `json:"id"`
		Name            string  `json:"name"`
		MemoryUsed      *int64  `json:"memoryUsed"`
		InputParameters *string `json:"inputParameters"`
		AgentCall       *named  `json:"agentCall"`
		NetworkCalls    []struct {
			Method         *string `json:"method"`
			URL            string  `json:"url"`
			StatusCode     *int    `json:"statusCode"`
			StartTime      ndTime  `json:"startTime"`
			EndTime        ndTime  `json:"endTime"`
			RequestHeaders []struct{ Name, Value string }
			ResponseBody   *string `json:"responseBody"`
		} `json:"networkCalls"`
		Errors messages `json:"errors"`
	}
	gqlInteraction struct {
		ID              string    `json:"id"`
		InteractionType string    `json:"interactionType"`
		Content         *string   `json:"content"`
		Timestamp       time.Time `json:"timestamp"`
		AgentCall       *named    `json:"agentCall"`
	}
	gqlError struct {
		ErrorType    string    `json:"errorType"`
		ErrorMessage *string   `json:"errorMessage"`
		Timestamp    time.Time `json:"timestamp"`
		Project      named     `json:"project"`
		AgentCall    *named    `json:"agentCall"`
		LLMCall      *named    `json:"llmCall"`
		ToolCall     *named    `json:"toolCall"`
	}
	gqlMetric struct {
		MetricName   string          `json:"metricName"`
		Score        *float64        `json:"score"`
		Reason       *string         `json:"reason"`
		ResultDetail json.RawMessage `json:"resultDetail"`
		Config       json.RawMessage `json:"config"`
		StartTime    ndTime          `json:"startTime"`
		EndTime      ndTime          `json:"endTime"`
		Timestamp    time.Time       `json:"timestamp"`
		Trace        struct {
			DatabaseID int64 `json:"databaseId"`
		} `json:"trace"`
	}
	gqlAgent struct {
		ID                 string    `json:"id"`
		Name               string    `json:"name"`
		StartTime          time.Time `json:"startTime"`
		EndTime            ndTime    `json:"endTime"`
		LLMCallIDs         []string  `json:"llmCallIds"`
		ToolCallIDs        []string  `json:"toolCallIds"`
		UserInteractionIDs []string  `json:"userInteractionIds"`
		LLMCalls           nodeNames `json:"llmCalls"`
		ToolCalls          nodeNames `json:"toolCalls"`
		UserInteractions   struct {
			Nodes []struct {
				ID string `json:"id"`
			} `json:"nodes"`
		} `json:"userInteractions"`
		Errors messages `json:"errors"`
	}
	gqlTrace struct {
		DatabaseID int64     `json:"databaseId"`
		StartTime  time.Time `json:"startTime"`
		EndTime    ndTime    `json:"endTime"`
		Duration   *float64  `json:"duration"`
		Project    named     `json:"project"`
		SystemInfo *struct {
			OsName      *string  `json:"osName"`
			MemoryTotal *float64 `json:"memoryTotal"`
			GpuInfo     []struct {
				Name   string   `json:"name"`
				Memory *float64 `json:"memoryTotal"`
			} `json:"gpuInfo"`
			DiskInfo *struct {
				Total, Available *float64
			} `json:"diskInfo"`
			InstalledPackages []struct{ Name, Version string } `json:"installedPackages"`
			Project           named                            `json:"project"`
		} `json:"systemInfo"`
		AgentCalls       struct{ Nodes []gqlAgent }       `json:"agentCalls"`
		LLMCalls         struct{ Nodes []gqlLLMCall }     `json:"llmCalls"`
		ToolCalls        struct{ Nodes []gqlToolCall }    `json:"toolCalls"`
		UserInteractions struct{ Nodes []gqlInteraction } `json:"userInteractions"`
		Errors           struct{ Nodes []gqlError }       `json:"errors"`
		Metrics          struct{ Nodes []gqlMetric }      `json:"metrics"`
	}
	gqlProject struct {
		ProjectName string  `json:"projectName"`
		TotalTokens int64   `json:"totalTokens"`
		TotalCost   float64 `json:"totalCost"`
		StartTime   ndTime  `json:"startTime"`
		EndTime     ndTime  `json:"endTime"`
		Traces      struct {
			TotalCount int        `json:"totalCount"`
			Nodes      []gqlTrace `json:"nodes"`
		} `json:"traces"`
	}
)

const importQuery = `{
  projects(first: 5) {
    totalCount
    nodes {
      projectName totalTokens totalCost startTime endTime
      traces(first: 5) {
        totalCount
        nodes {
          databaseId startTime endTime duration
          project { projectName }
          systemInfo {
            osName memoryTotal gpuInfo { name memoryTotal } diskInfo { total available }
            installedPackages { name version } project { projectName }
          }
          agentCalls(first: 10) {
            nodes {
              id name startTime endTime llmCallIds toolCallIds userInteractionIds
              llmCalls(first: 10) { nodes { id name } }
              toolCalls(first: 10) { nodes { id name } }
              userInteractions(first: 10) { nodes { id } }
              errors(first: 10) { nodes { errorMessage } }
            }
          }
          llmCalls(first: 10) {
            nodes {
              id name model startTime endTime duration memoryUsed toolCall
              tokenUsage { input completion reasoning total }
              cost { input output reasoning total }
              agentCall { name } project { projectName } errors(first: 10) { nodes { errorMessage } }
            }
          }
          toolCalls(first: 10) {
            nodes {
              id name memoryUsed inputParameters agentCall { name }
              networkCalls { method url statusCode startTime endTime requestHeaders { name value } responseBody }
              errors(first: 10) { nodes { errorMessage } }
            }
          }
          userInteractions(first: 20) { nodes { id interactionType content timestamp agentCall { name } } }
          errors(first: 20) {
            nodes { errorType errorMessage timestamp project { projectName } agentCall { name } llmCall { name } toolCall { name } }
          }
          metrics(first: 20) {
            nodes { metricName score reason resultDetail config startTime endTime timestamp trace { databaseId } }
          }
        }
      }
    }
  }
}`

// queryImport reads the whole imported graph over GraphQL.
func queryImport(t *testing.T, store *db.DB) map[string]gqlProject {
	t.Helper()
	srv := httptest.NewServer(graph.NewHandler(store, graph.DefaultOptions()))
	defer srv.Close()
	resp, body := postGraphQL(t, srv.URL, importQuery, "application/json")
	data := decodeGraphQL[struct {
		Projects struct {
			TotalCount int          `json:"totalCount"`
			Nodes      []gqlProject `json:"nodes"`
		} `json:"projects"`
	}](t, resp, body)
	out := map[string]gqlProject{}
	for _, p := range data.Projects.Nodes {
		out[p.ProjectName] = p
	}
	if len(out) != data.Projects.TotalCount {
		t.Fatalf("%d projects listed, totalCount %d", len(out), data.Projects.TotalCount)
	}
	return out
}

// rowCounts counts the rows of every table of the store.
func rowCounts(t *testing.T, store *db.DB) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	for table := range agentneotest.Counts {
		var n int64
		if err := store.Gorm().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

func utcTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

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

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
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

// TestImportAgentNeoRejectsOtherFiles checks that a file that is not an
// AgentNeo database stops the import with one line and exit code 1, before
// anything is written: no store is created, no table migrated.
func TestImportAgentNeoRejectsOtherFiles(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		dir := t.TempDir()
		text := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(text, []byte("not a database\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other.db")
		if err := agentneotest.Exec(other, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'x');`); err != nil {
			t.Fatal(err)
		}
		url := b.NewURL(t)
		for _, tc := range []struct{ path, want string }{
			{text, "notes.txt is not an AgentNeo database: not a SQLite file"},
			{other, "other.db is not an AgentNeo database: missing table project_info"},
			{filepath.Join(dir, "missing.db"), "missing.db is not an AgentNeo database: no such file"},
		} {
			code, stdout, stderr := runImport(t, nil, "--database-url", url, tc.path)
			if code != 1 {
				t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", tc.path, code, stdout, stderr)
			}
			if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
				t.Errorf("%s: stderr %q, want one line saying %q", tc.path, stderr, tc.want)
			}
		}
		checkNothingWritten(t, b, url)
	})
}

// checkNothingWritten checks that the store at url was never opened for writing.
func checkNothingWritten(t *testing.T, b dbtest.Backend, url string) {
	t.Helper()
	if b.Name == "sqlite" {
		path := strings.TrimPrefix(url, "sqlite:")
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the store %s was created (%v)", path, err)
		}
		return
	}
	store := dbtest.MustOpenURL(t, url, db.Options{SkipMigrations: true})
	var tables int64
	if err := store.Gorm().Raw(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables were created in the store", tables)
	}
}

// TestImportAgentNeoTimezone reads the naive times in a zone given by flag.
func TestImportAgentNeoTimezone(t *testing.T) {
	fixture := writeFixture(t)
	url := "sqlite:" + filepath.Join(t.TempDir(), "store.db")
	env := map[string]string{"DATABASE_URL": url, "TZ": "Asia/Tokyo"}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"import-agentneo", fixture, "--timezone", "-04:00"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	store := dbtest.MustOpenURL(t, url, db.Options{})
	source, err := agentneo.FileSource(context.Background(), fixture)
	if err != nil {
		t.Fatal(err)
	}
	starts := map[string]time.Time{}
	var traces []db.Trace
	if err := store.Gorm().Find(&traces).Error; err != nil {
		t.Fatal(err)
	}
	for _, tr := range traces {
		starts[*tr.ExternalID] = tr.StartTime
	}
	// A fixed -04:00 all year: the summer trace as in New York, the winter
	// one an hour earlier than New York's -05:00.
	for id, want := range map[string]string{
		agentneo.ExternalID(source, agentneo.TableTraces, 1): "2024-07-15T13:00:00Z",
		agentneo.ExternalID(source, agentneo.TableTraces, 2): "2024-01-11T03:30:00.25Z",
	} {
		if got := starts[id]; !got.Equal(utcTime(t, want)) {
			t.Errorf("%s starts at %v, want %s", id, got, want)
		}
	}
}

func TestImportAgentNeoUsage(t *testing.T) {
	fixture := writeFixture(t)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"no path", nil, nil, 2, "missing PATH"},
		{"two paths", []string{fixture, fixture}, nil, 2, "one PATH expected, got 2"},
		{"unknown flag", []string{"--nope", fixture}, nil, 2, "flag provided but not defined: -nope"},
		{"bad timezone", []string{"--timezone", "Mars/Olympus", fixture}, nil, 2, `unknown time zone "Mars/Olympus"`},
		{"bad timezone variable", []string{fixture}, map[string]string{"AGENTNEO_TIMEZONE": "nowhere"}, 2, "AGENTNEO_TIMEZONE"},
		{"bad database url", []string{"--database-url", "mysql://x", fixture}, nil, 2, "--database-url (DATABASE_URL): database url: unsupported scheme"},
		{"help", []string{"-h"}, nil, 0, "Usage: api import-agentneo [flags] PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"import-agentneo"}, tc.args...),
				func(k string) string { return tc.env[k] }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}

// TestImportAgentNeoTwoFiles imports two unrelated AgentNeo files with the
// same project names and row ids, without --source: the second adds its own
// traces and leaves every trace of the first as it was; both again change
// nothing.
func TestImportAgentNeoTwoFiles(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		first := writeFixture(t)
		second := filepath.Join(t.TempDir(), "other.db")
		if err := agentneotest.WriteOther(second); err != nil {
			t.Fatal(err)
		}
		url := b.NewURL(t)
		env := []string{"TZ=" + agentneotest.Zone, "DATABASE_URL=" + url}
		importOK := func(path string) string {
			t.Helper()
			code, stdout, stderr := runImport(t, env, path)
			if code != 0 {
				t.Fatalf("import %s: exit %d\nstdout:\n%s\nstderr:\n%s", filepath.Base(path), code, stdout, stderr)
			}
			return stdout
		}
		if out := importOK(first); !strings.Contains(out, "keys: agentneo:file-") {
			t.Errorf("the output does not say the keys:\n%s", out)
		}
		store := dbtest.MustOpenURL(t, url, db.Options{})
		traces := func() map[int64]string {
			out := map[int64]string{}
			for _, p := range queryImport(t, store) {
				for _, tr := range p.Traces.Nodes {
					j, _ := json.Marshal(tr)
					out[tr.DatabaseID] = string(j)
				}
			}
			return out
		}
		before := traces()

		importOK(second)
		after := traces()
		if len(after) != len(before)+3 {
			t.Errorf("%d traces after the second file, want %d", len(after), len(before)+3)
		}
		for id, tr := range before {
			if after[id] != tr {
				t.Errorf("trace %d changed:\n  before %s\n  after  %s", id, tr, after[id])
			}
		}
		projects := queryImport(t, store)
		if n := projects["travel-planner"].Traces.TotalCount; n != 3 {
			t.Errorf("travel-planner has %d traces, want 2 + 1", n)
		}
		if n := projects["support-bot"].Traces.TotalCount; n != 4 {
			t.Errorf("support-bot has %d traces, want 2 + 2", n)
		}

		counts := rowCounts(t, store)
		importOK(first)
		importOK(second)
		if again := rowCounts(t, store); !equalCounts(counts, again) {
			t.Errorf("importing both again changed row counts: %v, then %v", counts, again)
		}
		if again := traces(); !maps.Equal(after, again) {
			t.Error("importing both again changed traces")
		}
	})
}

// TestImportAgentNeoRefusals gives the import files it cannot import
// faithfully: each stops with one line and exit code 1, writing nothing,
// into a store that holds an import and into one that does not exist yet.
func TestImportAgentNeoRefusals(t *testing.T) {
	apiBinary(t)
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		fixture := writeFixture(t)
		dir := t.TempDir()
		without := func(table, column string) string {
			path := filepath.Join(dir, "no-"+table+"-"+column+".db")
			if err := agentneotest.Copy(fixture, path); err != nil {
				t.Fatal(err)
			}
			if err := agentneotest.DropColumn(path, table, column); err != nil {
				t.Fatal(err)
			}
			return path
		}
		agentgraphDB := filepath.Join(dir, "agentgraph.db")
		code, stdout, stderr := runImport(t, []string{"TZ=UTC"}, "--database-url", "sqlite:"+agentgraphDB, fixture)
		if code != 0 {
			t.Fatalf("import into a SQLite store: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		type refusal struct{ path, want string }
		cases := []refusal{
			{without("llm_call", "cost"), "missing column llm_call.cost, which every AgentNeo version has"},
			{without("llm_call", "token_usage"), "missing column llm_call.token_usage"},
			{without("llm_call", "start_time"), "missing column llm_call.start_time"},
			{without("tool_call", "name"), "missing column tool_call.name"},
			{without("errors", "error_type"), "missing column errors.error_type"},
			{without("traces", "project_id"), "missing column traces.project_id"},
			{agentgraphDB, "agentgraph.db is not an AgentNeo database: it is an agentgraph database"},
		}
		check := func(url string, cases []refusal) {
			t.Helper()
			for _, tc := range cases {
				code, stdout, stderr := runImport(t, nil, "--database-url", url, tc.path)
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", filepath.Base(tc.path), code, stdout, stderr)
				}
				if !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
					t.Errorf("%s: stderr %q, want one line saying %q", filepath.Base(tc.path), stderr, tc.want)
				}
			}
		}

		fresh := b.NewURL(t)
		check(fresh, cases)
		checkNothingWritten(t, b, fresh)

		url := b.NewURL(t)
		if code, stdout, stderr := runImport(t, []string{"TZ=UTC"}, "--database-url", url, fixture); code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		store := dbtest.MustOpenURL(t, url, db.Options{})
		counts := rowCounts(t, store)
		// A copy of the fixture that went on recording apart: the same
		// derived keys, another trace 3.
		fork := filepath.Join(dir, "fork.db")
		if err := agentneotest.Copy(fixture, fork); err != nil {
			t.Fatal(err)
		}
		if err := agentneotest.Exec(fork, `UPDATE traces SET start_time = '2024-11-05 15:00:00.000000' WHERE id = 3;`); err != nil {
			t.Fatal(err)
		}
		check(url, append(cases, refusal{fork, "a copy that recorded apart?"}))
		if after := rowCounts(t, store); !equalCounts(counts, after) {
			t.Errorf("refused imports changed row counts: %v, then %v", counts, after)
		}
		if b.Name == "sqlite" {
			// The store itself as the input, by another name.
			path := strings.TrimPrefix(url, "sqlite:")
			link := filepath.Join(dir, "link.db")
			if err := os.Symlink(path, link); err != nil {
				t.Fatal(err)
			}
			check(url, []refusal{{link, "link.db is the store being imported into"}})
			if after := rowCounts(t, store); !equalCounts(counts, after) {
				t.Errorf("importing the store into itself changed row counts: %v, then %v", counts, after)
			}
			// An AgentNeo file as the store and the input: opening it as
			// the store would migrate it.
			neo := filepath.Join(dir, "neo.db")
			if err := agentneotest.Copy(fixture, neo); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(neo)
			check("sqlite:"+neo, []refusal{{neo, "neo.db is the store being imported into"}})
			if after, _ := os.ReadFile(neo); !bytes.Equal(before, after) {
				t.Error("the AgentNeo file changed")
			}
		}
	})
}

func TestImportAgentNeoSourceFlag(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		source string
		legacy bool
	}{
		{"none", []string{"a.db"}, nil, "", false},
		{"named", []string{"--source", "laptop", "a.db"}, nil, "laptop", false},
		{"from the environment", []string{"a.db"}, map[string]string{"AGENTNEO_SOURCE": "laptop"}, "laptop", false},
		{"empty flag: legacy keys", []string{"a.db", "--source", ""}, nil, "", true},
		{"empty flag over the environment", []string{"--source=", "a.db"}, map[string]string{"AGENTNEO_SOURCE": "laptop"}, "", true},
		{"empty environment: derived", []string{"a.db"}, map[string]string{"AGENTNEO_SOURCE": ""}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseImportFlags(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Source != tc.source || cfg.LegacyKeys != tc.legacy {
				t.Errorf("source %q, legacy %v; want %q, %v", cfg.Source, cfg.LegacyKeys, tc.source, tc.legacy)
			}
		})
	}
}

func TestParseTimezone(t *testing.T) {
	for in, offset := range map[string]int{"UTC": 0, "+02:00": 7200, "-0530": -19800, "UTC+2": 7200, "+05": 18000, "Asia/Kolkata": 19800} {
		loc, err := parseTimezone(in)
		if err != nil {
			t.Errorf("parseTimezone(%q): %v", in, err)
			continue
		}
		if _, got := time.Date(2024, 1, 1, 0, 0, 0, 0, loc).Zone(); got != offset {
			t.Errorf("parseTimezone(%q) offset %d, want %d", in, got, offset)
		}
	}
	if loc, _ := parseTimezone(""); loc != time.Local {
		t.Errorf("empty timezone = %v, want Local", loc)
	}
}
