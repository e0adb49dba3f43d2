package db

import (
	"sort"
	"time"
)

// ToolCall is a row of tool_call: one invocation of a tool by an agent.
type ToolCall struct {
	ID              int64
	ProjectID       int64
	TraceID         int64
	AgentID         *int64
	Name            string
	InputParameters *string // JSON text as recorded
	Output          *string
	StartTime       time.Time
	EndTime         *time.Time
	Duration        *float64 // seconds
	MemoryUsed      *int64   // bytes; negative when memory was released
	NetworkCalls    JSON[[]NetworkCall]
	ExternalID      *string
	// AgentExternalID names the agent by external id until it is stored.
	AgentExternalID *string
}

// TableName keeps AgentNeo's table name.
func (ToolCall) TableName() string { return "tool_call" }

// Calls returns the HTTP calls the tool made, nil when none were recorded.
func (t *ToolCall) Calls() []NetworkCall {
	if !t.NetworkCalls.Valid {
		return nil
	}
	return t.NetworkCalls.V
}

// NetworkCall is one HTTP request made during a tool call.
type NetworkCall struct {
	Method          string            `json:"method,omitempty"`
	URL             string            `json:"url"`
	StatusCode      *int              `json:"status_code,omitempty"`
	Error           *string           `json:"error,omitempty"`
	StartTime       *time.Time        `json:"start_time,omitempty"`
	EndTime         *time.Time        `json:"end_time,omitempty"`
	Duration        *float64          `json:"duration,omitempty"` // seconds
	RequestHeaders  map[string]string `json:"request_headers,omitempty"`
	RequestBody     *string           `json:"request_body,omitempty"`
	ResponseHeaders map[string]string `json:"response_headers,omitempty"`
	ResponseBody    *string           `json:"response_body,omitempty"`
}

// Header is one HTTP header.
type Header struct {
	Name  string
	Value string
}

// RequestHeaderList returns the request headers sorted by name.
func (n NetworkCall) RequestHeaderList() []Header { return headerList(n.RequestHeaders) }

// ResponseHeaderList returns the response headers sorted by name.
func (n NetworkCall) ResponseHeaderList() []Header { return headerList(n.ResponseHeaders) }

func headerList(m map[string]string) []Header {
	out := make([]Header, 0, len(m))
	for k, v := range m {
		out = append(out, Header{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
