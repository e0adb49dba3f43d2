package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// awkward holds the characters and numbers a JSON writer gets wrong.
const awkward = "quote \" backslash \\ newline \n tab \t cr \r nul-ish \x01\x1f html <b>&amp; é 日本 😀 \u2028 end"

func awkwardTrace() map[string]any {
	return map[string]any{
		"project": "fast-lists", "externalId": "awkward", "startTime": "2026-03-01T10:00:00Z",
		"agentCalls": []any{map[string]any{
			"externalId": "agent", "name": awkward, "startTime": "2026-03-01T10:00:00.123456789Z",
			"llmCalls": []any{
				map[string]any{"externalId": "llm-1", "name": "chat", "model": awkward, "inputPrompt": awkward, "output": "",
					"startTime": "2026-03-01T10:00:01Z", "endTime": "2026-03-01T10:00:01.000001Z", "memoryUsed": "1125899906842623",
					"tokenUsage": map[string]any{"input": 1, "completion": 2}, "cost": map[string]any{"input": 0.1, "output": 0.2}},
				map[string]any{"externalId": "llm-2", "name": "no model", "startTime": "2026-03-01T10:00:02Z",
					"cost": map[string]any{"input": 999999.9999999999, "output": 1e-7}},
			},
			"toolCalls": []any{map[string]any{"externalId": "tool-1", "name": "search", "inputParameters": `{"q":"<x>"}`,
				"output": awkward, "startTime": "2026-03-01T10:00:03Z", "endTime": "2026-03-01T12:00:03.5Z", "memoryUsed": -4096}},
			"userInteractions": []any{map[string]any{"externalId": "ui-1", "interactionType": "input", "content": awkward, "timestamp": "2026-03-01T10:00:04Z"}},
		}},
		"errors": []any{map[string]any{"errorType": "LLM", "errorMessage": awkward, "timestamp": "2026-03-01T10:00:05Z"},
			map[string]any{"errorType": "Tool", "timestamp": "2026-03-01T10:00:06Z"}},
		"metrics": []any{
			map[string]any{"metricName": "score", "score": 0.30000000000000004, "reason": awkward,
				"resultDetail": map[string]any{"nested": []any{1, "two", nil, 3.5}}, "timestamp": "2026-03-01T10:00:07Z"},
			map[string]any{"metricName": "none", "timestamp": "2026-03-01T10:00:08Z",
				"startTime": "2026-03-01T10:00:07Z", "endTime": "2026-03-01T10:00:07.25Z", "config": map[string]any{"k": "v"}},
		},
	}
}

// newAwkwardEnv is a server over demo data and awkwardTrace, whose id it
// returns.
func newAwkwardEnv(t *testing.T, b dbtest.Backend) (*env, string) {
	t.Helper()
	scale := demo.DefaultScale()
	scale.Projects, scale.TracesPerProject = 2, 4
	e := newEnv(t, b, scale)
	var ingested struct {
		IngestTraces struct{ Traces []struct{ ID string } }
	}
	e.mustData(t, `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`,
		map[string]any{"input": []any{awkwardTrace()}}, &ingested)
	// Numbers beyond the input ranges, as a store written before them holds.
	mustNil(t, e.store.Gorm().Exec(`UPDATE llm_call SET memory_used = 9007199254740993 WHERE external_id = 'llm-1'`).Error)
	mustNil(t, e.store.Gorm().Exec(`UPDATE llm_call SET input_cost = 1e21, total_cost = 1e21 WHERE external_id = 'llm-2'`).Error)
	return e, ingested.IngestTraces.Traces[0].ID
}

// answerBothWays sends query with a shortcut turned off (gqlgen's own way)
// and on, requires the same bytes, and returns gqlgen's answer and how many
// times the shortcut was taken.
func answerBothWays(t *testing.T, e *env, query string, vars map[string]any,
	set func(on bool) (restore func()), uses func() int64) (response, int64) {
	t.Helper()
	restore := set(false)
	slow := e.do(t, query, vars)
	restore()
	before := uses()
	fast := e.do(t, query, vars)
	used := uses() - before
	if slow.status != 200 || len(slow.Errors) > 0 {
		t.Fatalf("gqlgen's answer: %d %s", slow.status, slow.body)
	}
	if !bytes.Equal(fast.body, slow.body) {
		t.Fatalf("answers differ\nshortcut: %s\ngqlgen: %s", fast.body, slow.body)
	}
	return slow, used
}

// fastListQueries select every field the fast marshaller writes of each row
// type, and the shapes it must either write exactly or decline: aliases,
// repeated fields, fragments, __typename and directives.
var fastListQueries = map[string]string{
	"every field": `query($n: Int) { projects(first: 5) { nodes { traces(first: $n) { nodes {
		agentCalls(first: 20) { nodes { __typename id databaseId externalId name startTime endTime duration llmCallIds toolCallIds userInteractionIds } }
		llmCalls(first: 20) { nodes { __typename id databaseId externalId name model inputPrompt output toolCall startTime endTime duration memoryUsed
			tokenUsage { __typename input completion reasoning total } cost { __typename input output reasoning total } } }
		toolCalls(first: 20) { nodes { __typename id databaseId externalId name inputParameters output startTime endTime duration memoryUsed } }
		userInteractions(first: 20) { nodes { __typename id databaseId externalId interactionType content timestamp } }
		errors(first: 20) { nodes { __typename id databaseId externalId errorType errorMessage timestamp } }
		metrics(first: 20) { nodes { __typename id databaseId externalId metricName score reason resultDetail config startTime endTime duration timestamp } }
	} } } } }`,
	"every field of the other lists": `query($n: Int) { projects(first: 5) { nodes { __typename id databaseId projectName startTime endTime duration totalCost totalTokens retentionDays
		metricSummaries { __typename metricName count minScore avgScore maxScore score { count p50 p90 p99 } }
		errorGroups(first: 5) { nodes { __typename fingerprint errorType normalizedMessage sampleMessage count firstSeen lastSeen affectedTraces } }
		traces(first: $n) { nodes { __typename id databaseId externalId startTime endTime duration totalCost totalTokens } }
	} } }`,
	"aliases, repeats and fragments": `query($n: Int) { projects(first: 5) { nodes { traces(first: $n) { nodes {
		llmCalls(first: 100) { nodes { first: name id name ... on LLMCall { model id } ...Calls usage: tokenUsage { total t2: total } } }
		edges: llmCalls(first: 100) { edges { node { id model } } }
	} } } } }
	fragment Calls on LLMCall { startTime cost { total } }`,
	"directives": `query($n: Int, $yes: Boolean = true) { projects(first: 5) { nodes { traces(first: $n) { nodes {
		llmCalls(first: 100) { nodes { id model @include(if: $yes) name @skip(if: $yes) } }
		toolCalls(first: 100) { nodes { ... on ToolCall @include(if: $yes) { id } } }
	} } } } }`,
	"a merged object field": `query($n: Int) { projects(first: 5) { nodes { traces(first: $n) { nodes {
		llmCalls(first: 100) { nodes { tokenUsage { input } tokenUsage { total } } }
	} } } } }`,
	"rows under another edge": `query($n: Int) { projects(first: 5) { nodes { traces(first: $n) { nodes {
		agentCalls(first: 5) { nodes { name llmCalls(first: 10) { nodes { id model trace { id } } } toolCalls(first: 10) { nodes { id name } } } }
	} } } } }`,
}

// TestFastListsWriteWhatGqlgenWrites sends every query with the fast list
// marshaller on and off and requires the same bytes, on data with awkward
// strings and numbers; it also requires that the fast path ran where it
// should, so that the comparison cannot pass by never using it.
func TestFastListsWriteWhatGqlgenWrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e, _ := newAwkwardEnv(t, b)
		for name, query := range fastListQueries {
			t.Run(name, func(t *testing.T) {
				slow, used := answerBothWays(t, e, query, map[string]any{"n": 10}, graph.SetFastLists, graph.FastListsWritten)
				if !bytes.Contains(slow.body, []byte(`nul-ish \u0001\u001F html`)) && name == "every field" {
					t.Fatalf("the awkward trace is not in the answer: %s", slow.body)
				}
				switch name {
				case "directives", "a merged object field":
					if used != 0 {
						t.Errorf("%d lists written fast; %s must go to gqlgen", used, name)
					}
				default:
					if used == 0 {
						t.Errorf("no list was written by the fast marshaller")
					}
				}
			})
		}
	})
}

// TestFieldMiddlewareSeesEveryField installs field middleware and requires
// that it runs for every field of a list of rows, which the fast writer
// would otherwise write without resolving a field.
func TestFieldMiddlewareSeesEveryField(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		if err := demo.Load(context.Background(), store, 1, demo.Scale{Projects: 1, TracesPerProject: 2, LLMCallsPerTrace: 3}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		mw := func(ctx context.Context, next graphql.Resolver) (any, error) {
			fc := graphql.GetFieldContext(ctx)
			mu.Lock()
			seen[fc.Object+"."+fc.Field.Name]++
			mu.Unlock()
			return next(ctx)
		}
		srv := httptest.NewServer(graph.NewHandler(store, graph.Options{}, mw))
		t.Cleanup(srv.Close)
		e := &env{store: store, url: srv.URL}
		before := graph.FastListsWritten()
		r := e.do(t, `{ traces(first: 2) { nodes { llmCalls(first: 5) { nodes { id name model } } } } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %v", r.Errors)
		}
		var got struct {
			Traces struct {
				Nodes []struct {
					LlmCalls struct{ Nodes []map[string]any } `json:"llmCalls"`
				}
			}
		}
		if err := json.Unmarshal(r.Data, &got); err != nil {
			t.Fatal(err)
		}
		calls := 0
		for _, tr := range got.Traces.Nodes {
			calls += len(tr.LlmCalls.Nodes)
		}
		if calls == 0 {
			t.Fatal("the demo data has no LLM calls to list")
		}
		for _, f := range []string{"LLMCall.id", "LLMCall.name", "LLMCall.model"} {
			if seen[f] != calls {
				t.Errorf("middleware saw %s %d times, want %d", f, seen[f], calls)
			}
		}
		if n := graph.FastListsWritten() - before; n != 0 {
			t.Errorf("%d lists written by the fast writer on a server with field middleware", n)
		}
	})
}
