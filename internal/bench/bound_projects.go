package bench

import (
	"context"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// --- (a) projects with their first traces: 2 statements.

type aTrace struct {
	ID        string     `json:"id"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
	Duration  *float64   `json:"duration"`
}

type aProject struct {
	ID          string         `json:"id"`
	ProjectName string         `json:"projectName"`
	StartTime   *time.Time     `json:"startTime"`
	EndTime     *time.Time     `json:"endTime"`
	Duration    *float64       `json:"duration"`
	TotalCost   float64        `json:"totalCost"`
	TotalTokens int64          `json:"totalTokens"`
	Traces      nodes[*aTrace] `json:"traces"`
}

func (s *boundServer) projectList(ctx context.Context, n int) (any, error) {
	var list []*aProject
	byID := map[int64]*aProject{}
	var ids []int64
	var id int64
	var p aProject
	err := s.scanAll(ctx, s.q.projects, nil,
		[]any{&id, &p.ProjectName, &p.StartTime, &p.EndTime, &p.Duration, &p.TotalCost, &p.TotalTokens}, func() {
			row := p
			row.ID = gid("Project", id)
			row.Traces.Nodes = []*aTrace{}
			list = append(list, &row)
			byID[id] = &row
			ids = append(ids, id)
		})
	if err != nil || len(ids) == 0 {
		return map[string]any{"projects": nodes[*aProject]{Nodes: list}}, err
	}
	q, args := s.q.tracesOfProjects, []any{s.raw.idsArg(ids), n}
	if s.raw.dialect != db.Postgres {
		// SQLite: one index range per project, glued into one statement.
		parts := make([]string, len(ids))
		args = args[:0]
		for i, pid := range ids {
			parts[i] = `SELECT * FROM (SELECT project_id, id, start_time, end_time, duration FROM traces
				WHERE project_id = ? ORDER BY start_time DESC, id DESC LIMIT ?)`
			args = append(args, pid, n)
		}
		q = strings.Join(parts, " UNION ALL ")
	}
	var pid int64
	var t aTrace
	var tid int64
	err = s.scanAll(ctx, q, args, []any{&pid, &tid, &t.StartTime, &t.EndTime, &t.Duration}, func() {
		row := t
		row.ID = gid("Trace", tid)
		if p := byID[pid]; p != nil {
			p.Traces.Nodes = append(p.Traces.Nodes, &row)
		}
	})
	return map[string]any{"projects": nodes[*aProject]{Nodes: list}}, err
}

// --- (b) a project's 50 newest traces with their calls: 6 statements.

type bAgent struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
}

type tokens struct {
	Input      int64 `json:"input"`
	Completion int64 `json:"completion"`
	Total      int64 `json:"total"`
}

type totalCost struct {
	Total float64 `json:"total"`
}

type bLLM struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Model      *string    `json:"model"`
	StartTime  time.Time  `json:"startTime"`
	EndTime    *time.Time `json:"endTime"`
	Duration   *float64   `json:"duration"`
	TokenUsage tokens     `json:"tokenUsage"`
	Cost       totalCost  `json:"cost"`
}

type bTool struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	StartTime time.Time  `json:"startTime"`
	EndTime   *time.Time `json:"endTime"`
	Duration  *float64   `json:"duration"`
}

type bError struct {
	ID           string    `json:"id"`
	ErrorType    string    `json:"errorType"`
	ErrorMessage *string   `json:"errorMessage"`
	Timestamp    time.Time `json:"timestamp"`
}

type bMetric struct {
	ID         string    `json:"id"`
	MetricName string    `json:"metricName"`
	Score      *float64  `json:"score"`
	Timestamp  time.Time `json:"timestamp"`
}

type bTrace struct {
	ID         string          `json:"id"`
	StartTime  time.Time       `json:"startTime"`
	EndTime    *time.Time      `json:"endTime"`
	Duration   *float64        `json:"duration"`
	AgentCalls nodes[*bAgent]  `json:"agentCalls"`
	LLMCalls   nodes[*bLLM]    `json:"llmCalls"`
	ToolCalls  nodes[*bTool]   `json:"toolCalls"`
	Errors     nodes[*bError]  `json:"errors"`
	Metrics    nodes[*bMetric] `json:"metrics"`
}

type bProject struct {
	ID          string         `json:"id"`
	ProjectName string         `json:"projectName"`
	Traces      nodes[*bTrace] `json:"traces"`
}

func (s *boundServer) projectTraces(ctx context.Context, project string, n int) (any, error) {
	var p *bProject
	byID := map[int64]*bTrace{}
	var ids []int64
	var pid, tid int64
	var name string
	var t bTrace
	err := s.scanAll(ctx, s.q.projectTraces, []any{project, n},
		[]any{&pid, &name, &tid, &t.StartTime, &t.EndTime, &t.Duration}, func() {
			if p == nil {
				p = &bProject{ID: gid("Project", pid), ProjectName: name, Traces: nodes[*bTrace]{Nodes: []*bTrace{}}}
			}
			row := &bTrace{ID: gid("Trace", tid), StartTime: t.StartTime, EndTime: t.EndTime, Duration: t.Duration,
				AgentCalls: nodes[*bAgent]{Nodes: []*bAgent{}}, LLMCalls: nodes[*bLLM]{Nodes: []*bLLM{}},
				ToolCalls: nodes[*bTool]{Nodes: []*bTool{}}, Errors: nodes[*bError]{Nodes: []*bError{}},
				Metrics: nodes[*bMetric]{Nodes: []*bMetric{}}}
			p.Traces.Nodes = append(p.Traces.Nodes, row)
			byID[tid] = row
			ids = append(ids, tid)
		})
	if err != nil || p == nil {
		return map[string]any{"projectByName": p}, err
	}
	arg := []any{s.raw.idsArg(ids)}
	var owner, id int64
	var a bAgent
	if err := s.scanAll(ctx, s.q.agents, arg, []any{&owner, &id, &a.Name, &a.StartTime, &a.EndTime}, func() {
		row := a
		row.ID = gid("AgentCall", id)
		byID[owner].AgentCalls.Nodes = append(byID[owner].AgentCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var l bLLM
	if err := s.scanAll(ctx, s.q.llm, arg, []any{&owner, &id, &l.Name, &l.Model, &l.StartTime, &l.EndTime, &l.Duration,
		&l.TokenUsage.Input, &l.TokenUsage.Completion, &l.TokenUsage.Total, &l.Cost.Total}, func() {
		row := l
		row.ID = gid("LLMCall", id)
		byID[owner].LLMCalls.Nodes = append(byID[owner].LLMCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var tc bTool
	if err := s.scanAll(ctx, s.q.tools, arg, []any{&owner, &id, &tc.Name, &tc.StartTime, &tc.EndTime, &tc.Duration}, func() {
		row := tc
		row.ID = gid("ToolCall", id)
		byID[owner].ToolCalls.Nodes = append(byID[owner].ToolCalls.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var e bError
	if err := s.scanAll(ctx, s.q.errors, arg, []any{&owner, &id, &e.ErrorType, &e.ErrorMessage, &e.Timestamp}, func() {
		row := e
		row.ID = gid("TraceError", id)
		byID[owner].Errors.Nodes = append(byID[owner].Errors.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	var m bMetric
	if err := s.scanAll(ctx, s.q.metric, arg, []any{&owner, &id, &m.MetricName, &m.Score, &m.Timestamp}, func() {
		row := m
		row.ID = gid("Metric", id)
		byID[owner].Metrics.Nodes = append(byID[owner].Metrics.Nodes, &row)
	}); err != nil {
		return nil, err
	}
	return map[string]any{"projectByName": p}, nil
}
