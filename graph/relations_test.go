package graph_test

import (
	"context"
	"slices"
	"sort"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

type ref struct{ ID string }

type node struct {
	ID         string
	DatabaseID int64
	Trace      *ref
	Project    *ref
	AgentCall  *ref
}

type nodes struct {
	TotalCount int
	Nodes      []node
}

// TestRelationsAgreeBothWays walks every parent->children edge and checks
// that each child points back at the parent it was reached from.
func TestRelationsAgreeBothWays(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		var data struct {
			Projects struct {
				Nodes []struct {
					ID         string
					SystemInfo *struct{ DatabaseID int64 }
					Traces     struct {
						Nodes []struct {
							ID         string
							Project    ref
							SystemInfo *struct {
								Trace   ref
								Project ref
							}
							AgentCalls struct {
								Nodes []struct {
									ID                 string
									LLMCallIDs         []string `json:"llmCallIds"`
									ToolCallIDs        []string `json:"toolCallIds"`
									UserInteractionIDs []string `json:"userInteractionIds"`
									LLMCalls           nodes    `json:"llmCalls"`
									ToolCalls          nodes
									UserInteractions   nodes
									Errors             nodes
									Trace              ref
								}
							}
							LLMCalls         nodes `json:"llmCalls"`
							ToolCalls        nodes
							UserInteractions nodes
							Errors           struct {
								Nodes []struct {
									ErrorType string
									Trace     ref
									AgentCall *ref
									LLMCall   *struct {
										ID     string
										Errors nodes
									} `json:"llmCall"`
									ToolCall *struct {
										ID     string
										Errors nodes
									}
								}
							}
							Metrics nodes
						}
					}
					LLMCalls nodes `json:"llmCalls"`
				}
			}
		}
		childWithAgent := `totalCount nodes { id databaseId trace { id } project { id } agentCall { id } }`
		e.mustData(t, `{
		  projects(first: 5) {
		    nodes {
		      id
		      systemInfo { databaseId }
		      llmCalls(first: 30) { `+childWithAgent+` }
		      traces(first: 10) {
		        nodes {
		          id
		          project { id }
		          systemInfo { trace { id } project { id } }
		          agentCalls(first: 10) {
		            nodes {
		              id llmCallIds toolCallIds userInteractionIds trace { id }
		              llmCalls(first: 10) { `+childWithAgent+` }
		              toolCalls(first: 10) { `+childWithAgent+` }
		              userInteractions(first: 10) { `+childWithAgent+` }
		              errors(first: 10) { totalCount nodes { id agentCall { id } } }
		            }
		          }
		          llmCalls(first: 10) { `+childWithAgent+` }
		          toolCalls(first: 10) { `+childWithAgent+` }
		          userInteractions(first: 10) { `+childWithAgent+` }
		          errors(first: 10) {
		            nodes {
		              errorType trace { id } agentCall { id }
		              llmCall { id errors { totalCount nodes { id } } }
		              toolCall { id errors { totalCount nodes { id } } }
		            }
		          }
		          metrics(first: 10) { totalCount nodes { id databaseId trace { id } } }
		        }
		      }
		    }
		  }
		}`, nil, &data)

		var latestSystemInfo []int64
		if err := e.store.Gorm().WithContext(context.Background()).
			Raw(`SELECT MAX(id) FROM system_info GROUP BY project_id ORDER BY project_id`).Scan(&latestSystemInfo).Error; err != nil {
			t.Fatal(err)
		}
		sawErrors := 0
		for pi, p := range data.Projects.Nodes {
			if p.SystemInfo == nil || p.SystemInfo.DatabaseID != latestSystemInfo[pi] {
				t.Errorf("project %s: systemInfo %+v, want the most recent (%d)", p.ID, p.SystemInfo, latestSystemInfo[pi])
			}
			for _, c := range p.LLMCalls.Nodes {
				if c.Project == nil || c.Project.ID != p.ID {
					t.Errorf("llm call %s of project %s points at project %+v", c.ID, p.ID, c.Project)
				}
			}
			for _, tr := range p.Traces.Nodes {
				if tr.Project.ID != p.ID {
					t.Errorf("trace %s of project %s points at %s", tr.ID, p.ID, tr.Project.ID)
				}
				if tr.SystemInfo == nil || tr.SystemInfo.Trace.ID != tr.ID || tr.SystemInfo.Project.ID != p.ID {
					t.Errorf("trace %s: system info %+v", tr.ID, tr.SystemInfo)
				}
				for _, list := range []nodes{tr.LLMCalls, tr.ToolCalls, tr.UserInteractions, tr.Metrics} {
					if list.TotalCount != len(list.Nodes) || list.TotalCount == 0 {
						t.Errorf("trace %s: totalCount %d for %d nodes", tr.ID, list.TotalCount, len(list.Nodes))
					}
					for _, c := range list.Nodes {
						if c.Trace == nil || c.Trace.ID != tr.ID {
							t.Errorf("child %s of trace %s points at trace %+v", c.ID, tr.ID, c.Trace)
						}
					}
				}
				// Calls inside agents are also listed on the trace; the rest have no agent.
				inAgents := map[string]bool{}
				for _, a := range tr.AgentCalls.Nodes {
					if a.Trace.ID != tr.ID {
						t.Errorf("agent %s of trace %s points at %s", a.ID, tr.ID, a.Trace.ID)
					}
					for _, pair := range []struct {
						ids  []string
						list nodes
					}{{a.LLMCallIDs, a.LLMCalls}, {a.ToolCallIDs, a.ToolCalls}, {a.UserInteractionIDs, a.UserInteractions}} {
						got := make([]string, 0, len(pair.list.Nodes))
						for _, c := range pair.list.Nodes {
							got = append(got, c.ID)
							inAgents[c.ID] = true
							if c.AgentCall == nil || c.AgentCall.ID != a.ID {
								t.Errorf("child %s of agent %s points at agent %+v", c.ID, a.ID, c.AgentCall)
							}
						}
						sort.Strings(got)
						ids := slices.Clone(pair.ids)
						sort.Strings(ids)
						if !slices.Equal(got, ids) {
							t.Errorf("agent %s: id list %v, children %v", a.ID, ids, got)
						}
					}
					for _, er := range a.Errors.Nodes {
						if er.AgentCall == nil || er.AgentCall.ID != a.ID {
							t.Errorf("error %s of agent %s points at %+v", er.ID, a.ID, er.AgentCall)
						}
					}
				}
				for _, list := range []nodes{tr.LLMCalls, tr.ToolCalls, tr.UserInteractions} {
					for _, c := range list.Nodes {
						if !inAgents[c.ID] && c.AgentCall != nil {
							t.Errorf("child %s names agent %s but is not among its children", c.ID, c.AgentCall.ID)
						}
					}
				}
				for _, er := range tr.Errors.Nodes {
					sawErrors++
					if er.Trace.ID != tr.ID {
						t.Errorf("error of trace %s points at %s", tr.ID, er.Trace.ID)
					}
					switch er.ErrorType {
					case "LLM":
						if er.LLMCall == nil || er.LLMCall.Errors.TotalCount == 0 {
							t.Errorf("LLM error without its call, or the call does not list it: %+v", er.LLMCall)
						}
					case "Tool":
						if er.ToolCall == nil || er.ToolCall.Errors.TotalCount == 0 {
							t.Errorf("Tool error without its call, or the call does not list it: %+v", er.ToolCall)
						}
					}
				}
			}
		}
		if sawErrors == 0 {
			t.Fatal("the demo data has no errors to check")
		}
	})
}
