package graph

import (
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// The columns fastList writes of each row type: the fields gqlgen would
// read straight from the row (or compute from it alone). Anything else,
// such as edges to other rows, is left to gqlgen.

func str[T any](get func(*T) string) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendQuoted(b, get(r)), true })
}

func optStr[T any](get func(*T) *string) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptString(b, get(r)), true })
}

func integer[T any](get func(*T) int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return strconv.AppendInt(b, get(r), 10), true })
}

func optInt[T any](get func(*T) *int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptInt(b, get(r)), true })
}

func float[T any](get func(*T) float64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendFloat(b, get(r)) })
}

func optFloat[T any](get func(*T) *float64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptFloat(b, get(r)) })
}

func timestamp[T any](get func(*T) time.Time) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendTime(b, get(r)), true })
}

func optTimestamp[T any](get func(*T) *time.Time) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendOptTime(b, get(r)), true })
}

func jsonDoc[T any](get func(*T) db.RawJSON) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendRawJSON(b, get(r)), true })
}

func nodeID[T any](typeName string, get func(*T) int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendGlobalID(b, typeName, get(r)), true })
}

func nodeIDs[T any](typeName string, get func(*T) []int64) fieldSpec[T] {
	return leaf(func(b []byte, r *T) ([]byte, bool) { return appendGlobalIDs(b, typeName, get(r)), true })
}

var tokenUsageRows = &rowTable[db.TokenUsage]{typeName: "TokenUsage", fields: map[string]fieldSpec[db.TokenUsage]{
	"input":      integer(func(r *db.TokenUsage) int64 { return r.Input }),
	"completion": integer(func(r *db.TokenUsage) int64 { return r.Completion }),
	"reasoning":  integer(func(r *db.TokenUsage) int64 { return r.Reasoning }),
	"total":      integer(func(r *db.TokenUsage) int64 { return r.Total }),
}}

var costRows = &rowTable[db.Cost]{typeName: "Cost", fields: map[string]fieldSpec[db.Cost]{
	"input":     float(func(r *db.Cost) float64 { return r.Input }),
	"output":    float(func(r *db.Cost) float64 { return r.Output }),
	"reasoning": float(func(r *db.Cost) float64 { return r.Reasoning }),
	"total":     float(func(r *db.Cost) float64 { return r.Total }),
}}

func init() {
	registerRows(&rowTable[db.LLMCall]{typeName: llmCallEntity.typeName, fields: map[string]fieldSpec[db.LLMCall]{
		"id":          nodeID(llmCallEntity.typeName, func(r *db.LLMCall) int64 { return r.ID }),
		"databaseId":  integer(func(r *db.LLMCall) int64 { return r.ID }),
		"externalId":  optStr(func(r *db.LLMCall) *string { return r.ExternalID }),
		"name":        str(func(r *db.LLMCall) string { return r.Name }),
		"model":       optStr(func(r *db.LLMCall) *string { return r.Model }),
		"inputPrompt": optStr(func(r *db.LLMCall) *string { return r.InputPrompt }),
		"output":      optStr(func(r *db.LLMCall) *string { return r.Output }),
		"toolCall":    optStr(func(r *db.LLMCall) *string { return r.ToolCall }),
		"startTime":   timestamp(func(r *db.LLMCall) time.Time { return r.StartTime }),
		"endTime":     optTimestamp(func(r *db.LLMCall) *time.Time { return r.EndTime }),
		"duration":    optFloat(func(r *db.LLMCall) *float64 { return r.Duration }),
		"memoryUsed":  optInt(func(r *db.LLMCall) *int64 { return r.MemoryUsed }),
		"tokenUsage":  objectField(tokenUsageRows, func(r *db.LLMCall) *db.TokenUsage { return &r.Tokens }),
		"cost":        objectField(costRows, func(r *db.LLMCall) *db.Cost { return &r.Cost }),
	}})
	registerRows(&rowTable[db.AgentCall]{typeName: agentCallEntity.typeName, fields: map[string]fieldSpec[db.AgentCall]{
		"id":                 nodeID(agentCallEntity.typeName, func(r *db.AgentCall) int64 { return r.ID }),
		"databaseId":         integer(func(r *db.AgentCall) int64 { return r.ID }),
		"externalId":         optStr(func(r *db.AgentCall) *string { return r.ExternalID }),
		"name":               str(func(r *db.AgentCall) string { return r.Name }),
		"startTime":          timestamp(func(r *db.AgentCall) time.Time { return r.StartTime }),
		"endTime":            optTimestamp(func(r *db.AgentCall) *time.Time { return r.EndTime }),
		"duration":           optFloat(func(r *db.AgentCall) *float64 { return r.Duration() }),
		"llmCallIds":         nodeIDs(llmCallEntity.typeName, func(r *db.AgentCall) []int64 { return r.LLMCallIDs.V }),
		"toolCallIds":        nodeIDs(toolCallEntity.typeName, func(r *db.AgentCall) []int64 { return r.ToolCallIDs.V }),
		"userInteractionIds": nodeIDs(userInteractionEntity.typeName, func(r *db.AgentCall) []int64 { return r.UserInteractionIDs.V }),
	}})
	registerRows(&rowTable[db.ToolCall]{typeName: toolCallEntity.typeName, fields: map[string]fieldSpec[db.ToolCall]{
		"id":              nodeID(toolCallEntity.typeName, func(r *db.ToolCall) int64 { return r.ID }),
		"databaseId":      integer(func(r *db.ToolCall) int64 { return r.ID }),
		"externalId":      optStr(func(r *db.ToolCall) *string { return r.ExternalID }),
		"name":            str(func(r *db.ToolCall) string { return r.Name }),
		"inputParameters": optStr(func(r *db.ToolCall) *string { return r.InputParameters }),
		"output":          optStr(func(r *db.ToolCall) *string { return r.Output }),
		"startTime":       timestamp(func(r *db.ToolCall) time.Time { return r.StartTime }),
		"endTime":         optTimestamp(func(r *db.ToolCall) *time.Time { return r.EndTime }),
		"duration":        optFloat(func(r *db.ToolCall) *float64 { return r.Duration }),
		"memoryUsed":      optInt(func(r *db.ToolCall) *int64 { return r.MemoryUsed }),
	}})
	registerRows(&rowTable[db.TraceError]{typeName: traceErrorEntity.typeName, fields: map[string]fieldSpec[db.TraceError]{
		"id":           nodeID(traceErrorEntity.typeName, func(r *db.TraceError) int64 { return r.ID }),
		"databaseId":   integer(func(r *db.TraceError) int64 { return r.ID }),
		"externalId":   optStr(func(r *db.TraceError) *string { return r.ExternalID }),
		"errorType":    str(func(r *db.TraceError) string { return r.ErrorType }),
		"errorMessage": optStr(func(r *db.TraceError) *string { return r.ErrorMessage }),
		"timestamp":    timestamp(func(r *db.TraceError) time.Time { return r.Timestamp }),
	}})
	registerRows(&rowTable[db.Metric]{typeName: metricEntity.typeName, fields: map[string]fieldSpec[db.Metric]{
		"id":           nodeID(metricEntity.typeName, func(r *db.Metric) int64 { return r.ID }),
		"databaseId":   integer(func(r *db.Metric) int64 { return r.ID }),
		"externalId":   optStr(func(r *db.Metric) *string { return r.ExternalID }),
		"metricName":   str(func(r *db.Metric) string { return r.MetricName }),
		"score":        optFloat(func(r *db.Metric) *float64 { return r.Score }),
		"reason":       optStr(func(r *db.Metric) *string { return r.Reason }),
		"resultDetail": jsonDoc(func(r *db.Metric) db.RawJSON { return r.ResultDetail }),
		"config":       jsonDoc(func(r *db.Metric) db.RawJSON { return r.Config }),
		"startTime":    optTimestamp(func(r *db.Metric) *time.Time { return r.StartTime }),
		"endTime":      optTimestamp(func(r *db.Metric) *time.Time { return r.EndTime }),
		"duration":     optFloat(func(r *db.Metric) *float64 { return r.Duration }),
		"timestamp":    timestamp(func(r *db.Metric) time.Time { return r.Timestamp }),
	}})
	registerRows(&rowTable[db.UserInteraction]{typeName: userInteractionEntity.typeName, fields: map[string]fieldSpec[db.UserInteraction]{
		"id":              nodeID(userInteractionEntity.typeName, func(r *db.UserInteraction) int64 { return r.ID }),
		"databaseId":      integer(func(r *db.UserInteraction) int64 { return r.ID }),
		"externalId":      optStr(func(r *db.UserInteraction) *string { return r.ExternalID }),
		"interactionType": str(func(r *db.UserInteraction) string { return r.InteractionType }),
		"content":         optStr(func(r *db.UserInteraction) *string { return r.Content }),
		"timestamp":       timestamp(func(r *db.UserInteraction) time.Time { return r.Timestamp }),
	}})
}
