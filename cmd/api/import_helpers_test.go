package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
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
