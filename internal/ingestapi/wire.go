package ingestapi

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// The body of POST /v1/ingest, decoded by goccy/go-json (encoding/json for
// its errors) into the types below: field for field the input types of
// schema.graphqls, and copied into ingest's types by convert.go. Required
// fields are pointers here, so that a missing or null one is told from an
// empty one, and DateTime, BigInt and JSON decode as their GraphQL scalars
// do (time.Time, int64 and json.RawMessage would keep time zones, refuse
// BigInt strings and keep the client's spacing and key order).

type request struct {
	Traces []*wireTrace `json:"traces"`
}

type wireTrace struct {
	Project          *string            `json:"project"`
	ExternalID       *string            `json:"externalId"`
	StartTime        *dateTime          `json:"startTime"`
	EndTime          *dateTime          `json:"endTime"`
	SystemInfo       *wireSystemInfo    `json:"systemInfo"`
	AgentCalls       []*wireAgentCall   `json:"agentCalls"`
	LlmCalls         []*wireLLMCall     `json:"llmCalls"`
	ToolCalls        []*wireToolCall    `json:"toolCalls"`
	UserInteractions []*wireInteraction `json:"userInteractions"`
	Errors           []*wireError       `json:"errors"`
	Metrics          []*wireMetric      `json:"metrics"`
}

type wireAgentCall struct {
	ExternalID       *string            `json:"externalId"`
	Name             *string            `json:"name"`
	StartTime        *dateTime          `json:"startTime"`
	EndTime          *dateTime          `json:"endTime"`
	LlmCalls         []*wireLLMCall     `json:"llmCalls"`
	ToolCalls        []*wireToolCall    `json:"toolCalls"`
	UserInteractions []*wireInteraction `json:"userInteractions"`
}

type wireLLMCall struct {
	ExternalID          *string         `json:"externalId"`
	AgentCallExternalID *string         `json:"agentCallExternalId"`
	Name                *string         `json:"name"`
	Model               *string         `json:"model"`
	InputPrompt         *string         `json:"inputPrompt"`
	Output              *string         `json:"output"`
	ToolCall            *string         `json:"toolCall"`
	StartTime           *dateTime       `json:"startTime"`
	EndTime             *dateTime       `json:"endTime"`
	TokenUsage          *wireTokenUsage `json:"tokenUsage"`
	Cost                *wireCost       `json:"cost"`
	MemoryUsed          *bigInt         `json:"memoryUsed"`
}

type wireTokenUsage struct {
	Input      *int `json:"input"`
	Completion *int `json:"completion"`
	Reasoning  *int `json:"reasoning"`
	Total      *int `json:"total"`
}

type wireCost struct {
	Input     *float64 `json:"input"`
	Output    *float64 `json:"output"`
	Reasoning *float64 `json:"reasoning"`
	Total     *float64 `json:"total"`
}

type wireToolCall struct {
	ExternalID          *string            `json:"externalId"`
	AgentCallExternalID *string            `json:"agentCallExternalId"`
	Name                *string            `json:"name"`
	InputParameters     *string            `json:"inputParameters"`
	Output              *string            `json:"output"`
	StartTime           *dateTime          `json:"startTime"`
	EndTime             *dateTime          `json:"endTime"`
	MemoryUsed          *bigInt            `json:"memoryUsed"`
	NetworkCalls        []*wireNetworkCall `json:"networkCalls"`
}

type wireNetworkCall struct {
	Method          *string       `json:"method"`
	URL             *string       `json:"url"`
	StatusCode      *int          `json:"statusCode"`
	Error           *string       `json:"error"`
	StartTime       *dateTime     `json:"startTime"`
	EndTime         *dateTime     `json:"endTime"`
	RequestHeaders  []*wireHeader `json:"requestHeaders"`
	RequestBody     *string       `json:"requestBody"`
	ResponseHeaders []*wireHeader `json:"responseHeaders"`
	ResponseBody    *string       `json:"responseBody"`
}

type wireHeader struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type wireInteraction struct {
	ExternalID          *string   `json:"externalId"`
	AgentCallExternalID *string   `json:"agentCallExternalId"`
	InteractionType     *string   `json:"interactionType"`
	Content             *string   `json:"content"`
	Timestamp           *dateTime `json:"timestamp"`
}

type wireError struct {
	ExternalID          *string   `json:"externalId"`
	ErrorType           *string   `json:"errorType"`
	ErrorMessage        *string   `json:"errorMessage"`
	Timestamp           *dateTime `json:"timestamp"`
	AgentCallExternalID *string   `json:"agentCallExternalId"`
	LlmCallExternalID   *string   `json:"llmCallExternalId"`
	ToolCallExternalID  *string   `json:"toolCallExternalId"`
}

type wireMetric struct {
	ExternalID   *string   `json:"externalId"`
	MetricName   *string   `json:"metricName"`
	Score        *float64  `json:"score"`
	Reason       *string   `json:"reason"`
	ResultDetail jsonValue `json:"resultDetail"`
	Config       jsonValue `json:"config"`
	StartTime    *dateTime `json:"startTime"`
	EndTime      *dateTime `json:"endTime"`
	Timestamp    *dateTime `json:"timestamp"`
}

type wireSystemInfo struct {
	OsName            *string        `json:"osName"`
	OsVersion         *string        `json:"osVersion"`
	PythonVersion     *string        `json:"pythonVersion"`
	CPUInfo           *string        `json:"cpuInfo"`
	GpuInfo           []*wireGPU     `json:"gpuInfo"`
	DiskInfo          *wireDisk      `json:"diskInfo"`
	MemoryTotal       *float64       `json:"memoryTotal"`
	InstalledPackages []*wirePackage `json:"installedPackages"`
}

type wireDisk struct {
	Total     *float64 `json:"total"`
	Available *float64 `json:"available"`
}

type wireGPU struct {
	Name        *string  `json:"name"`
	MemoryTotal *float64 `json:"memoryTotal"`
}

type wirePackage struct {
	Name    *string `json:"name"`
	Version *string `json:"version"`
}

// dateTime is a DateTime: an RFC 3339 string, parsed by the GraphQL
// scalar's own function (so also kept in UTC).
type dateTime time.Time

func (d *dateTime) UnmarshalJSON(b []byte) error {
	s, ok := jsonString(b)
	if !ok {
		return apperr.New(apperr.InvalidArgument, "DateTime must be an RFC 3339 string such as 2026-01-05T09:00:00Z, got %s", clipJSON(b))
	}
	t, err := model.UnmarshalDateTime(s)
	if err != nil {
		return err
	}
	*d = dateTime(t)
	return nil
}

// bigInt is a BigInt: a JSON integer or a string of digits, read by the
// scalar's own function.
type bigInt int64

func (n *bigInt) UnmarshalJSON(b []byte) error {
	var v any // stays nil for booleans, objects and lists
	if s, ok := jsonString(b); ok {
		v = s
	} else if len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		v = json.Number(b)
	}
	if v == nil {
		return apperr.New(apperr.InvalidArgument, "BigInt must be an integer, as a JSON number or a string of digits, got %s", clipJSON(b))
	}
	i, err := model.UnmarshalBigInt(v)
	if err != nil {
		return err
	}
	*n = bigInt(i)
	return nil
}

// clipJSON shows a refused value in a message, cut if long.
func clipJSON(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// jsonValue is a JSON value of any kind, stored as the GraphQL scalar
// stores it: decoded with exact numbers and encoded again (compact, keys
// sorted), so that both ways in store the same bytes.
type jsonValue db.RawJSON

func (j *jsonValue) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	raw, err := model.UnmarshalJSON(v)
	if err != nil {
		return err
	}
	*j = jsonValue(raw)
	return nil
}

// jsonString returns the string a JSON string literal holds, without a
// second decode when it has no escapes (encoding/json validated it).
func jsonString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}
