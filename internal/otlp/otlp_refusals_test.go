package otlp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/internal/otlp"
)

// testPartialSuccess sends valid spans with invalid ones.
func testPartialSuccess(t *testing.T, srv *httptest.Server) {
	ok := span(0x41, 1, 0, "chat ok", 0, 100, kv("gen_ai.operation.name", "chat"), kv("gen_ai.request.model", "gpt-4o-mini"))
	backwards := span(0x41, 2, 0, "chat backwards", 500, 100, kv("gen_ai.operation.name", "chat"))
	tool := span(0x41, 3, 0, "execute_tool ok", 100, 200, kv("gen_ai.operation.name", "execute_tool"))
	resp := postProto(t, srv, export("partial", ok, backwards, tool))
	ps := resp.GetPartialSuccess()
	if ps.GetRejectedSpans() != 1 || !strings.Contains(ps.GetErrorMessage(), "end time before start time") {
		t.Fatalf("partial success %v", ps)
	}
	// Refused by the ingestion service's own validation: negative tokens.
	negative := span(0x41, 4, 0, "chat negative", 0, 100, kv("gen_ai.operation.name", "chat"), kv("gen_ai.usage.input_tokens", -5))
	body, _ := protojson.Marshal(export("partial", negative))
	a := post(t, srv, jsonType, "", body) // protojson writes base64 ids, which are accepted too
	jr := &coltracepb.ExportTraceServiceResponse{}
	if err := protojson.Unmarshal(a.body, jr); err != nil || a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if jr.GetPartialSuccess().GetRejectedSpans() != 1 || !strings.Contains(jr.GetPartialSuccess().GetErrorMessage(), "tokenUsage.input: must be between 0 and 1000000000") {
		t.Errorf("partial success %v", jr.GetPartialSuccess())
	}

	d := readProject(t, srv, "partial")
	tr := d.ProjectByName.Traces.Nodes
	if len(tr) != 1 || len(tr[0].LLMCalls.Nodes) != 1 || tr[0].LLMCalls.Nodes[0].Name != "chat ok" || len(tr[0].ToolCalls.Nodes) != 1 {
		t.Errorf("stored %+v", tr)
	}
}

func statusOf(t *testing.T, a answer, contentType string) *statuspb.Status {
	t.Helper()
	st := &statuspb.Status{}
	var err error
	if contentType == jsonType {
		err = protojson.Unmarshal(a.body, st)
	} else {
		err = proto.Unmarshal(a.body, st)
	}
	if err != nil || st.Message == "" {
		t.Errorf("status body %q: %v", a.body, err)
	}
	return st
}

func testBadRequests(t *testing.T, srv *httptest.Server) {
	for _, c := range []struct {
		name, contentType, encoding string
		body                        []byte
		status                      int
	}{
		{"garbage protobuf", protobufType, "", []byte{0xff, 0xff, 0xff}, http.StatusBadRequest},
		{"malformed JSON", jsonType, "", []byte(`{"resourceSpans":[`), http.StatusBadRequest},
		{"wrong JSON type", jsonType, "", []byte(`{"resourceSpans":"x"}`), http.StatusBadRequest},
		{"broken gzip", protobufType, "gzip", []byte("not gzip"), http.StatusBadRequest},
		{"unknown encoding", protobufType, "br", []byte{}, http.StatusUnsupportedMediaType},
		{"too large", protobufType, "", make([]byte, otlp.DefaultMaxBodyBytes+1), http.StatusRequestEntityTooLarge},
		{"gzip bomb", jsonType, "gzip", gzipped(t, make([]byte, otlp.DefaultMaxBodyBytes+1024)), http.StatusRequestEntityTooLarge},
	} {
		start := time.Now()
		a := post(t, srv, c.contentType, c.encoding, c.body)
		if a.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, a.status, c.status, a.body)
			continue
		}
		if got := a.header.Get("Content-Type"); got != c.contentType {
			t.Errorf("%s: content type %q", c.name, got)
		}
		statusOf(t, a, c.contentType)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
	}
	if len(gzipped(t, make([]byte, otlp.DefaultMaxBodyBytes+1024))) > 100<<10 {
		t.Error("the gzip bomb is not small")
	}

	if a := post(t, srv, "text/plain", "", []byte("hi")); a.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: status %d", a.status)
	}
	resp, err := http.Get(srv.URL + "/v1/traces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
		t.Errorf("GET: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// An empty protobuf export is valid and stores nothing.
	if resp := postProto(t, srv, &coltracepb.ExportTraceServiceRequest{}); resp.PartialSuccess != nil {
		t.Errorf("empty export: %v", resp.PartialSuccess)
	}
}

func testUnavailable(t *testing.T, srv *httptest.Server) {
	agent, chain, llm, tool := agentTree(0x51)
	body, err := proto.Marshal(export("down", agent, chain, llm, tool))
	if err != nil {
		t.Fatal(err)
	}
	a := post(t, srv, protobufType, "", body)
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %q", a.status, a.header.Get("Retry-After"), a.body)
	}
	if st := statusOf(t, a, protobufType); st.Code != 14 { // UNAVAILABLE
		t.Errorf("status %v", st)
	}
	jsonBody, _ := protojson.Marshal(export("down", agent))
	if a := post(t, srv, jsonType, "", jsonBody); a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "5" {
		t.Errorf("JSON: status %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
	}
}
