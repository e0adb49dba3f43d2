package otlp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ms(n int) uint64 { return uint64(base.Add(time.Duration(n) * time.Millisecond).UnixNano()) }

func tid(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }
func sid(b byte) []byte { return bytes.Repeat([]byte{b}, 8) }
func hexSID(b byte) string {
	const digits = "0123456789abcdef"
	return strings.Repeat(string([]byte{digits[b>>4], digits[b&15]}), 8)
}

func s(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

func i(k string, v int64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: v}}}
}

func f(k string, v float64) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: v}}}
}

func sp(trace, id, parent byte, name string, start, end int, attrs ...*commonpb.KeyValue) *tracepb.Span {
	p := &tracepb.Span{TraceId: tid(trace), SpanId: sid(id), Name: name, StartTimeUnixNano: ms(start), Attributes: attrs}
	if parent != 0 {
		p.ParentSpanId = sid(parent)
	}
	if end >= 0 {
		p.EndTimeUnixNano = ms(end)
	}
	return p
}

func request(res []*commonpb.KeyValue, spans ...*tracepb.Span) *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource:   &resourcepb.Resource{Attributes: res},
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}},
	}}}
}

func convert(t *testing.T, req *coltracepb.ExportTraceServiceRequest) *result {
	t.Helper()
	m := &mapper{opts: Options{}.withDefaults()}
	return m.convert(req)
}

func TestClassify(t *testing.T) {
	cases := []struct {
		attrs []*commonpb.KeyValue
		want  spanKind
	}{
		{[]*commonpb.KeyValue{s("openinference.span.kind", "LLM")}, kindLLM},
		{[]*commonpb.KeyValue{s("openinference.span.kind", "embedding")}, kindLLM},
		{[]*commonpb.KeyValue{s("openinference.span.kind", "TOOL")}, kindTool},
		{[]*commonpb.KeyValue{s("openinference.span.kind", "AGENT")}, kindAgent},
		{[]*commonpb.KeyValue{s("openinference.span.kind", "CHAIN"), s("gen_ai.system", "openai")}, kindNone},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "chat")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "text_completion")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "generate_content")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "embeddings")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "execute_tool"), s("gen_ai.system", "openai")}, kindTool},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "invoke_agent"), s("gen_ai.request.model", "x")}, kindAgent},
		{[]*commonpb.KeyValue{s("gen_ai.operation.name", "create_agent")}, kindAgent},
		{[]*commonpb.KeyValue{s("gen_ai.request.model", "gpt-4o")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.system", "openai")}, kindLLM},
		{[]*commonpb.KeyValue{s("gen_ai.provider.name", "anthropic")}, kindLLM},
		{[]*commonpb.KeyValue{s("http.request.method", "GET")}, kindNone},
		{nil, kindNone},
	}
	for _, c := range cases {
		if got := classify(newAttrs(c.attrs)); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.attrs, got, c.want)
		}
	}
}

func TestConvertBuildsTheTree(t *testing.T) {
	ex := &tracepb.Span_Event{Name: "exception", TimeUnixNano: ms(450), Attributes: []*commonpb.KeyValue{
		s("exception.type", "TimeoutError"), s("exception.message", "search timed out")}}
	tool := sp(1, 4, 1, "execute_tool search", 400, 500, s("gen_ai.operation.name", "execute_tool"),
		s("gen_ai.tool.name", "search"), s("gen_ai.tool.call.arguments", `{"q":"go"}`), s("gen_ai.tool.call.result", "none"))
	tool.Events = []*tracepb.Span_Event{ex}
	tool.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "ignored: an exception event exists"}
	failed := sp(1, 6, 0, "chat", 700, 800, s("gen_ai.operation.name", "chat"))
	failed.Status = &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "rate limited"}
	req := request([]*commonpb.KeyValue{s("service.name", "svc"), s("os.type", "linux"), s("os.version", "6.1"),
		s("process.runtime.name", "cpython"), s("process.runtime.version", "3.12.1"), s("host.arch", "amd64")},
		sp(1, 3, 2, "openai.chat", 200, 300, s("openinference.span.kind", "LLM"), s("llm.model_name", "gpt-4o"),
			i("llm.token_count.prompt", 10), i("llm.token_count.completion", 5), s("input.value", "hi"), s("output.value", "hello")),
		sp(1, 1, 0, "invoke_agent planner", 100, 900, s("gen_ai.operation.name", "invoke_agent"), s("gen_ai.agent.name", "planner")),
		sp(1, 2, 1, "chain", 150, 350, s("openinference.span.kind", "CHAIN")),
		tool,
		// Its parent is in another export: the parent's id names the agent.
		sp(1, 5, 9, "chat gpt-4o-mini", 600, 650, s("gen_ai.request.model", "gpt-4o-mini")),
		failed,
		// A trace with nothing to store.
		sp(2, 7, 0, "GET /", 0, 10, s("http.request.method", "GET")),
	)
	res := convert(t, req)
	if res.rejected != 0 || res.received != 7 {
		t.Fatalf("rejected %d of %d: %v", res.rejected, res.received, res.reasons)
	}
	if len(res.traces) != 1 {
		t.Fatalf("got %d traces, want 1", len(res.traces))
	}
	tr := res.traces[0]
	if tr.Project != "svc" || tr.ExternalID != strings.Repeat("01", 16) {
		t.Errorf("project %q, external id %q", tr.Project, tr.ExternalID)
	}
	if !tr.StartTime.Equal(base.Add(100*time.Millisecond)) || tr.EndTime == nil || !tr.EndTime.Equal(base.Add(900*time.Millisecond)) {
		t.Errorf("trace from %v to %v", tr.StartTime, tr.EndTime)
	}
	if si := tr.SystemInfo; si == nil || *si.OsName != "linux" || *si.OsVersion != "6.1" || *si.PythonVersion != "3.12.1" || *si.CPUInfo != "amd64" {
		t.Errorf("system info %+v", tr.SystemInfo)
	}
	if len(tr.Agents) != 1 {
		t.Fatalf("agents %+v", tr.Agents)
	}
	a := tr.Agents[0]
	if a.Name != "planner" || a.ExternalID != hexSID(1) || len(a.LLMCalls) != 1 || len(a.ToolCalls) != 1 {
		t.Fatalf("agent %+v", a)
	}
	llm := a.LLMCalls[0]
	if llm.ExternalID != hexSID(3) || llm.AgentRef != "" || *llm.Model != "gpt-4o" || llm.Name != "openai.chat" ||
		*llm.InputPrompt != "hi" || *llm.Output != "hello" || llm.Tokens.Input != 10 || llm.Tokens.Completion != 5 || llm.Cost != nil {
		t.Errorf("llm call %+v", llm)
	}
	tc := a.ToolCalls[0]
	if tc.Name != "search" || *tc.InputParameters != `{"q":"go"}` || *tc.Output != "none" || tc.AgentRef != "" {
		t.Errorf("tool call %+v", tc)
	}
	if len(tr.LLMCalls) != 2 {
		t.Fatalf("top-level llm calls %+v", tr.LLMCalls)
	}
	if c := tr.LLMCalls[0]; c.ExternalID != hexSID(5) || c.AgentRef != hexSID(9) || *c.Model != "gpt-4o-mini" {
		t.Errorf("orphan llm call %+v", c)
	}
	if c := tr.LLMCalls[1]; c.AgentRef != "" || c.Model != nil {
		t.Errorf("root llm call %+v", c)
	}
	if len(tr.Errors) != 2 {
		t.Fatalf("errors %+v", tr.Errors)
	}
	e := tr.Errors[0]
	if e.Type != "Tool" || *e.Message != "TimeoutError: search timed out" || e.ToolCallRef != hexSID(4) ||
		e.AgentRef != hexSID(1) || !e.Timestamp.Equal(base.Add(450*time.Millisecond)) || e.ExternalID != hexSID(4)+"/exception/0" {
		t.Errorf("tool error %+v", e)
	}
	e = tr.Errors[1]
	if e.Type != "LLM" || *e.Message != "rate limited" || e.LLMCallRef != hexSID(6) || e.AgentRef != "" ||
		!e.Timestamp.Equal(base.Add(800*time.Millisecond)) {
		t.Errorf("status error %+v", e)
	}
}

func TestTokensCostAndContent(t *testing.T) {
	prompt := &tracepb.Span_Event{Name: "gen_ai.content.prompt", Attributes: []*commonpb.KeyValue{s("gen_ai.prompt", "from event")}}
	withEvent := sp(1, 2, 0, "chat", 0, 10, s("gen_ai.system", "openai"), s("gen_ai.completion", "done"),
		i("gen_ai.usage.prompt_tokens", 7), f("gen_ai.usage.completion_tokens", 3))
	withEvent.Events = []*tracepb.Span_Event{prompt}
	req := request(nil,
		sp(1, 1, 0, "chat o3", 0, 10, s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "o3"),
			s("gen_ai.response.model", "o3-2025"), i("gen_ai.usage.input_tokens", 100), i("gen_ai.usage.output_tokens", 50),
			i("gen_ai.usage.reasoning.output_tokens", 30), i("gen_ai.usage.total_tokens", 150),
			f("gen_ai.usage.cost", 0.25), f("gen_ai.usage.input_cost", 0.1), s("gen_ai.input.messages", `[{"role":"user"}]`),
			s("gen_ai.prompt", "older attribute")),
		withEvent,
		sp(1, 3, 0, "chat", 0, 10, s("gen_ai.system", "openai"), s("gen_ai.prompt.1.content", "second"),
			s("gen_ai.prompt.0.role", "system"), s("gen_ai.prompt.0.content", "first"), s("gen_ai.completion.0.content", "out"),
			i("llm.token_count.completion_details.reasoning", 9), i("gen_ai.usage.output_tokens", 4), i("llm.token_count.total", 1)),
	)
	res := convert(t, req)
	if len(res.traces) != 1 || len(res.traces[0].LLMCalls) != 3 {
		t.Fatalf("%+v", res)
	}
	project := res.traces[0].Project
	if project != "default" {
		t.Errorf("project %q, want default", project)
	}
	c := res.traces[0].LLMCalls
	if *c[0].Model != "o3-2025" || c[0].Tokens.Input != 100 || c[0].Tokens.Completion != 20 || c[0].Tokens.Reasoning != 30 ||
		c[0].Tokens.Total == nil || *c[0].Tokens.Total != 150 {
		t.Errorf("reasoning tokens %+v", c[0].Tokens)
	}
	if c[0].Cost == nil || c[0].Cost.Input != 0.1 || c[0].Cost.Output != 0 || *c[0].Cost.Total != 0.25 {
		t.Errorf("cost %+v", c[0].Cost)
	}
	if *c[0].InputPrompt != `[{"role":"user"}]` || c[0].Output != nil {
		t.Errorf("content %v %v", *c[0].InputPrompt, c[0].Output)
	}
	if *c[1].InputPrompt != "from event" || *c[1].Output != "done" || c[1].Tokens.Input != 7 || c[1].Tokens.Completion != 3 || c[1].Cost != nil {
		t.Errorf("legacy call %+v", c[1])
	}
	if *c[2].InputPrompt != `[{"content":"first","role":"system"},{"content":"second"}]` || *c[2].Output != `[{"content":"out"}]` {
		t.Errorf("indexed content %v / %v", *c[2].InputPrompt, *c[2].Output)
	}
	// Reasoning larger than the output count is taken as not included; a
	// total below the sum is ignored.
	if c[2].Tokens.Completion != 4 || c[2].Tokens.Reasoning != 9 || c[2].Tokens.Total != nil {
		t.Errorf("tokens %+v", c[2].Tokens)
	}
}

func TestProjectAndSystemInfo(t *testing.T) {
	req := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{
		{
			Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{s("service.name", "svc"), s("agentgraph.project", "from-resource"),
				s("process.runtime.name", "go"), s("process.runtime.version", "go1.26"), s("host.cpu.model.name", "Xeon"), s("host.arch", "amd64"),
				s("os.type", "linux"), s("os.description", "Debian 13")}},
			ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{
				sp(1, 1, 0, "a", 0, 5, s("gen_ai.system", "x")),
				sp(1, 2, 0, "b", 0, 5, s("gen_ai.system", "x"), s("agentgraph.project", "from-span")),
			}}},
		},
		{
			Resource:   &resourcepb.Resource{Attributes: []*commonpb.KeyValue{s("service.name", "svc")}},
			ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{sp(1, 3, 0, "c", 0, 5, s("gen_ai.system", "x"))}}},
		},
	}}
	res := convert(t, req)
	var names []string
	for _, tr := range res.traces {
		names = append(names, tr.Project)
	}
	if strings.Join(names, ",") != "from-resource,from-span,svc" {
		t.Fatalf("projects %v", names)
	}
	si := res.traces[0].SystemInfo
	if si == nil || *si.OsName != "linux" || *si.OsVersion != "Debian 13" || *si.PythonVersion != "go go1.26" || *si.CPUInfo != "Xeon (amd64)" {
		t.Errorf("system info %+v", si)
	}
	if res.traces[2].SystemInfo != nil {
		t.Errorf("system info without attributes: %+v", res.traces[2].SystemInfo)
	}
}

func TestRejectsInvalidSpans(t *testing.T) {
	noTrace := sp(1, 1, 0, "x", 0, 1, s("gen_ai.system", "x"))
	noTrace.TraceId = nil
	zeroSpan := sp(1, 1, 0, "x", 0, 1, s("gen_ai.system", "x"))
	zeroSpan.SpanId = make([]byte, 8)
	noStart := sp(1, 2, 0, "x", 0, 1, s("gen_ai.system", "x"))
	noStart.StartTimeUnixNano = 0
	req := request(nil,
		noTrace, zeroSpan, noStart,
		sp(1, 3, 0, "backwards", 10, 5, s("gen_ai.system", "x")),
		sp(1, 4, 0, "refused", 0, 5, s("gen_ai.system", "x")),
		sp(1, 5, 0, "ok", 0, 5, s("gen_ai.system", "x")),
		sp(1, 5, 0, "duplicate", 0, 5, s("gen_ai.system", "x")),
	)
	m := &mapper{opts: Options{}.withDefaults(), validate: func(tr *ingest.Trace, path string) error {
		for _, c := range tr.LLMCalls {
			if c.Name == "refused" {
				return errors.New(path + ".llmCalls[0].name: refused")
			}
		}
		return nil
	}}
	res := m.convert(req)
	if res.received != 7 || res.rejected != 5 {
		t.Fatalf("received %d, rejected %d: %v", res.received, res.rejected, res.reasons)
	}
	if len(res.traces) != 1 || len(res.traces[0].LLMCalls) != 1 || res.traces[0].LLMCalls[0].Name != "ok" || res.spans[0] != 1 {
		t.Fatalf("stored %+v", res.traces)
	}
	msg := res.message()
	for _, want := range []string{"rejected 5 of 7 spans", "invalid trace id", "invalid span id", "start time", "end time before start time", "refused"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestRefusedAgentIsTransparent(t *testing.T) {
	req := request(nil,
		sp(1, 1, 0, "outer", 0, 100, s("gen_ai.operation.name", "invoke_agent")),
		sp(1, 2, 1, "inner", 10, 90, s("gen_ai.operation.name", "invoke_agent")),
		sp(1, 3, 2, "chat", 20, 30, s("gen_ai.operation.name", "chat")),
	)
	m := &mapper{opts: Options{}.withDefaults(), validate: func(tr *ingest.Trace, path string) error {
		if len(tr.Agents) == 1 && tr.Agents[0].Name == "inner" {
			return errors.New("refused")
		}
		return nil
	}}
	res := m.convert(req)
	if res.rejected != 1 || len(res.traces) != 1 || len(res.traces[0].Agents) != 1 || len(res.traces[0].Agents[0].LLMCalls) != 1 {
		t.Fatalf("%+v", res)
	}
}

func TestDecodeJSONHexIDs(t *testing.T) {
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
	  "scopeSpans":[{"scope":{"name":"x"},"unknownField":1,"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C",
	  "spanId":"eee19b7ec3c1b174","parentSpanId":"","name":"chat","kind":3,"startTimeUnixNano":"1544712660000000000",
	  "endTimeUnixNano":1544712661000000000,"attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"12"}}],
	  "links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b173"}]}]}]}]}`
	req, err := decodeJSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	span := req.ResourceSpans[0].ScopeSpans[0].Spans[0]
	if got := string(span.TraceId); got != "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c" {
		t.Errorf("trace id %x", span.TraceId)
	}
	if len(span.SpanId) != 8 || span.SpanId[7] != 0x74 || span.Links[0].SpanId[7] != 0x73 || len(span.ParentSpanId) != 0 {
		t.Errorf("span id %x, link %x", span.SpanId, span.Links[0].SpanId)
	}
	if span.StartTimeUnixNano != 1544712660000000000 || span.EndTimeUnixNano != 1544712661000000000 {
		t.Errorf("times %d %d", span.StartTimeUnixNano, span.EndTimeUnixNano)
	}
	for _, bad := range []string{`{`, `[]`, `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"not hex or base64!"}]}]}]}`, `{} {}`} {
		if _, err := decodeJSON([]byte(bad)); err == nil {
			t.Errorf("decodeJSON(%s) succeeded", bad)
		}
	}
}
