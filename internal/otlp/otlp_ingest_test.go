package otlp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

func TestOTLP(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		srv := server(t, store)

		t.Run("SDKExporter", func(t *testing.T) { testSDKExporter(t, srv) })
		t.Run("Replay", func(t *testing.T) { testReplay(t, srv, store) })
		t.Run("SplitExports", func(t *testing.T) { testSplitExports(t, srv, store) })
		t.Run("JSONAndGzip", func(t *testing.T) { testJSONAndGzip(t, srv, store) })
		t.Run("PartialSuccess", func(t *testing.T) { testPartialSuccess(t, srv) })
		t.Run("BadRequests", func(t *testing.T) { testBadRequests(t, srv) })
		t.Run("ConcurrentExports", func(t *testing.T) { testConcurrentExports(t, srv) })
		t.Run("DatabaseUnavailable", func(t *testing.T) {
			closed := dbtest.MustOpen(t, b)
			srv := server(t, closed)
			if err := closed.Close(); err != nil {
				t.Fatal(err)
			}
			testUnavailable(t, srv)
		})
	})
}

// testSDKExporter sends real spans through the OpenTelemetry Go SDK.
func testSDKExporter(t *testing.T, srv *httptest.Server) {
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", "sdk-app"),
		attribute.String("os.type", "linux"), attribute.String("os.version", "6.8.0"),
		attribute.String("process.runtime.name", "go"), attribute.String("process.runtime.version", "go1.26"),
		attribute.String("host.arch", "amd64"))
	// A syncer exports each span as it ends: the calls reach the server
	// before their agent, in exports of their own.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	defer func() { _ = tp.Shutdown(ctx) }()
	tracer := tp.Tracer("otlp-test")

	ctx, agent := tracer.Start(ctx, "invoke_agent planner", trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "invoke_agent"), attribute.String("gen_ai.agent.name", "planner")))
	_, llm := tracer.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o-mini"), attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		attribute.Int("gen_ai.usage.input_tokens", 1000), attribute.Int("gen_ai.usage.output_tokens", 500),
		attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"plan a trip"}]}]`),
		attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"ok"}]}]`)))
	llm.End()
	_, tool := tracer.Start(ctx, "execute_tool web_search", trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "execute_tool"), attribute.String("gen_ai.tool.name", "web_search"),
		attribute.String("gen_ai.tool.call.arguments", `{"query":"flights"}`)))
	tool.RecordError(errors.New("search backend timed out"))
	tool.SetStatus(codes.Error, "search backend timed out")
	tool.End()
	agent.End()
	if err := tp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}

	d := readProject(t, srv, "sdk-app")
	traces := d.ProjectByName.Traces
	if traces.TotalCount != 1 {
		t.Fatalf("got %d traces, want 1", traces.TotalCount)
	}
	tr := traces.Nodes[0]
	if si := tr.SystemInfo; si == nil || *si.OsName != "linux" || *si.OsVersion != "6.8.0" || *si.PythonVersion != "go go1.26" || *si.CPUInfo != "amd64" {
		t.Errorf("system info %+v", tr.SystemInfo)
	}
	if len(tr.AgentCalls.Nodes) != 1 || tr.AgentCalls.Nodes[0].Name != "planner" ||
		tr.AgentCalls.Nodes[0].LLMCalls.TotalCount != 1 || tr.AgentCalls.Nodes[0].ToolCalls.TotalCount != 1 {
		t.Fatalf("agents %+v", tr.AgentCalls.Nodes)
	}
	if len(tr.LLMCalls.Nodes) != 1 {
		t.Fatalf("llm calls %+v", tr.LLMCalls.Nodes)
	}
	c := tr.LLMCalls.Nodes[0]
	if c.Name != "chat gpt-4o-mini" || c.Model != "gpt-4o-mini-2024-07-18" || c.AgentCall == nil || c.AgentCall.Name != "planner" {
		t.Errorf("llm call %+v", c)
	}
	if c.TokenUsage.Input != 1000 || c.TokenUsage.Completion != 500 || c.TokenUsage.Total != 1500 {
		t.Errorf("tokens %+v", c.TokenUsage)
	}
	// gpt-4o-mini: 0.15 USD per million input tokens, 0.60 per million output.
	if want := 1000*0.15/1e6 + 500*0.60/1e6; math.Abs(c.Cost.Total-want) > 1e-9 || c.Cost.Total == 0 {
		t.Errorf("cost %+v, want total %v", c.Cost, want)
	}
	if c.InputPrompt == nil || !strings.Contains(*c.InputPrompt, "plan a trip") || c.Output == nil || !strings.Contains(*c.Output, "assistant") {
		t.Errorf("prompt %v, output %v", c.InputPrompt, c.Output)
	}
	if len(tr.ToolCalls.Nodes) != 1 || tr.ToolCalls.Nodes[0].Name != "web_search" || tr.ToolCalls.Nodes[0].AgentCall == nil ||
		*tr.ToolCalls.Nodes[0].InputParameters != `{"query":"flights"}` || tr.ToolCalls.Nodes[0].Errors.TotalCount != 1 {
		t.Errorf("tool calls %+v", tr.ToolCalls.Nodes)
	}
	if len(tr.Errors.Nodes) != 1 {
		t.Fatalf("errors %+v", tr.Errors.Nodes)
	}
	e := tr.Errors.Nodes[0]
	if e.ErrorType != "Tool" || e.ErrorMessage != "*errors.errorString: search backend timed out" ||
		e.ToolCall == nil || e.ToolCall.Name != "web_search" || e.AgentCall == nil || e.AgentCall.Name != "planner" {
		t.Errorf("error %+v", e)
	}
	if tr.EndTime == nil || tr.EndTime.Before(tr.StartTime) {
		t.Errorf("trace from %v to %v", tr.StartTime, tr.EndTime)
	}
}

// testReplay sends the same protobuf export twice.
func testReplay(t *testing.T, srv *httptest.Server, store *db.DB) {
	agent, chain, llm, tool := agentTree(0x21)
	req := export("replay", agent, chain, llm, tool)
	before := countRows(t, store)
	if resp := postProto(t, srv, req); resp.PartialSuccess != nil {
		t.Fatalf("partial success %v", resp.PartialSuccess)
	}
	first := countRows(t, store)
	want := counts{"project_info": 1, "traces": 1, "system_info": 1, "agent_call": 1, "llm_call": 1, "tool_call": 1, "errors": 1}
	for table, n := range want {
		if first[table]-before[table] != n {
			t.Errorf("%s: %d new rows, want %d", table, first[table]-before[table], n)
		}
	}
	postProto(t, srv, req)
	if again := countRows(t, store); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("replay changed row counts: %v, then %v", first, again)
	}

	d := readProject(t, srv, "replay")
	tr := d.ProjectByName.Traces.Nodes[0]
	if !tr.StartTime.Equal(t0) || tr.EndTime == nil || !tr.EndTime.Equal(t0.Add(time.Second)) {
		t.Errorf("trace from %v to %v", tr.StartTime, tr.EndTime)
	}
	c := tr.LLMCalls.Nodes[0]
	if c.Model != "gpt-4o-mini" || c.AgentCall == nil || c.AgentCall.Name != "researcher" || c.TokenUsage.Input != 2000 ||
		*c.InputPrompt != "what is OTLP?" || c.Cost.Total == 0 {
		t.Errorf("llm call under a chain span %+v", c)
	}
	if e := tr.Errors.Nodes[0]; e.ErrorType != "Tool" || e.ErrorMessage != "HTTPError: 404" || e.ToolCall == nil || e.ToolCall.Name != "fetch" {
		t.Errorf("error %+v", e)
	}
}

// testSplitExports sends one trace in two exports, the calls before their agent.
func testSplitExports(t *testing.T, srv *httptest.Server, store *db.DB) {
	agent, chain, llm, tool := agentTree(0x31)
	before := countRows(t, store)
	postProto(t, srv, export("split", chain, llm)) // the LLM call's agent is the chain's parent
	postProto(t, srv, export("split", tool))       // the tool call's parent is its agent
	postProto(t, srv, export("split", agent))
	after := countRows(t, store)
	if after["traces"]-before["traces"] != 1 || after["agent_call"]-before["agent_call"] != 1 ||
		after["llm_call"]-before["llm_call"] != 1 || after["tool_call"]-before["tool_call"] != 1 {
		t.Errorf("rows before %v, after %v", before, after)
	}
	d := readProject(t, srv, "split")
	if d.ProjectByName.Traces.TotalCount != 1 {
		t.Fatalf("got %d traces, want 1", d.ProjectByName.Traces.TotalCount)
	}
	tr := d.ProjectByName.Traces.Nodes[0]
	// The trace spans every export: from the agent's start to its end.
	if !tr.StartTime.Equal(t0) || tr.EndTime == nil || !tr.EndTime.Equal(t0.Add(time.Second)) {
		t.Errorf("trace from %v to %v", tr.StartTime, tr.EndTime)
	}
	if a := tr.AgentCalls.Nodes; len(a) != 1 || a[0].LLMCalls.TotalCount != 1 || a[0].ToolCalls.TotalCount != 1 {
		t.Errorf("agent %+v", a)
	}
	if c := tr.LLMCalls.Nodes; len(c) != 1 || c[0].AgentCall == nil || c[0].AgentCall.Name != "researcher" {
		t.Errorf("llm calls %+v", c)
	}
	if c := tr.ToolCalls.Nodes; len(c) != 1 || c[0].AgentCall == nil || c[0].AgentCall.Name != "researcher" {
		t.Errorf("tool calls %+v", c)
	}
	if e := tr.Errors.Nodes; len(e) != 1 || e[0].AgentCall == nil || e[0].AgentCall.Name != "researcher" {
		t.Errorf("errors %+v", e)
	}
}

// testJSONAndGzip sends OTLP/JSON with hex ids, gzipped, then the same spans
// as protobuf: the ids agree, so nothing new is created.
func testJSONAndGzip(t *testing.T, srv *httptest.Server, store *db.DB) {
	const body = `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-app"}}]},
	 "scopeSpans":[{"scope":{"name":"manual"},"spans":[{
	  "traceId":"4142434445464748494A4B4C4D4E4F50","spanId":"5152535455565758","parentSpanId":"",
	  "name":"chat claude","kind":3,"startTimeUnixNano":"1772366400000000000","endTimeUnixNano":"1772366401500000000",
	  "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
	   {"key":"gen_ai.request.model","value":{"stringValue":"some-unpriced-model"}},
	   {"key":"gen_ai.usage.input_tokens","value":{"intValue":"42"}},
	   {"key":"gen_ai.usage.output_tokens","value":{"intValue":7}},
	   {"key":"gen_ai.usage.cost","value":{"doubleValue":0.5}}],
	  "status":{"code":2,"message":"overloaded"}}]}]}]}`
	a := post(t, srv, jsonType, "gzip", gzipped(t, []byte(body)))
	if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), jsonType) {
		t.Fatalf("status %d, type %q: %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	resp := &coltracepb.ExportTraceServiceResponse{}
	if err := protojson.Unmarshal(a.body, resp); err != nil || resp.PartialSuccess != nil {
		t.Fatalf("response %s: %v", a.body, err)
	}
	var stored []string
	if err := store.Gorm().Raw("SELECT t.external_id FROM traces t JOIN project_info p ON p.id = t.project_id WHERE p.project_name = 'json-app'").
		Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0] != "4142434445464748494a4b4c4d4e4f50" {
		t.Errorf("trace external ids %v", stored)
	}

	before := countRows(t, store)
	same := &tracepb.Span{TraceId: []byte("ABCDEFGHIJKLMNOP"), SpanId: []byte("QRSTUVWX"), Name: "chat claude",
		StartTimeUnixNano: 1772366400000000000, EndTimeUnixNano: 1772366401500000000,
		Attributes: []*commonpb.KeyValue{kv("gen_ai.operation.name", "chat"), kv("gen_ai.request.model", "some-unpriced-model"),
			kv("gen_ai.usage.input_tokens", 42), kv("gen_ai.usage.output_tokens", 7), kv("gen_ai.usage.cost", "0.5")},
		Status: &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "overloaded"}}
	postProto(t, srv, &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", "json-app")}},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{same}}},
	}}})
	if after := countRows(t, store); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the protobuf copy of a JSON span added rows: %v, then %v", before, after)
	}

	d := readProject(t, srv, "json-app")
	tr := d.ProjectByName.Traces.Nodes[0]
	c := tr.LLMCalls.Nodes[0]
	if c.Model != "some-unpriced-model" || c.TokenUsage.Input != 42 || c.TokenUsage.Completion != 7 || c.Cost.Total != 0.5 {
		t.Errorf("llm call %+v", c)
	}
	if len(tr.Errors.Nodes) != 1 || tr.Errors.Nodes[0].ErrorType != "LLM" || tr.Errors.Nodes[0].ErrorMessage != "overloaded" {
		t.Errorf("errors %+v", tr.Errors.Nodes)
	}
}

// testConcurrentExports sends spans of one trace from several clients at once.
func testConcurrentExports(t *testing.T, srv *httptest.Server) {
	const n = 8
	agent := span(0x61, 1, 0, "invoke_agent a", 0, 1000, kv("gen_ai.operation.name", "invoke_agent"))
	errs := make(chan error, n+1)
	send := func(s *tracepb.Span) {
		body, _ := proto.Marshal(export("concurrent", s))
		resp, err := http.Post(srv.URL+"/v1/traces", protobufType, bytes.NewReader(body))
		if err != nil {
			errs <- err
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		errs <- err
	}
	go send(agent)
	for k := 0; k < n; k++ {
		go send(span(0x61, byte(2+k), 1, "chat", 10*k, 10*k+5, kv("gen_ai.operation.name", "chat")))
	}
	for k := 0; k <= n; k++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	d := readProject(t, srv, "concurrent")
	tr := d.ProjectByName.Traces
	if tr.TotalCount != 1 || tr.Nodes[0].AgentCalls.Nodes[0].LLMCalls.TotalCount != n {
		t.Errorf("traces %+v", tr)
	}
}
