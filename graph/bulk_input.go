package graph

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// The body of POST /v1/ingest, decoded by encoding/json straight into the
// types below: field for field the input types of schema.graphqls. They are
// not graph/model's: required fields are pointers here, so that a missing or
// null one is told from an empty one, and DateTime, BigInt and JSON decode
// as their GraphQL scalars do (model's time.Time, int64 and db.RawJSON would
// keep time zones, refuse BigInt strings and want base64).

type bulkRequest struct {
	Traces []*bulkTrace `json:"traces"`
}

type bulkTrace struct {
	Project          *string            `json:"project"`
	ExternalID       *string            `json:"externalId"`
	StartTime        *dateTime          `json:"startTime"`
	EndTime          *dateTime          `json:"endTime"`
	SystemInfo       *bulkSystemInfo    `json:"systemInfo"`
	AgentCalls       []*bulkAgentCall   `json:"agentCalls"`
	LlmCalls         []*bulkLLMCall     `json:"llmCalls"`
	ToolCalls        []*bulkToolCall    `json:"toolCalls"`
	UserInteractions []*bulkInteraction `json:"userInteractions"`
	Errors           []*bulkError       `json:"errors"`
	Metrics          []*bulkMetric      `json:"metrics"`
}

type bulkAgentCall struct {
	ExternalID       *string            `json:"externalId"`
	Name             *string            `json:"name"`
	StartTime        *dateTime          `json:"startTime"`
	EndTime          *dateTime          `json:"endTime"`
	LlmCalls         []*bulkLLMCall     `json:"llmCalls"`
	ToolCalls        []*bulkToolCall    `json:"toolCalls"`
	UserInteractions []*bulkInteraction `json:"userInteractions"`
}

// Token usage and cost have no required field and no custom scalar:
// model's types decode as they are.
type bulkLLMCall struct {
	ExternalID          *string                `json:"externalId"`
	AgentCallExternalID *string                `json:"agentCallExternalId"`
	Name                *string                `json:"name"`
	Model               *string                `json:"model"`
	InputPrompt         *string                `json:"inputPrompt"`
	Output              *string                `json:"output"`
	ToolCall            *string                `json:"toolCall"`
	StartTime           *dateTime              `json:"startTime"`
	EndTime             *dateTime              `json:"endTime"`
	TokenUsage          *model.TokenUsageInput `json:"tokenUsage"`
	Cost                *model.CostInput       `json:"cost"`
	MemoryUsed          *bigInt                `json:"memoryUsed"`
}

type bulkToolCall struct {
	ExternalID          *string            `json:"externalId"`
	AgentCallExternalID *string            `json:"agentCallExternalId"`
	Name                *string            `json:"name"`
	InputParameters     *string            `json:"inputParameters"`
	Output              *string            `json:"output"`
	StartTime           *dateTime          `json:"startTime"`
	EndTime             *dateTime          `json:"endTime"`
	MemoryUsed          *bigInt            `json:"memoryUsed"`
	NetworkCalls        []*bulkNetworkCall `json:"networkCalls"`
}

type bulkNetworkCall struct {
	Method          *string       `json:"method"`
	URL             *string       `json:"url"`
	StatusCode      *int          `json:"statusCode"`
	Error           *string       `json:"error"`
	StartTime       *dateTime     `json:"startTime"`
	EndTime         *dateTime     `json:"endTime"`
	RequestHeaders  []*bulkHeader `json:"requestHeaders"`
	RequestBody     *string       `json:"requestBody"`
	ResponseHeaders []*bulkHeader `json:"responseHeaders"`
	ResponseBody    *string       `json:"responseBody"`
}

type bulkHeader struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type bulkInteraction struct {
	ExternalID          *string   `json:"externalId"`
	AgentCallExternalID *string   `json:"agentCallExternalId"`
	InteractionType     *string   `json:"interactionType"`
	Content             *string   `json:"content"`
	Timestamp           *dateTime `json:"timestamp"`
}

type bulkError struct {
	ExternalID          *string   `json:"externalId"`
	ErrorType           *string   `json:"errorType"`
	ErrorMessage        *string   `json:"errorMessage"`
	Timestamp           *dateTime `json:"timestamp"`
	AgentCallExternalID *string   `json:"agentCallExternalId"`
	LlmCallExternalID   *string   `json:"llmCallExternalId"`
	ToolCallExternalID  *string   `json:"toolCallExternalId"`
}

type bulkMetric struct {
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

type bulkSystemInfo struct {
	OsName            *string              `json:"osName"`
	OsVersion         *string              `json:"osVersion"`
	PythonVersion     *string              `json:"pythonVersion"`
	CPUInfo           *string              `json:"cpuInfo"`
	GpuInfo           []*bulkGPU           `json:"gpuInfo"`
	DiskInfo          *model.DiskInfoInput `json:"diskInfo"`
	MemoryTotal       *float64             `json:"memoryTotal"`
	InstalledPackages []*bulkPackage       `json:"installedPackages"`
}

type bulkGPU struct {
	Name        *string  `json:"name"`
	MemoryTotal *float64 `json:"memoryTotal"`
}

type bulkPackage struct {
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
