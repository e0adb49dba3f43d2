package graph_test

import (
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// wideQuery walks every edge below projects' traces; TC stands for
// totalCount in the variant that asks for the list sizes too.
const wideQuery = `{
  projects(first: 10) {
    TC
    nodes {
      projectName
      traces(first: 50) {
        TC
        nodes {
          id startTime
          agentCalls { TC nodes { name llmCallIds } }
          llmCalls { TC nodes { model tokenUsage { total } cost { total } } }
          toolCalls { TC nodes { name networkCalls { url } } }
          errors { TC nodes { errorType } }
          metrics { TC nodes { metricName score } }
          userInteractions { TC nodes { interactionType } }
          systemInfo { osName installedPackages { name } }
        }
      }
    }
  }
}`

// wideQueryEdges is the number of edges wideQuery walks: projects, traces,
// six child connections and systemInfo; each totalCount is one more batch.
const wideQueryEdges = 1 + 1 + 6 + 1
const wideQueryCounts = 1 + 1 + 6

func wideQueryVariant(withCounts bool) string {
	if withCounts {
		return strings.ReplaceAll(wideQuery, "TC", "totalCount")
	}
	return strings.ReplaceAll(wideQuery, "TC", "")
}

// TestStatementsDoNotGrowWithData checks the N+1 guard: the same query costs
// the same number of SQL statements on 1 trace as on 10 projects x 50 traces,
// at most one per edge plus one, and totalCount is batched per edge too.
func TestStatementsDoNotGrowWithData(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		small := demo.DefaultScale()
		small.Projects, small.TracesPerProject = 1, 1
		large := demo.DefaultScale()
		large.Projects, large.TracesPerProject = 10, 50

		limits := map[bool]int64{false: wideQueryEdges + 1, true: wideQueryEdges + wideQueryCounts + 1}
		counts := map[bool][]int64{}
		for _, scale := range []demo.Scale{small, large} {
			e := newEnv(t, b, scale)
			n := countStatements(t, e.store)
			for _, withCounts := range []bool{false, true} {
				before := n.Load()
				var data wideData
				e.mustData(t, wideQueryVariant(withCounts), nil, &data)
				counts[withCounts] = append(counts[withCounts], n.Load()-before)
				data.check(t, scale, withCounts)
			}
		}
		for _, withCounts := range []bool{false, true} {
			c := counts[withCounts]
			t.Logf("totalCount=%v: %d statements for 1 trace, %d for 500 traces", withCounts, c[0], c[1])
			if c[0] != c[1] {
				t.Errorf("totalCount=%v: statements grow with data: %d for 1 trace, %d for 500", withCounts, c[0], c[1])
			}
			if c[1] > limits[withCounts] {
				t.Errorf("totalCount=%v: %d statements, want at most %d", withCounts, c[1], limits[withCounts])
			}
		}
	})
}

type wideData struct {
	Projects struct {
		TotalCount int
		Nodes      []struct {
			Traces struct {
				TotalCount int
				Nodes      []struct {
					LLMCalls struct {
						TotalCount int
						Nodes      []struct{ Model string }
					} `json:"llmCalls"`
					SystemInfo *struct{ OsName string }
				}
			}
		}
	}
}

// check makes sure the answer covers the whole data set, so the constant
// statement count really comes from batching.
func (d wideData) check(t *testing.T, scale demo.Scale, withCounts bool) {
	t.Helper()
	if len(d.Projects.Nodes) != scale.Projects || (withCounts && d.Projects.TotalCount != scale.Projects) {
		t.Fatalf("projects: total %d, nodes %d, want %d", d.Projects.TotalCount, len(d.Projects.Nodes), scale.Projects)
	}
	for _, p := range d.Projects.Nodes {
		if len(p.Traces.Nodes) != scale.TracesPerProject || (withCounts && p.Traces.TotalCount != scale.TracesPerProject) {
			t.Fatalf("traces: total %d, nodes %d, want %d", p.Traces.TotalCount, len(p.Traces.Nodes), scale.TracesPerProject)
		}
		for _, tr := range p.Traces.Nodes {
			if len(tr.LLMCalls.Nodes) != scale.LLMCallsPerTrace || (withCounts && tr.LLMCalls.TotalCount != scale.LLMCallsPerTrace) {
				t.Fatalf("llm calls of a trace: total %d, nodes %d, want %d", tr.LLMCalls.TotalCount, len(tr.LLMCalls.Nodes), scale.LLMCallsPerTrace)
			}
			if tr.SystemInfo == nil {
				t.Fatal("a trace lost its system info")
			}
		}
	}
}
