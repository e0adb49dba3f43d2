package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// traceTree selects every field of a trace and of everything inside it.
const traceTree = `
fragment llmCallFields on LLMCall {
  id databaseId name model inputPrompt output toolCall startTime endTime duration memoryUsed
  tokenUsage { input completion reasoning total }
  cost { input output reasoning total }
  agentCall { id name }
  trace { id }
  project { projectName }
  errors { totalCount nodes { id errorType } }
}
fragment toolCallFields on ToolCall {
  id databaseId name inputParameters output startTime endTime duration memoryUsed
  networkCalls {
    method url statusCode error startTime endTime duration requestBody responseBody
    requestHeaders { name value } responseHeaders { name value }
  }
  agentCall { id name }
  trace { id }
  project { projectName }
  errors { totalCount nodes { id errorType } }
}
fragment interactionFields on UserInteraction {
  id databaseId interactionType content timestamp agentCall { id } trace { id } project { projectName }
}
fragment traceTree on Trace {
  id databaseId startTime endTime duration
  project { id projectName }
  systemInfo {
    id databaseId osName osVersion pythonVersion cpuInfo memoryTotal
    gpuInfo { name memoryTotal } diskInfo { total available } installedPackages { name version }
    project { projectName } trace { id }
  }
  agentCalls(first: 20) {
    totalCount
    nodes {
      id databaseId name startTime endTime llmCallIds toolCallIds userInteractionIds
      project { projectName } trace { id }
      llmCalls(first: 20) { totalCount nodes { id } }
      toolCalls(first: 20) { totalCount nodes { id } }
      userInteractions(first: 20) { totalCount nodes { id } }
      errors { totalCount nodes { id } }
    }
  }
  llmCalls(first: 20) { totalCount nodes { ...llmCallFields } }
  toolCalls(first: 20) { totalCount nodes { ...toolCallFields } }
  userInteractions(first: 20) { totalCount nodes { ...interactionFields } }
  errors(first: 20) {
    totalCount
    nodes {
      id databaseId errorType errorMessage timestamp
      agentCall { id name } toolCall { id name } llmCall { id name }
      trace { id } project { projectName }
    }
  }
  metrics(first: 20) {
    totalCount
    nodes { id databaseId metricName score reason resultDetail config startTime endTime duration timestamp trace { id } }
  }
}`

var goldenQueries = map[string]string{
	"projects": `{
  projects(first: 10) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id databaseId projectName startTime endTime duration totalCost totalTokens
      systemInfo { id trace { id } }
      traces(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { id startTime duration } }
      agentCalls(first: 2) { totalCount nodes { id name } }
      llmCalls(first: 2) { totalCount nodes { id model } }
      toolCalls(first: 2) { totalCount nodes { id name } }
      userInteractions(first: 2) { totalCount nodes { id interactionType } }
      errors(first: 2) { totalCount nodes { id errorType } }
    } }
  }
}`,
	"project_trace_trees": `{
  projectByName(name: "research-agent") {
    projectName
    traces(first: 6) { totalCount nodes { ...traceTree } }
  }
}` + traceTree,
	"traces_across_projects": `{
  traces(last: 4) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id startTime project { projectName } } }
  }
}`,
	"nodes": `{
  nodes(ids: ["UHJvamVjdDox", "VHJhY2U6Mw", "TExNQ2FsbDo3", "VG9vbENhbGw6NQ", "QWdlbnRDYWxsOjI",
              "VXNlckludGVyYWN0aW9uOjQ", "VHJhY2VFcnJvcjox", "TWV0cmljOjM", "U3lzdGVtSW5mbzoy", "VHJhY2U6OTk5OTk"]) {
    __typename
    id
    ... on Project { projectName }
    ... on Trace { databaseId startTime llmCalls(first: 1) { nodes { id } } }
    ... on LLMCall { databaseId model }
    ... on ToolCall { databaseId name }
    ... on AgentCall { databaseId name }
    ... on UserInteraction { databaseId interactionType }
    ... on TraceError { databaseId errorType }
    ... on Metric { databaseId metricName }
    ... on SystemInfo { databaseId osName }
  }
}`,
}

// TestGolden compares the answers to the main queries with testdata, on every
// backend. UPDATE_GOLDEN=1 rewrites the files from the SQLite run.
func TestGolden(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		for name, query := range goldenQueries {
			t.Run(name, func(t *testing.T) {
				r := e.do(t, query, nil)
				if len(r.Errors) > 0 {
					t.Fatalf("query failed: %s", r.body)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, r.Data, "", "  "); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name+".golden.json")
				if os.Getenv("UPDATE_GOLDEN") == "1" && b.Name == "sqlite" {
					if err := os.WriteFile(path, append(pretty.Bytes(), '\n'), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
				}
				var got, exp any
				_ = json.Unmarshal(r.Data, &got)
				if err := json.Unmarshal(want, &exp); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if diff := jsonDiff("", exp, got); diff != "" {
					t.Errorf("%s differs (UPDATE_GOLDEN=1 regenerates it): %s", path, diff)
				}
			})
		}
	})
}

// jsonDiff returns the first difference between two decoded JSON values.
// Numbers agree within 1e-9 relative: float sums depend on the order in which
// a database adds rows. JSON documents compare by value, not by key order.
func jsonDiff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
		for k := range w {
			if d := jsonDiff(path+"."+k, w[k], g[k]); d != "" {
				return d
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: want %d items, got %v", path, len(w), got)
		}
		for i := range w {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(w-g) > 1e-9*math.Max(math.Abs(w), math.Abs(g)) {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
	default:
		if want != got {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
	}
	return ""
}
