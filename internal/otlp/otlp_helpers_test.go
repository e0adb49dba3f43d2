package otlp_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/otlp"
)

const (
	protobufType = "application/x-protobuf"
	jsonType     = "application/json"
)

// server runs the OTLP receiver and the GraphQL API on one store.
func server(t *testing.T, store *db.DB) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/v1/traces", otlp.NewHandler(ingest.New(store, ingest.Options{}), otlp.Options{}))
	mux.Handle("/graphql", graph.NewHandler(store, graph.DefaultOptions()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// query runs a GraphQL query and decodes its data into out.
func query(t *testing.T, srv *httptest.Server, q string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("graphql errors: %+v", res.Errors)
	}
	if err := json.Unmarshal(res.Data, out); err != nil {
		t.Fatal(err)
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func post(t *testing.T, srv *httptest.Server, contentType, encoding string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func postProto(t *testing.T, srv *httptest.Server, req *coltracepb.ExportTraceServiceRequest) *coltracepb.ExportTraceServiceResponse {
	t.Helper()
	body, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	a := post(t, srv, protobufType, "", body)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != protobufType {
		t.Fatalf("status %d, type %q: %q", a.status, a.header.Get("Content-Type"), a.body)
	}
	resp := &coltracepb.ExportTraceServiceResponse{}
	if err := proto.Unmarshal(a.body, resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type counts map[string]int64

func countRows(t *testing.T, store *db.DB) counts {
	t.Helper()
	out := counts{}
	for _, table := range []string{"project_info", "traces", "system_info", "agent_call", "llm_call", "tool_call", "errors"} {
		var n int64
		if err := store.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// Hand-built spans with fixed ids.

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ms(n int) uint64 { return uint64(t0.Add(time.Duration(n) * time.Millisecond).UnixNano()) }

func id(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func kv(k string, v any) *commonpb.KeyValue {
	switch v := v.(type) {
	case string:
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
	case int:
		return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(v)}}}
	}
	panic(fmt.Sprintf("kv %T", v))
}

func span(trace, spanID, parent byte, name string, start, end int, attrs ...*commonpb.KeyValue) *tracepb.Span {
	s := &tracepb.Span{TraceId: id(trace, 16), SpanId: id(spanID, 8), Name: name,
		StartTimeUnixNano: ms(start), EndTimeUnixNano: ms(end), Attributes: attrs}
	if parent != 0 {
		s.ParentSpanId = id(parent, 8)
	}
	return s
}

func export(service string, spans ...*tracepb.Span) *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", service), kv("os.type", "linux")}},
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: &commonpb.InstrumentationScope{Name: "test"},
			Spans: spans,
		}},
	}}}
}

// agentTree is one agent with a chain, an LLM call under the chain and a
// failing tool call; the spans are returned in export order.
func agentTree(trace byte) (agent, chain, llm, tool *tracepb.Span) {
	agent = span(trace, 1, 0, "invoke_agent researcher", 0, 1000,
		kv("gen_ai.operation.name", "invoke_agent"), kv("gen_ai.agent.name", "researcher"))
	chain = span(trace, 2, 1, "plan", 10, 500, kv("openinference.span.kind", "CHAIN"))
	llm = span(trace, 3, 2, "ChatOpenAI", 20, 400, kv("openinference.span.kind", "LLM"),
		kv("llm.model_name", "gpt-4o-mini"), kv("llm.token_count.prompt", 2000), kv("llm.token_count.completion", 100),
		kv("input.value", "what is OTLP?"), kv("output.value", "a protocol"))
	tool = span(trace, 4, 1, "execute_tool fetch", 600, 900,
		kv("gen_ai.operation.name", "execute_tool"), kv("gen_ai.tool.name", "fetch"), kv("gen_ai.tool.call.arguments", `{"url":"x"}`))
	tool.Events = []*tracepb.Span_Event{{Name: "exception", TimeUnixNano: ms(890), Attributes: []*commonpb.KeyValue{
		kv("exception.type", "HTTPError"), kv("exception.message", "404")}}}
	tool.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "404"}
	return agent, chain, llm, tool
}

type projectData struct {
	ProjectByName struct {
		Traces struct {
			TotalCount int
			Nodes      []struct {
				StartTime  time.Time
				EndTime    *time.Time
				SystemInfo *struct{ OsName, OsVersion, PythonVersion, CPUInfo *string }
				AgentCalls struct {
					Nodes []struct {
						Name      string
						LLMCalls  struct{ TotalCount int }
						ToolCalls struct {
							TotalCount int
						}
					}
				}
				LLMCalls struct {
					Nodes []struct {
						Name, Model         string
						InputPrompt, Output *string
						TokenUsage          struct{ Input, Completion, Reasoning, Total int64 }
						Cost                struct{ Input, Output, Total float64 }
						AgentCall           *struct{ Name string }
					}
				}
				ToolCalls struct {
					Nodes []struct {
						Name            string
						InputParameters *string
						AgentCall       *struct{ Name string }
						Errors          struct{ TotalCount int }
					}
				}
				Errors struct {
					Nodes []struct {
						ErrorType, ErrorMessage string
						ToolCall                *struct{ Name string }
						AgentCall               *struct{ Name string }
					}
				}
			}
		}
	}
}

const projectQuery = `{ projectByName(name: %q) { traces { totalCount nodes {
  startTime endTime systemInfo { osName osVersion pythonVersion cpuInfo }
  agentCalls { nodes { name llmCalls { totalCount } toolCalls { totalCount } } }
  llmCalls { nodes { name model inputPrompt output tokenUsage { input completion reasoning total } cost { input output total } agentCall { name } } }
  toolCalls { nodes { name inputParameters agentCall { name } errors { totalCount } } }
  errors { nodes { errorType errorMessage toolCall { name } agentCall { name } } }
} } } }`

func readProject(t *testing.T, srv *httptest.Server, name string) projectData {
	t.Helper()
	var d projectData
	query(t, srv, fmt.Sprintf(projectQuery, name), &d)
	return d
}
