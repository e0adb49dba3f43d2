package bench

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// The ingestTraces input as JSON, field for field as schema.graphqls names
// it. Workload (e) sends it to the API in mutations, (f) in the bodies of
// POST /v1/ingest, and their bound decodes the very same bytes and writes
// them with COPY (or multi-row INSERTs on SQLite).
type traceIn struct {
	Project          string        `json:"project"`
	ExternalID       string        `json:"externalId,omitempty"`
	StartTime        time.Time     `json:"startTime"`
	EndTime          *time.Time    `json:"endTime,omitempty"`
	SystemInfo       *systemInfoIn `json:"systemInfo,omitempty"`
	AgentCalls       []agentIn     `json:"agentCalls,omitempty"`
	LLMCalls         []llmIn       `json:"llmCalls,omitempty"`
	ToolCalls        []toolIn      `json:"toolCalls,omitempty"`
	UserInteractions []interIn     `json:"userInteractions,omitempty"`
	Errors           []errorIn     `json:"errors,omitempty"`
	Metrics          []metricIn    `json:"metrics,omitempty"`
}

type agentIn struct {
	ExternalID       string     `json:"externalId,omitempty"`
	Name             string     `json:"name"`
	StartTime        time.Time  `json:"startTime"`
	EndTime          *time.Time `json:"endTime,omitempty"`
	LLMCalls         []llmIn    `json:"llmCalls,omitempty"`
	ToolCalls        []toolIn   `json:"toolCalls,omitempty"`
	UserInteractions []interIn  `json:"userInteractions,omitempty"`
}

type llmIn struct {
	ExternalID          string     `json:"externalId,omitempty"`
	AgentCallExternalID string     `json:"agentCallExternalId,omitempty"`
	Name                string     `json:"name"`
	Model               *string    `json:"model,omitempty"`
	InputPrompt         *string    `json:"inputPrompt,omitempty"`
	Output              *string    `json:"output,omitempty"`
	ToolCall            *string    `json:"toolCall,omitempty"`
	StartTime           time.Time  `json:"startTime"`
	EndTime             *time.Time `json:"endTime,omitempty"`
	TokenUsage          *tokensIn  `json:"tokenUsage,omitempty"`
	Cost                *costIn    `json:"cost,omitempty"`
	MemoryUsed          *int64     `json:"memoryUsed,omitempty"`
}

type tokensIn struct {
	Input      int64  `json:"input"`
	Completion int64  `json:"completion"`
	Reasoning  int64  `json:"reasoning"`
	Total      *int64 `json:"total,omitempty"`
}

type costIn struct {
	Input     float64  `json:"input"`
	Output    float64  `json:"output"`
	Reasoning float64  `json:"reasoning"`
	Total     *float64 `json:"total,omitempty"`
}

type toolIn struct {
	ExternalID          string          `json:"externalId,omitempty"`
	AgentCallExternalID string          `json:"agentCallExternalId,omitempty"`
	Name                string          `json:"name"`
	InputParameters     *string         `json:"inputParameters,omitempty"`
	Output              *string         `json:"output,omitempty"`
	StartTime           time.Time       `json:"startTime"`
	EndTime             *time.Time      `json:"endTime,omitempty"`
	MemoryUsed          *int64          `json:"memoryUsed,omitempty"`
	NetworkCalls        []networkCallIn `json:"networkCalls,omitempty"`
}

type networkCallIn struct {
	Method          string     `json:"method,omitempty"`
	URL             string     `json:"url"`
	StatusCode      *int       `json:"statusCode,omitempty"`
	Error           *string    `json:"error,omitempty"`
	StartTime       *time.Time `json:"startTime,omitempty"`
	EndTime         *time.Time `json:"endTime,omitempty"`
	RequestHeaders  []headerIn `json:"requestHeaders,omitempty"`
	RequestBody     *string    `json:"requestBody,omitempty"`
	ResponseHeaders []headerIn `json:"responseHeaders,omitempty"`
	ResponseBody    *string    `json:"responseBody,omitempty"`
}

type headerIn struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type interIn struct {
	ExternalID          string    `json:"externalId,omitempty"`
	AgentCallExternalID string    `json:"agentCallExternalId,omitempty"`
	InteractionType     string    `json:"interactionType"`
	Content             *string   `json:"content,omitempty"`
	Timestamp           time.Time `json:"timestamp"`
}

type errorIn struct {
	ExternalID          string    `json:"externalId,omitempty"`
	ErrorType           string    `json:"errorType"`
	ErrorMessage        *string   `json:"errorMessage,omitempty"`
	Timestamp           time.Time `json:"timestamp"`
	AgentCallExternalID string    `json:"agentCallExternalId,omitempty"`
	LLMCallExternalID   string    `json:"llmCallExternalId,omitempty"`
	ToolCallExternalID  string    `json:"toolCallExternalId,omitempty"`
}

type metricIn struct {
	ExternalID   string          `json:"externalId,omitempty"`
	MetricName   string          `json:"metricName"`
	Score        *float64        `json:"score,omitempty"`
	Reason       *string         `json:"reason,omitempty"`
	ResultDetail json.RawMessage `json:"resultDetail,omitempty"`
	Config       json.RawMessage `json:"config,omitempty"`
	StartTime    *time.Time      `json:"startTime,omitempty"`
	EndTime      *time.Time      `json:"endTime,omitempty"`
	Timestamp    time.Time       `json:"timestamp"`
}

type systemInfoIn struct {
	OsName            *string     `json:"osName,omitempty"`
	OsVersion         *string     `json:"osVersion,omitempty"`
	PythonVersion     *string     `json:"pythonVersion,omitempty"`
	CPUInfo           *string     `json:"cpuInfo,omitempty"`
	GpuInfo           []gpuIn     `json:"gpuInfo,omitempty"`
	DiskInfo          *diskIn     `json:"diskInfo,omitempty"`
	MemoryTotal       *float64    `json:"memoryTotal,omitempty"`
	InstalledPackages []packageIn `json:"installedPackages,omitempty"`
}

type gpuIn struct {
	Name        string   `json:"name"`
	MemoryTotal *float64 `json:"memoryTotal,omitempty"`
}

type diskIn struct {
	Total     *float64 `json:"total,omitempty"`
	Available *float64 `json:"available,omitempty"`
}

type packageIn struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// keyMarker stands, in pre-encoded traces, where each request puts its own
// prefix, so that every external id it sends is new.
const keyMarker = "@@BENCHKEY@@"

// key prefixes an external id (or a reference to one) with the marker.
func key(id string) string {
	if id == "" {
		return ""
	}
	return keyMarker + id
}

// toInput converts a generated trace to the mutation's input, with every
// external id and reference marked for renaming.
func toInput(t *ingest.Trace) traceIn {
	in := traceIn{
		Project: t.Project, ExternalID: key(t.ExternalID), StartTime: t.StartTime, EndTime: t.EndTime,
		LLMCalls: llmInputs(t.LLMCalls), ToolCalls: toolInputs(t.ToolCalls), UserInteractions: interInputs(t.Interactions),
	}
	if si := t.SystemInfo; si != nil {
		s := &systemInfoIn{OsName: si.OsName, OsVersion: si.OsVersion, PythonVersion: si.PythonVersion, CPUInfo: si.CPUInfo,
			MemoryTotal: si.MemoryTotal}
		for _, g := range si.GPUs {
			s.GpuInfo = append(s.GpuInfo, gpuIn{Name: g.Name, MemoryTotal: g.Memory})
		}
		if si.Disk != nil {
			s.DiskInfo = &diskIn{Total: si.Disk.Total, Available: si.Disk.Available}
		}
		for _, name := range slices.Sorted(mapKeys(si.InstalledPackages)) {
			s.InstalledPackages = append(s.InstalledPackages, packageIn{Name: name, Version: si.InstalledPackages[name]})
		}
		in.SystemInfo = s
	}
	for _, a := range t.Agents {
		in.AgentCalls = append(in.AgentCalls, agentIn{
			ExternalID: key(a.ExternalID), Name: a.Name, StartTime: a.StartTime, EndTime: a.EndTime,
			LLMCalls: llmInputs(a.LLMCalls), ToolCalls: toolInputs(a.ToolCalls), UserInteractions: interInputs(a.Interactions),
		})
	}
	for _, e := range t.Errors {
		in.Errors = append(in.Errors, errorIn{
			ExternalID: key(e.ExternalID), ErrorType: e.Type, ErrorMessage: e.Message, Timestamp: e.Timestamp,
			AgentCallExternalID: key(e.AgentRef), LLMCallExternalID: key(e.LLMCallRef), ToolCallExternalID: key(e.ToolCallRef),
		})
	}
	for _, m := range t.Metrics {
		in.Metrics = append(in.Metrics, metricIn{
			ExternalID: key(m.ExternalID), MetricName: m.Name, Score: m.Score, Reason: m.Reason,
			ResultDetail: m.ResultDetail, Config: m.Config, StartTime: m.StartTime, EndTime: m.EndTime, Timestamp: m.Timestamp,
		})
	}
	return in
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func llmInputs(calls []ingest.LLMCall) []llmIn {
	var out []llmIn
	for _, c := range calls {
		in := llmIn{
			ExternalID: key(c.ExternalID), AgentCallExternalID: key(c.AgentRef), Name: c.Name, Model: c.Model,
			InputPrompt: c.InputPrompt, Output: c.Output, ToolCall: c.ToolCall, StartTime: c.StartTime, EndTime: c.EndTime,
			TokenUsage: &tokensIn{Input: c.Tokens.Input, Completion: c.Tokens.Completion, Reasoning: c.Tokens.Reasoning, Total: c.Tokens.Total},
			MemoryUsed: c.MemoryUsed,
		}
		if c.Cost != nil {
			in.Cost = &costIn{Input: c.Cost.Input, Output: c.Cost.Output, Reasoning: c.Cost.Reasoning, Total: c.Cost.Total}
		}
		out = append(out, in)
	}
	return out
}

func toolInputs(calls []ingest.ToolCall) []toolIn {
	var out []toolIn
	for _, c := range calls {
		in := toolIn{
			ExternalID: key(c.ExternalID), AgentCallExternalID: key(c.AgentRef), Name: c.Name,
			InputParameters: c.InputParameters, Output: c.Output, StartTime: c.StartTime, EndTime: c.EndTime, MemoryUsed: c.MemoryUsed,
		}
		for _, n := range c.NetworkCalls {
			in.NetworkCalls = append(in.NetworkCalls, networkCallIn{
				Method: n.Method, URL: n.URL, StatusCode: n.StatusCode, Error: n.Error, StartTime: n.StartTime, EndTime: n.EndTime,
				RequestHeaders: headerInputs(n.RequestHeaders), RequestBody: n.RequestBody,
				ResponseHeaders: headerInputs(n.ResponseHeaders), ResponseBody: n.ResponseBody,
			})
		}
		out = append(out, in)
	}
	return out
}

func headerInputs(h map[string]string) []headerIn {
	var out []headerIn
	for _, name := range slices.Sorted(mapKeys(h)) {
		out = append(out, headerIn{Name: name, Value: h[name]})
	}
	return out
}

func interInputs(inters []ingest.Interaction) []interIn {
	var out []interIn
	for _, in := range inters {
		out = append(out, interIn{ExternalID: key(in.ExternalID), AgentCallExternalID: key(in.AgentRef),
			InteractionType: in.Type, Content: in.Content, Timestamp: in.Timestamp})
	}
	return out
}

// callCount is what workload (e) counts as calls: agent, LLM and tool calls
// and user interactions.
func callCount(t *traceIn) int {
	n := len(t.AgentCalls) + len(t.LLMCalls) + len(t.ToolCalls) + len(t.UserInteractions)
	for _, a := range t.AgentCalls {
		n += len(a.LLMCalls) + len(a.ToolCalls) + len(a.UserInteractions)
	}
	return n
}

// ingestPool holds generated traces pre-encoded as JSON with marked
// external ids, and builds request bodies from them.
type ingestPool struct {
	traces [][]byte // one JSON object each
	calls  []int    // callCount of each
}

// ingestMutation is the request of workload (e); the answer carries the
// stored traces' ids only.
const ingestMutation = `mutation Ingest($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`

// newIngestPool generates n traces with seed (other than the loaded data's).
func newIngestPool(seed uint64, s demo.Scale, n int) (*ingestPool, error) {
	p := &ingestPool{}
	s.TracesPerProject = (n + s.Projects - 1) / max(s.Projects, 1)
	err := demo.Generate(seed, s, func(t *ingest.Trace) error {
		in := toInput(t)
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		p.traces = append(p.traces, b)
		p.calls = append(p.calls, callCount(&in))
		return nil
	})
	return p, err
}

// body appends to buf the request of (e) for the traces at idx, with
// prefix in place of the marker, and returns it with the number of calls
// it writes.
func (p *ingestPool) body(buf []byte, idx []int, prefix string) ([]byte, int) {
	buf = append(buf[:0], `{"operationName":"Ingest","query":`...)
	buf = strconv.AppendQuote(buf, ingestMutation)
	buf = append(buf, `,"variables":{"input":`...)
	buf, calls := p.appendTraces(buf, idx, prefix)
	return append(buf, "}}"...), calls
}

// plainBody is body for (f): the same traces as the body of POST
// /v1/ingest, {"traces": [...]}.
func (p *ingestPool) plainBody(buf []byte, idx []int, prefix string) ([]byte, int) {
	buf = append(buf[:0], `{"traces":`...)
	buf, calls := p.appendTraces(buf, idx, prefix)
	return append(buf, '}'), calls
}

// appendTraces appends the JSON list of the traces at idx.
func (p *ingestPool) appendTraces(buf []byte, idx []int, prefix string) ([]byte, int) {
	buf = append(buf, '[')
	calls := 0
	marker, repl := []byte(keyMarker), []byte(prefix)
	for j, i := range idx {
		if j > 0 {
			buf = append(buf, ',')
		}
		src := p.traces[i]
		for {
			k := bytes.Index(src, marker)
			if k < 0 {
				buf = append(buf, src...)
				break
			}
			buf = append(buf, src[:k]...)
			buf = append(buf, repl...)
			src = src[k+len(marker):]
		}
		calls += p.calls[i]
	}
	return append(buf, ']'), calls
}
