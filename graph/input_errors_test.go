package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestInputValueErrorsNameTheirPath sends values that pass GraphQL's
// variable validation but fail to unmarshal (a custom scalar's parse), at
// several depths: the error is on the field and its message starts with the
// value's full path, and nothing is written.
func TestInputValueErrorsNameTheirPath(t *testing.T) {
	e := newEnv(t, dbtest.Backends()[0], demo.Scale{})
	cases := []struct {
		name  string
		spoil func(trace map[string]any)
		at    string // the start of the message
	}{
		{"trace field", func(tr map[string]any) { tr["startTime"] = "yesterday" }, "input[1].startTime: "},
		{"nested list element", func(tr map[string]any) {
			agent := tr["agentCalls"].([]any)[0].(map[string]any)
			agent["llmCalls"].([]any)[0].(map[string]any)["endTime"] = "soon"
		}, "input[1].agentCalls[0].llmCalls[0].endTime: "},
		{"deepest list", func(tr map[string]any) {
			agent := tr["agentCalls"].([]any)[0].(map[string]any)
			tool := agent["toolCalls"].([]any)[0].(map[string]any)
			tool["networkCalls"].([]any)[0].(map[string]any)["startTime"] = 12
		}, "input[1].agentCalls[0].toolCalls[0].networkCalls[0].startTime: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			good := runningTrace(true)
			bad := runningTrace(true)
			bad["externalId"] = "run-43"
			c.spoil(bad)
			r := e.do(t, `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`, map[string]any{"input": []any{good, bad}})
			if len(r.Errors) != 1 {
				t.Fatalf("errors %+v, want one; body %.500s", r.Errors, r.body)
			}
			checkInputError(t, r.Errors[0], c.at)
		})
	}
	t.Run("inline in the document", func(t *testing.T) {
		r := e.do(t, `mutation { ingestTraces(input: [{project: "p", externalId: "x", startTime: "2026-02-01T10:00:00Z", agentCalls: [{name: "a", startTime: "never"}]}]) { traces { id } } }`, nil)
		if len(r.Errors) != 1 {
			t.Fatalf("errors %+v, want one", r.Errors)
		}
		checkInputError(t, r.Errors[0], "input[0].agentCalls[0].startTime: ")
	})
	var n int64
	mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM traces`).Scan(&n).Error)
	if n != 0 {
		t.Errorf("%d traces written by refused requests", n)
	}
}

// checkInputError checks an error is on ingestTraces and its message
// starts with at.
func checkInputError(t *testing.T, err gqlError, at string) {
	t.Helper()
	if path, _ := json.Marshal(err.Path); string(path) != `["ingestTraces"]` {
		t.Errorf("path %s, want [\"ingestTraces\"]", path)
	}
	if !strings.HasPrefix(err.Message, at) || !strings.Contains(err.Message, "DateTime") {
		t.Errorf("message %q, want it to start with %q and name DateTime", err.Message, at)
	}
}
