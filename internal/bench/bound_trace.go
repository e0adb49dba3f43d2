package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// --- (c) one trace with everything: 8 statements.

type cSystemInfo struct {
	ID                string          `json:"id"`
	OsName            *string         `json:"osName"`
	OsVersion         *string         `json:"osVersion"`
	PythonVersion     *string         `json:"pythonVersion"`
	CPUInfo           *string         `json:"cpuInfo"`
	MemoryTotal       *float64        `json:"memoryTotal"`
	GpuInfo           json.RawMessage `json:"gpuInfo"`
	DiskInfo          json.RawMessage `json:"diskInfo"`
	InstalledPackages json.RawMessage `json:"installedPackages"`
}

type cAgent struct {
	ID                 string          `json:"id"`
	ExternalID         *string         `json:"externalId"`
	Name               string          `json:"name"`
	StartTime          time.Time       `json:"startTime"`
	EndTime            *time.Time      `json:"endTime"`
	LLMCallIDs         json.RawMessage `json:"llmCallIds"`
	ToolCallIDs        json.RawMessage `json:"toolCallIds"`
	UserInteractionIDs json.RawMessage `json:"userInteractionIds"`
}

type fullTokens struct {
	Input      int64 `json:"input"`
	Completion int64 `json:"completion"`
	Reasoning  int64 `json:"reasoning"`
	Total      int64 `json:"total"`
}

type fullCost struct {
	Input     float64 `json:"input"`
	Output    float64 `json:"output"`
	Reasoning float64 `json:"reasoning"`
	Total     float64 `json:"total"`
}

type cLLM struct {
	ID          string     `json:"id"`
	ExternalID  *string    `json:"externalId"`
	Name        string     `json:"name"`
	Model       *string    `json:"model"`
	InputPrompt *string    `json:"inputPrompt"`
	Output      *string    `json:"output"`
	ToolCall    *string    `json:"toolCall"`
	StartTime   time.Time  `json:"startTime"`
	EndTime     *time.Time `json:"endTime"`
	Duration    *float64   `json:"duration"`
	MemoryUsed  *int64     `json:"memoryUsed"`
	TokenUsage  fullTokens `json:"tokenUsage"`
	Cost        fullCost   `json:"cost"`
}

type cTool struct {
	ID              string          `json:"id"`
	ExternalID      *string         `json:"externalId"`
	Name            string          `json:"name"`
	InputParameters *string         `json:"inputParameters"`
	Output          *string         `json:"output"`
	StartTime       time.Time       `json:"startTime"`
	EndTime         *time.Time      `json:"endTime"`
	Duration        *float64        `json:"duration"`
	MemoryUsed      *int64          `json:"memoryUsed"`
	NetworkCalls    json.RawMessage `json:"networkCalls"`
}

type cInteraction struct {
	ID              string    `json:"id"`
	ExternalID      *string   `json:"externalId"`
	InteractionType string    `json:"interactionType"`
	Content         *string   `json:"content"`
	Timestamp       time.Time `json:"timestamp"`
}

type cError struct {
	ID           string    `json:"id"`
	ExternalID   *string   `json:"externalId"`
	ErrorType    string    `json:"errorType"`
	ErrorMessage *string   `json:"errorMessage"`
	Timestamp    time.Time `json:"timestamp"`
}

type cMetric struct {
	ID           string          `json:"id"`
	ExternalID   *string         `json:"externalId"`
	MetricName   string          `json:"metricName"`
	Score        *float64        `json:"score"`
	Reason       *string         `json:"reason"`
	ResultDetail json.RawMessage `json:"resultDetail"`
	Config       json.RawMessage `json:"config"`
	StartTime    *time.Time      `json:"startTime"`
	EndTime      *time.Time      `json:"endTime"`
	Duration     *float64        `json:"duration"`
	Timestamp    time.Time       `json:"timestamp"`
}

type cProject struct {
	ID          string `json:"id"`
	ProjectName string `json:"projectName"`
}

type cTrace struct {
	ID               string               `json:"id"`
	ExternalID       *string              `json:"externalId"`
	StartTime        time.Time            `json:"startTime"`
	EndTime          *time.Time           `json:"endTime"`
	Duration         *float64             `json:"duration"`
	Project          cProject             `json:"project"`
	SystemInfo       *cSystemInfo         `json:"systemInfo"`
	AgentCalls       nodes[*cAgent]       `json:"agentCalls"`
	LLMCalls         nodes[*cLLM]         `json:"llmCalls"`
	ToolCalls        nodes[*cTool]        `json:"toolCalls"`
	UserInteractions nodes[*cInteraction] `json:"userInteractions"`
	Errors           nodes[*cError]       `json:"errors"`
	Metrics          nodes[*cMetric]      `json:"metrics"`
}

// rawJSON turns a scanned JSON column into a value to embed (null if NULL).
func rawJSON(b []byte) json.RawMessage {
	if b == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(b)
}

func (s *boundServer) trace(ctx context.Context, globalID string, n int) (any, error) {
	typ, traceID, ok := parseGID(globalID)
	if !ok || typ != "Trace" {
		return nil, fmt.Errorf("not a trace id: %q", globalID)
	}
	var t *cTrace
	var row cTrace
	var id, pid int64
	err := s.scanAll(ctx, s.q.trace, []any{traceID}, []any{&id, &row.ExternalID, &row.StartTime, &row.EndTime, &row.Duration,
		&pid, &row.Project.ProjectName}, func() {
		r := row
		r.ID, r.Project.ID = gid("Trace", id), gid("Project", pid)
		t = &r
	})
	if err != nil || t == nil {
		return map[string]any{"trace": t}, err
	}
	t.AgentCalls.Nodes, t.LLMCalls.Nodes, t.ToolCalls.Nodes = []*cAgent{}, []*cLLM{}, []*cTool{}
	t.UserInteractions.Nodes, t.Errors.Nodes, t.Metrics.Nodes = []*cInteraction{}, []*cError{}, []*cMetric{}
	one := []any{traceID}
	page := []any{traceID, n}
	var si cSystemInfo
	var gpu, disk, pkgs []byte
	if err := s.scanAll(ctx, s.q.systemInfo, one, []any{&id, &si.OsName, &si.OsVersion, &si.PythonVersion, &si.CPUInfo,
		&si.MemoryTotal, &gpu, &disk, &pkgs}, func() {
		r := si
		r.ID = gid("SystemInfo", id)
		r.GpuInfo, r.DiskInfo, r.InstalledPackages = rawJSON(gpu), rawJSON(disk), rawJSON(pkgs)
		t.SystemInfo = &r
	}); err != nil {
		return nil, err
	}
	var a cAgent
	var l1, l2, l3 []byte
	if err := s.scanAll(ctx, s.q.agentsFull, page, []any{&id, &a.ExternalID, &a.Name, &a.StartTime, &a.EndTime, &l1, &l2, &l3}, func() {
		r := a
		r.ID = gid("AgentCall", id)
		r.LLMCallIDs, r.ToolCallIDs, r.UserInteractionIDs = rawJSON(l1), rawJSON(l2), rawJSON(l3)
		t.AgentCalls.Nodes = append(t.AgentCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var l cLLM
	if err := s.scanAll(ctx, s.q.llmFull, page, []any{&id, &l.ExternalID, &l.Name, &l.Model, &l.InputPrompt, &l.Output, &l.ToolCall,
		&l.StartTime, &l.EndTime, &l.Duration, &l.MemoryUsed, &l.TokenUsage.Input, &l.TokenUsage.Completion, &l.TokenUsage.Reasoning,
		&l.TokenUsage.Total, &l.Cost.Input, &l.Cost.Output, &l.Cost.Reasoning, &l.Cost.Total}, func() {
		r := l
		r.ID = gid("LLMCall", id)
		t.LLMCalls.Nodes = append(t.LLMCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var tc cTool
	var net []byte
	if err := s.scanAll(ctx, s.q.toolsFull, page, []any{&id, &tc.ExternalID, &tc.Name, &tc.InputParameters, &tc.Output,
		&tc.StartTime, &tc.EndTime, &tc.Duration, &tc.MemoryUsed, &net}, func() {
		r := tc
		r.ID = gid("ToolCall", id)
		r.NetworkCalls = rawJSON(net)
		t.ToolCalls.Nodes = append(t.ToolCalls.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var in cInteraction
	if err := s.scanAll(ctx, s.q.inters, page, []any{&id, &in.ExternalID, &in.InteractionType, &in.Content, &in.Timestamp}, func() {
		r := in
		r.ID = gid("UserInteraction", id)
		t.UserInteractions.Nodes = append(t.UserInteractions.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var e cError
	if err := s.scanAll(ctx, s.q.errorsFull, page, []any{&id, &e.ExternalID, &e.ErrorType, &e.ErrorMessage, &e.Timestamp}, func() {
		r := e
		r.ID = gid("TraceError", id)
		t.Errors.Nodes = append(t.Errors.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	var m cMetric
	var detail, config []byte
	if err := s.scanAll(ctx, s.q.metricsFull, page, []any{&id, &m.ExternalID, &m.MetricName, &m.Score, &m.Reason, &detail, &config,
		&m.StartTime, &m.EndTime, &m.Duration, &m.Timestamp}, func() {
		r := m
		r.ID = gid("Metric", id)
		r.ResultDetail, r.Config = rawJSON(detail), rawJSON(config)
		t.Metrics.Nodes = append(t.Metrics.Nodes, &r)
	}); err != nil {
		return nil, err
	}
	return map[string]any{"trace": t}, nil
}
