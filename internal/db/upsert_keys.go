package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// checkBatchKeys fails when an external id of a trace of the round names an
// entity of another trace, stored or in the same round: keys are unique per
// project, and an entity never moves between traces. One statement covers
// every entity type and project. It returns the traces with stored calls
// or interactions that the round updates, whose searched texts may change.
func (d *DB) checkBatchKeys(ctx context.Context, ts []*roundTrace) ([]int64, error) {
	tables := []string{"agent_call", "llm_call", "tool_call", "user_interactions", "errors", "metrics"}
	type owner struct {
		trace int64
		index int
	}
	type entityKey struct {
		table   string
		project int64
		key     string
	}
	owners := map[entityKey]owner{}
	// keys[table][project] lists the keys to look up.
	keys := map[string]map[int64][]string{}
	var conflict *BatchError
	add := func(t *roundTrace, table string, key *string) {
		if key == nil || conflict != nil {
			return
		}
		k := entityKey{table, t.projectID, *key}
		if o, ok := owners[k]; ok {
			if o.trace != t.w.Trace.ID {
				conflict = &BatchError{Index: t.index, Err: keyTaken(*key, table)}
			}
			return
		}
		owners[k] = owner{t.w.Trace.ID, t.index}
		if keys[table] == nil {
			keys[table] = map[int64][]string{}
		}
		keys[table][t.projectID] = append(keys[table][t.projectID], *key)
	}
	addCalls := func(t *roundTrace, llm []LLMCall, tools []ToolCall, inters []UserInteraction) {
		for i := range llm {
			add(t, "llm_call", llm[i].ExternalID)
		}
		for i := range tools {
			add(t, "tool_call", tools[i].ExternalID)
		}
		for i := range inters {
			add(t, "user_interactions", inters[i].ExternalID)
		}
	}
	for _, t := range ts {
		w := t.w
		for i := range w.Agents {
			a := &w.Agents[i]
			add(t, "agent_call", a.Agent.ExternalID)
			addCalls(t, a.LLMCalls, a.ToolCalls, a.Interactions)
		}
		addCalls(t, w.LLMCalls, w.ToolCalls, w.Interactions)
		for i := range w.Errors {
			add(t, "errors", w.Errors[i].ExternalID)
		}
		for i := range w.Metrics {
			add(t, "metrics", w.Metrics[i].ExternalID)
		}
	}
	if conflict != nil {
		return nil, conflict
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var parts []string
	var args []any
	for _, table := range tables {
		projects := make([]int64, 0, len(keys[table]))
		for p := range keys[table] {
			projects = append(projects, p)
		}
		slices.Sort(projects)
		for _, p := range projects {
			in, arg := d.inStrings("external_id", keys[table][p])
			parts = append(parts, fmt.Sprintf(`SELECT '%s' AS kind, project_id AS project, external_id AS key, trace_id AS trace FROM %s WHERE project_id = ? AND %s`, table, table, in))
			args = append(args, p, arg)
		}
	}
	var found []struct {
		Kind    string
		Project int64
		Key     string
		Trace   int64
	}
	if err := d.conn(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&found).Error; err != nil {
		return nil, fmt.Errorf("check external ids: %w", err)
	}
	var updated []int64
	for _, f := range found {
		o, ok := owners[entityKey{f.Kind, f.Project, f.Key}]
		if ok && o.trace != f.Trace {
			if conflict == nil || o.index < conflict.Index {
				conflict = &BatchError{Index: o.index, Err: keyTaken(f.Key, f.Kind)}
			}
		}
		if f.Kind == "llm_call" || f.Kind == "tool_call" || f.Kind == "user_interactions" {
			updated = append(updated, f.Trace)
		}
	}
	if conflict != nil {
		return nil, conflict
	}
	return updated, nil
}

// rowNames are how messages to clients name the rows of each table: table
// names are the store's business, not the client's.
var rowNames = map[string]string{
	"agent_call": "an agent call", "llm_call": "an LLM call", "tool_call": "a tool call",
	"user_interactions": "a user interaction", "errors": "an error", "metrics": "a metric",
}

func keyTaken(key, table string) error {
	name, ok := rowNames[table]
	if !ok {
		name = "another row"
	}
	return apperr.Invalid("externalId", "%q already names %s in another trace of this project; external ids are unique per project", key, name)
}
