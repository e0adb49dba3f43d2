package graph_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// A trace the store has never seen is written with plain inserts on
// PostgreSQL (ids reserved up front, lists and totals computed before
// writing); one it already holds is merged. Both must store the same thing.
func TestNewTracesStoreWhatMergedTracesStore(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		rich := func(project string) map[string]any {
			tr := runningTrace(true)
			tr["project"] = project
			agent := tr["agentCalls"].([]any)[0].(map[string]any)
			agent["userInteractions"] = []any{map[string]any{"externalId": "ui-1", "interactionType": "input",
				"content": "shoes size nine", "timestamp": "2026-02-01T10:00:00.15Z"}}
			agent["llmCalls"] = append(agent["llmCalls"].([]any), map[string]any{"externalId": "llm-3", "name": "rerank",
				"model": "gpt-4o", "inputPrompt": "rank sneakers", "startTime": "2026-02-01T10:00:05Z", "endTime": "2026-02-01T10:00:06Z",
				"tokenUsage": map[string]any{"input": 10, "completion": 5}})
			tr["agentCalls"] = append(tr["agentCalls"].([]any), map[string]any{"externalId": "agent-b", "name": "payer",
				"startTime": "2026-02-01T10:00:07Z", "endTime": "2026-02-01T10:00:08Z"})
			// Outside any agent, linked to one by key.
			tr["llmCalls"] = []any{map[string]any{"externalId": "llm-top", "agentCallExternalId": "agent-b", "name": "pay",
				"inputPrompt": "charge card of " + project, "startTime": "2026-02-01T10:00:07.5Z", "tokenUsage": map[string]any{"input": 7, "completion": 3},
				"cost": map[string]any{"input": 0.25, "output": 0.5}}}
			tr["userInteractions"] = []any{map[string]any{"externalId": "ui-2", "agentCallExternalId": "agent-b",
				"interactionType": "output", "content": "paid", "timestamp": "2026-02-01T10:00:08Z"}}
			tr["errors"] = append(tr["errors"].([]any), map[string]any{"errorType": "llm", "errorMessage": "timeout after 30s",
				"timestamp": "2026-02-01T10:00:06Z", "llmCallExternalId": "llm-3", "agentCallExternalId": "agent-a"})
			return tr
		}
		// "merged" holds the trace, without children, before the full send.
		e.mustData(t, ingestMutation, map[string]any{"input": []any{map[string]any{"project": "merged", "externalId": "run-42",
			"startTime": "2026-02-01T10:00:00Z"}}}, &struct{}{})
		e.mustData(t, ingestMutation, map[string]any{"input": []any{rich("merged")}}, &struct{}{})
		e.mustData(t, ingestMutation, map[string]any{"input": []any{rich("fresh")}}, &struct{}{})

		fresh, merged := storedTrace(t, e, "fresh"), storedTrace(t, e, "merged")
		if fresh != merged {
			t.Fatalf("a new trace stored\n%s\na merged one\n%s", fresh, merged)
		}
		for _, want := range []string{`"agent-a":["llm-1","llm-3"]`, `"agent-b":["llm-top"]`, `"trace":["run-42",1225,0.754575,9.5,"Linux"]`, `"project":[1225,0.754575]`,
			`"agent-b":["ui-2"]`, `"LLM:llm-3/agent-a/-"`, `"searchHits":["run-42"]`} {
			if !strings.Contains(fresh, want) {
				t.Errorf("stored trace lacks %s:\n%s", want, fresh)
			}
		}

		// A new trace reusing a stored call's key is refused whole, and
		// the refusal names it, as for a merged one.
		thief := rich("fresh")
		thief["externalId"] = "run-99"
		for _, a := range thief["agentCalls"].([]any) {
			a.(map[string]any)["externalId"] = "other-" + a.(map[string]any)["externalId"].(string)
		}
		thief["agentCalls"].([]any)[0].(map[string]any)["toolCalls"] = nil
		thief["llmCalls"], thief["userInteractions"], thief["errors"] = nil, nil, nil
		agentLLM(thief)["externalId"] = "other-llm-1"
		thief["agentCalls"].([]any)[0].(map[string]any)["userInteractions"] = nil
		// llm-3 stays: it names a call of run-42.
		r := e.do(t, ingestMutation, map[string]any{"input": []any{runningTrace(true), thief}})
		if r.codeOf() != "INVALID_ARGUMENT" || r.Errors[0].Extensions["field"] != "input[1].externalId" ||
			!strings.Contains(r.Errors[0].Message, `"llm-3" already names an LLM call`) {
			t.Fatalf("a new trace reusing a stored key: %s", truncate(r.body))
		}
		if again := storedTrace(t, e, "fresh"); again != fresh {
			t.Fatalf("the refused batch changed what is stored:\n%s", again)
		}
	})
}

// storedTrace renders what the project's one trace stores, with every id
// replaced by the external id it stands for, so two projects compare.
func storedTrace(t *testing.T, e *env, project string) string {
	t.Helper()
	type keyed struct{ ID, ExternalID string }
	var data struct {
		ProjectByName struct {
			TotalTokens int64
			TotalCost   float64
			Traces      struct {
				Nodes []struct {
					ExternalID  string
					TotalTokens int64
					TotalCost   float64
					Duration    *float64
					AgentCalls  struct {
						Nodes []struct {
							ExternalID                                  string
							LLMCallIds, ToolCallIds, UserInteractionIds []string
						}
					}
					LLMCalls         struct{ Nodes []keyed } `json:"llmCalls"`
					ToolCalls        struct{ Nodes []keyed }
					UserInteractions struct{ Nodes []keyed }
					Errors           struct {
						Nodes []struct {
							ErrorType string
							LLMCall   *keyed `json:"llmCall"`
							ToolCall  *keyed
							AgentCall *keyed
						}
					}
					SystemInfo struct{ OsName string }
				}
			}
		}
		Traces struct{ Nodes []struct{ ExternalID string } }
	}
	e.mustData(t, `query($p: String!) {
		projectByName(name: $p) { totalTokens totalCost traces(first: 5) { nodes {
			externalId totalTokens totalCost duration systemInfo { osName }
			agentCalls(first: 50) { nodes { externalId llmCallIds toolCallIds userInteractionIds } }
			llmCalls(first: 50) { nodes { id externalId } }
			toolCalls(first: 50) { nodes { id externalId } }
			userInteractions(first: 50) { nodes { id externalId } }
			errors(first: 50) { nodes { errorType llmCall { id externalId } toolCall { id externalId } agentCall { id externalId } } }
		} } }
		traces(first: 5, filter: {search: $p}) { nodes { externalId } }
	}`, map[string]any{"p": project}, &data)
	p := data.ProjectByName
	if len(p.Traces.Nodes) != 1 {
		t.Fatalf("%s holds %d traces", project, len(p.Traces.Nodes))
	}
	tr := p.Traces.Nodes[0]
	key := map[string]string{}
	for _, list := range [][]keyed{tr.LLMCalls.Nodes, tr.ToolCalls.Nodes, tr.UserInteractions.Nodes} {
		for _, k := range list {
			key[k.ID] = k.ExternalID
		}
	}
	keysOf := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = key[id]
		}
		return out
	}
	agentLists := map[string]map[string][]string{"llm": {}, "tool": {}, "ui": {}}
	for _, a := range tr.AgentCalls.Nodes {
		agentLists["llm"][a.ExternalID] = keysOf(a.LLMCallIds)
		agentLists["tool"][a.ExternalID] = keysOf(a.ToolCallIds)
		agentLists["ui"][a.ExternalID] = keysOf(a.UserInteractionIds)
	}
	var errs []string
	name := func(k *keyed) string {
		if k == nil {
			return "-"
		}
		return k.ExternalID
	}
	for _, er := range tr.Errors.Nodes {
		errs = append(errs, er.ErrorType+":"+name(er.LLMCall)+"/"+name(er.AgentCall)+"/"+name(er.ToolCall))
	}
	slices.Sort(errs)
	var hits []string
	for _, n := range data.Traces.Nodes {
		hits = append(hits, n.ExternalID)
	}
	out, err := json.Marshal(map[string]any{
		"project":    []any{p.TotalTokens, p.TotalCost},
		"trace":      []any{tr.ExternalID, tr.TotalTokens, tr.TotalCost, tr.Duration, tr.SystemInfo.OsName},
		"agentLists": agentLists,
		"calls":      slices.Sorted(maps.Values(key)),
		"errors":     errs,
		"searchHits": hits,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
