package graph_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
)

const ingestMutation = `mutation Ingest($input: [TraceInput!]!) {
  ingestTraces(input: $input) {
    traces {
      id externalId startTime endTime duration
      project { projectName totalCost totalTokens startTime endTime duration }
      agentCalls { nodes { externalId name endTime llmCallIds llmCalls { nodes { externalId } } } }
      llmCalls { totalCount nodes { externalId model endTime tokenUsage { input completion reasoning total } cost { total } agentCall { externalId } } }
      toolCalls { nodes { externalId name networkCalls { url statusCode requestHeaders { name value } } } }
      errors { nodes { errorType errorMessage toolCall { externalId } agentCall { externalId } } }
      metrics { nodes { metricName score resultDetail } }
      systemInfo { osName gpuInfo { name memoryTotal } installedPackages { name version } }
    }
  }
}`

// runningTrace is a trace as sent while it runs (fixture.RunningTrace).
var runningTrace = fixture.RunningTrace

func TestIngestTracesMutation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		var out struct {
			IngestTraces struct {
				Traces []struct {
					ID, ExternalID string
					EndTime        *string
					Duration       *float64
					Project        struct {
						TotalCost   float64
						TotalTokens int64
						Duration    *float64
					}
					LLMCalls struct {
						TotalCount int
						Nodes      []struct {
							EndTime    *string
							TokenUsage struct{ Total int }
							Cost       struct{ Total float64 }
							AgentCall  *struct{ ExternalID string }
						}
					} `json:"llmCalls"`
					Errors struct {
						Nodes []struct {
							ErrorType string
							ToolCall  *struct{ ExternalID string }
						}
					}
					SystemInfo struct {
						GpuInfo []struct{ MemoryTotal float64 }
					}
				}
			}
		}
		e.mustData(t, ingestMutation, map[string]any{"input": []any{runningTrace(false)}}, &out)
		first := out.IngestTraces.Traces[0]
		if first.EndTime != nil || first.LLMCalls.Nodes[0].EndTime != nil {
			t.Fatalf("running trace stored with end times: %+v", first)
		}
		e.mustData(t, ingestMutation, map[string]any{"input": []any{runningTrace(true)}}, &out)
		done := out.IngestTraces.Traces[0]
		if done.ID != first.ID || done.LLMCalls.TotalCount != 1 {
			t.Fatalf("re-send made a new trace or call: %s then %s, %d calls", first.ID, done.ID, done.LLMCalls.TotalCount)
		}
		if done.EndTime == nil || done.Duration == nil || *done.Duration != 9.5 || done.LLMCalls.Nodes[0].EndTime == nil {
			t.Fatalf("trace not completed: %+v", done)
		}
		call := done.LLMCalls.Nodes[0]
		// gpt-4o: 2.50 and 10.00 USD per million input and output tokens.
		if call.TokenUsage.Total != 1200 || math.Abs(call.Cost.Total-0.0045) > 1e-12 || call.AgentCall == nil || call.AgentCall.ExternalID != "agent-a" {
			t.Fatalf("llm call = %+v", call)
		}
		if p := done.Project; p.TotalTokens != 1200 || math.Abs(p.TotalCost-0.0045) > 1e-12 || p.Duration == nil || *p.Duration != 9.5 {
			t.Fatalf("project rollups = %+v", p)
		}
		if er := done.Errors.Nodes; len(er) != 1 || er[0].ErrorType != "Tool" || er[0].ToolCall == nil {
			t.Fatalf("errors = %+v", er)
		}
		if g := done.SystemInfo.GpuInfo; len(g) != 1 || g[0].MemoryTotal != 40960 {
			t.Fatalf("gpu info = %+v", g)
		}
		var rows int64
		mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM llm_call`).Scan(&rows).Error)
		if rows != 1 {
			t.Fatalf("%d llm_call rows after re-sending, want 1", rows)
		}
	})
}

func TestIngestTracesRejectsBadInput(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		cases := []struct {
			field string
			edit  func(tr map[string]any)
		}{
			{"input[1].startTime", func(tr map[string]any) { delete(tr, "startTime") }},
			{"input[1].endTime", func(tr map[string]any) { tr["endTime"] = "2026-01-01T00:00:00Z" }},
			{"input[1].agentCalls[0].llmCalls[0].tokenUsage.completion", func(tr map[string]any) {
				agentLLM(tr)["tokenUsage"] = map[string]any{"completion": -5}
			}},
			{"input[1].agentCalls[0].llmCalls[0].name", func(tr map[string]any) { agentLLM(tr)["name"] = "  " }},
			{"input[1].errors[0].errorType", func(tr map[string]any) { tr["errors"].([]any)[0].(map[string]any)["errorType"] = "cosmic ray" }},
			{"input[1].agentCalls[0].llmCalls[0].output", func(tr map[string]any) { agentLLM(tr)["output"] = strings.Repeat("x", 2<<20) }},
			{"input[1].startTime", func(tr map[string]any) { tr["startTime"] = "yesterday" }},
		}
		for _, c := range cases {
			bad := runningTrace(true)
			bad["externalId"] = "other"
			c.edit(bad)
			r := e.do(t, ingestMutation, map[string]any{"input": []any{runningTrace(true), bad}})
			if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != c.field {
				t.Errorf("%s: got %s", c.field, truncate(r.body))
			}
		}
		var traces int64
		mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM traces`).Scan(&traces).Error)
		if traces != 0 {
			t.Fatalf("rejected requests stored %d traces", traces)
		}
	})
}

func agentLLM(tr map[string]any) map[string]any {
	return tr["agentCalls"].([]any)[0].(map[string]any)["llmCalls"].([]any)[0].(map[string]any)
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}

func TestProjectAndTraceMutations(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		var created struct {
			CreateProject struct {
				ID, ProjectName string
				RetentionDays   *int
			}
		}
		e.mustData(t, `mutation { createProject(input: {name: " shop ", retentionDays: 30}) { id projectName retentionDays } }`, nil, &created)
		if created.CreateProject.ProjectName != "shop" || *created.CreateProject.RetentionDays != 30 {
			t.Fatalf("created %+v", created)
		}
		if r := e.do(t, `mutation { createProject(input: {name: "shop"}) { id } }`, nil); r.codeOf() != "CONFLICT" {
			t.Fatalf("duplicate project: %s", r.body)
		}
		if r := e.do(t, `mutation($id: ID!) { setProjectRetention(projectId: $id, days: 0) { id } }`, map[string]any{"id": created.CreateProject.ID}); r.codeOf() != "INVALID_ARGUMENT" {
			t.Fatalf("retention 0 days: %s", r.body)
		}

		// External ids are unique per project: a second trace may not reuse
		// the first one's, and is rejected whole when it does.
		two := []any{runningTrace(true), runningTrace(true)}
		two[1].(map[string]any)["externalId"] = "run-43"
		if r := e.do(t, ingestMutation, map[string]any{"input": two}); r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "input[1].externalId" {
			t.Fatalf("reused child external ids: %s", truncate(r.body))
		} else if msg := r.Errors[0].Message; !strings.Contains(msg, "already names an agent call") || strings.Contains(msg, "agent_call") {
			t.Errorf("the message should name the row plainly, not by its table: %s", msg)
		}
		second := runningTrace(true)
		second["externalId"] = "run-43"
		second["errors"], second["metrics"] = nil, nil
		agent := second["agentCalls"].([]any)[0].(map[string]any)
		agent["externalId"], agentLLM(second)["externalId"] = "agent-b", "llm-2"
		agent["toolCalls"].([]any)[0].(map[string]any)["externalId"] = "tool-2"
		two[1] = second
		var ingested struct {
			IngestTraces struct{ Traces []struct{ ID string } }
		}
		e.mustData(t, `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`, map[string]any{"input": two}, &ingested)
		traceID := ingested.IngestTraces.Traces[0].ID

		var metric struct {
			RecordMetric struct {
				MetricName string
				Trace      struct{ ID string }
			}
		}
		e.mustData(t, `mutation($id: ID!) { recordMetric(input: {traceId: $id, metricName: "latency_ok", score: 1, timestamp: "2026-02-01T11:00:00Z"}) { metricName trace { id } } }`,
			map[string]any{"id": traceID}, &metric)
		if metric.RecordMetric.Trace.ID != traceID {
			t.Fatalf("metric on %s, want %s", metric.RecordMetric.Trace.ID, traceID)
		}
		r := e.do(t, `mutation { recordMetric(input: {traceId: "VHJhY2U6OTk5OQ", metricName: "x", timestamp: "2026-02-01T11:00:00Z"}) { id } }`, nil)
		if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "input.traceId" {
			t.Fatalf("metric on a missing trace: %s", r.body)
		}

		var deleted struct{ DeleteTrace struct{ DeletedID string } }
		e.mustData(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": traceID}, &deleted)
		var after struct {
			ProjectByName struct {
				TotalTokens int64
				Traces      struct{ TotalCount int }
				LLMCalls    struct{ TotalCount int } `json:"llmCalls"`
			}
		}
		e.mustData(t, `{ projectByName(name: "checkout-bot") { totalTokens traces { totalCount } llmCalls { totalCount } } }`, nil, &after)
		if p := after.ProjectByName; p.Traces.TotalCount != 1 || p.LLMCalls.TotalCount != 1 || p.TotalTokens != 1200 {
			t.Fatalf("after deleting one of two traces: %+v", p)
		}
		if r := e.do(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": traceID}); r.codeOf() != "NOT_FOUND" {
			t.Fatalf("deleting twice: %s", r.body)
		}

		var project struct{ ProjectByName struct{ ID string } }
		e.mustData(t, `{ projectByName(name: "checkout-bot") { id } }`, nil, &project)
		e.mustData(t, `mutation($id: ID!) { deleteProject(id: $id) { deletedId } }`, map[string]any{"id": project.ProjectByName.ID}, &struct{}{})
		for _, table := range []string{"traces", "llm_call", "tool_call", "agent_call", "errors", "metrics", "system_info"} {
			var n int64
			mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM `+table).Scan(&n).Error)
			if n != 0 {
				t.Errorf("%d rows left in %s after deleting the project", n, table)
			}
		}
	})
}

// TestRetentionDeletesOldTraces runs the retention job once at a fixed time.
func TestRetentionDeletesOldTraces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		var traces []ingest.Trace
		for i, age := range []int{40, 20, 1} { // days old
			start := now.Add(-time.Duration(age) * 24 * time.Hour)
			end := start.Add(time.Second)
			traces = append(traces, ingest.Trace{Project: "kept-30-days", ExternalID: string(rune('a' + i)), StartTime: start, EndTime: &end,
				LLMCalls: []ingest.LLMCall{{Name: "c", StartTime: start, Tokens: ingest.TokenUsage{Input: 10}}}})
		}
		if _, err := svc.Ingest(ctx, traces); err != nil {
			t.Fatal(err)
		}
		p, err := store.FindProjectByName(ctx, "kept-30-days")
		mustNil(t, err)
		days := 30
		_, err = store.SetRetention(ctx, p.ID, &days)
		mustNil(t, err)
		n, err := svc.EnforceRetention(ctx, now)
		if err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want 1", n, err)
		}
		p, _ = store.FindProjectByName(ctx, "kept-30-days")
		if p.TotalTokens != 20 || !p.StartTime.Equal(now.Add(-20*24*time.Hour)) {
			t.Fatalf("rollups after retention: %d tokens, start %v", p.TotalTokens, p.StartTime)
		}
		var left []db.Trace
		mustNil(t, store.Gorm().Find(&left).Error)
		if len(left) != 2 {
			t.Fatalf("%d traces left, want 2", len(left))
		}
	})
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
