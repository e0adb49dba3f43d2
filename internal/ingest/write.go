package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

func (s *Service) ingest(ctx context.Context, traces []Trace, path string) ([]*db.Trace, error) {
	if len(traces) > s.limits.MaxTraces {
		return nil, apperr.Invalid(path, "holds %d traces, more than the limit of %d per request", len(traces), s.limits.MaxTraces)
	}
	for i := range traces {
		if err := s.ValidateTrace(&traces[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return nil, err
		}
	}
	if err := s.CheckProjects(ctx, traces, path); err != nil {
		return nil, err
	}
	writes := make([]*db.TraceWrite, len(traces))
	for i := range traces {
		writes[i] = s.toWrite(&traces[i])
	}
	// One transaction for the whole call: every trace or none, in a number
	// of statements that does not grow with the number of traces.
	err := s.store.Transaction(ctx, func(tx *db.DB) error {
		// Projects are created in name order, so concurrent calls that
		// create the same projects take their locks in the same order.
		first := map[string]int{}
		var names []string
		for i := range traces {
			if _, ok := first[traces[i].Project]; !ok {
				first[traces[i].Project] = i
				names = append(names, traces[i].Project)
			}
		}
		slices.Sort(names)
		projects := make(map[string]int64, len(names))
		for _, name := range names {
			project, err := tx.EnsureProject(ctx, name)
			if err != nil {
				return &db.BatchError{Index: first[name], Err: err}
			}
			projects[name] = project.ID
		}
		batch := make([]db.ProjectTrace, len(traces))
		for i := range traces {
			batch[i] = db.ProjectTrace{ProjectID: projects[traces[i].Project], Write: writes[i]}
		}
		return tx.UpsertTraces(ctx, batch)
	})
	if err != nil {
		var be *db.BatchError
		if !errors.As(err, &be) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		i := be.Index
		var appErr *apperr.Error
		if errors.As(be.Err, &appErr) && appErr.Field != "" {
			// Errors found while writing name fields of this trace.
			return nil, apperr.Invalid(fmt.Sprintf("%s[%d].%s", path, i, appErr.Field), "%s", appErr.Message)
		}
		return nil, fmt.Errorf("%s[%d]: %w", path, i, be.Err)
	}
	out := make([]*db.Trace, len(traces))
	for i, w := range writes {
		out[i] = &w.Trace
	}
	return out, nil
}

// toWrite maps a validated trace to storage rows, deriving what the client
// left out: keys for re-sends, totals, durations and costs.
func (s *Service) toWrite(t *Trace) *db.TraceWrite {
	keys := keyer{trace: t.ExternalID}
	w := &db.TraceWrite{Trace: db.Trace{
		StartTime:  t.StartTime,
		EndTime:    t.EndTime,
		ExternalID: optional(t.ExternalID),
	}}
	if si := t.SystemInfo; si != nil {
		row := &db.SystemInfo{
			OsName: si.OsName, OsVersion: si.OsVersion, PythonVersion: si.PythonVersion, CPUInfo: si.CPUInfo,
			MemoryTotal: si.MemoryTotal,
		}
		if si.GPUs != nil {
			row.GPUInfo = db.NewJSON(si.GPUs)
		}
		if si.Disk != nil {
			row.DiskInfo = db.NewJSON(si.Disk)
		}
		if si.InstalledPackages != nil {
			row.InstalledPackages = db.NewJSON(si.InstalledPackages)
		}
		w.SystemInfo = row
	}
	for i, a := range t.Agents {
		scope := "agent/" + strconv.Itoa(i)
		w.Agents = append(w.Agents, db.AgentWrite{
			Agent: db.AgentCall{
				Name: a.Name, StartTime: a.StartTime, EndTime: a.EndTime,
				ExternalID: keys.of(a.ExternalID, scope),
			},
			LLMCalls:     s.llmRows(a.LLMCalls, keys, scope+"/"),
			ToolCalls:    toolRows(a.ToolCalls, keys, scope+"/"),
			Interactions: interactionRows(a.Interactions, keys, scope+"/"),
		})
	}
	w.LLMCalls = s.llmRows(t.LLMCalls, keys, "")
	w.ToolCalls = toolRows(t.ToolCalls, keys, "")
	w.Interactions = interactionRows(t.Interactions, keys, "")
	for i, e := range t.Errors {
		w.Errors = append(w.Errors, db.TraceError{
			ErrorType: e.Type, ErrorMessage: e.Message, Timestamp: e.Timestamp,
			ExternalID:         keys.of(e.ExternalID, "error/"+strconv.Itoa(i)),
			AgentExternalID:    optional(e.AgentRef),
			LLMCallExternalID:  optional(e.LLMCallRef),
			ToolCallExternalID: optional(e.ToolCallRef),
		})
	}
	for i, m := range t.Metrics {
		row := db.Metric{
			MetricName: m.Name, Score: m.Score, Reason: m.Reason,
			ResultDetail: db.RawJSON(m.ResultDetail), Config: db.RawJSON(m.Config),
			StartTime: m.StartTime, EndTime: m.EndTime, Timestamp: m.Timestamp,
			ExternalID: keys.of(m.ExternalID, "metric/"+strconv.Itoa(i)),
		}
		if m.StartTime != nil {
			row.Duration = db.SecondsBetween(*m.StartTime, m.EndTime)
		}
		w.Metrics = append(w.Metrics, row)
	}
	return w
}

func (s *Service) llmRows(calls []LLMCall, keys keyer, scope string) []db.LLMCall {
	rows := make([]db.LLMCall, len(calls))
	for i, c := range calls {
		tokens := db.TokenUsage{Input: c.Tokens.Input, Completion: c.Tokens.Completion, Reasoning: c.Tokens.Reasoning}
		tokens.Total = tokens.Input + tokens.Completion + tokens.Reasoning
		if c.Tokens.Total != nil {
			tokens.Total = *c.Tokens.Total
		}
		cost := c.Cost
		if cost == nil && c.Model != nil {
			if priced, ok := s.prices.Cost(*c.Model, c.Tokens); ok {
				cost = &priced
			}
		}
		var money db.Cost
		if cost != nil {
			money = db.Cost{Input: cost.Input, Output: cost.Output, Reasoning: cost.Reasoning}
			money.Total = money.Input + money.Output + money.Reasoning
			if cost.Total != nil {
				money.Total = *cost.Total
			}
		}
		// AgentNeo's JSON columns, kept beside the numeric ones.
		usageJSON, _ := json.Marshal(tokens)
		costJSON, _ := json.Marshal(money)
		rows[i] = db.LLMCall{
			Name: c.Name, Model: c.Model, InputPrompt: c.InputPrompt, Output: c.Output, ToolCall: c.ToolCall,
			StartTime: c.StartTime, EndTime: c.EndTime, Duration: db.SecondsBetween(c.StartTime, c.EndTime),
			MemoryUsed: c.MemoryUsed, Tokens: tokens, Cost: money,
			TokenUsageJSON: usageJSON, CostJSON: costJSON,
			ExternalID:      keys.of(c.ExternalID, scope+"llm/"+strconv.Itoa(i)),
			AgentExternalID: optional(c.AgentRef),
		}
	}
	return rows
}

func toolRows(calls []ToolCall, keys keyer, scope string) []db.ToolCall {
	rows := make([]db.ToolCall, len(calls))
	for i, c := range calls {
		rows[i] = db.ToolCall{
			Name: c.Name, InputParameters: c.InputParameters, Output: c.Output,
			StartTime: c.StartTime, EndTime: c.EndTime, Duration: db.SecondsBetween(c.StartTime, c.EndTime),
			MemoryUsed:      c.MemoryUsed,
			ExternalID:      keys.of(c.ExternalID, scope+"tool/"+strconv.Itoa(i)),
			AgentExternalID: optional(c.AgentRef),
		}
		if len(c.NetworkCalls) > 0 {
			rows[i].NetworkCalls = db.NewJSON(c.NetworkCalls)
		}
	}
	return rows
}

func interactionRows(inters []Interaction, keys keyer, scope string) []db.UserInteraction {
	rows := make([]db.UserInteraction, len(inters))
	for i, in := range inters {
		rows[i] = db.UserInteraction{
			InteractionType: in.Type, Content: in.Content, Timestamp: in.Timestamp,
			ExternalID:      keys.of(in.ExternalID, scope+"interaction/"+strconv.Itoa(i)),
			AgentExternalID: optional(in.AgentRef),
		}
	}
	return rows
}

// keyer gives entities of a keyed trace that have no key of their own one
// derived from the trace's key and their position, so re-sending the same
// trace updates them instead of adding copies. Unkeyed traces stay unkeyed.
type keyer struct{ trace string }

func (k keyer) of(given, position string) *string {
	if given != "" {
		return &given
	}
	if k.trace == "" {
		return nil
	}
	key := k.trace + "#" + position
	return &key
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
