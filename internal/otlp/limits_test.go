package otlp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
	"github.com/agentgraph/agentgraph/internal/otlp"
)

// budgetServer runs the receiver with every request given a budget of
// limit bytes, as the server gives them.
func budgetServer(t *testing.T, store *db.DB, limit int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(otlp.NewHandler(ingest.New(store, ingest.Options{}), otlp.Options{MemoryBytes: limit}))
	t.Cleanup(srv.Close)
	return srv
}

// kvlists is levels of key-value lists around an int, each list's second
// member holding the next.
func kvlists(levels int) *commonpb.AnyValue {
	v := &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 1}}
	for range levels {
		v = &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{
			Values: []*commonpb.KeyValue{kv("x", 0), {Key: "k", Value: v}}}}}
	}
	return v
}

// encodings are both ways to send an export.
var encodings = map[string]func(t *testing.T, req *coltracepb.ExportTraceServiceRequest) []byte{
	protobufType: func(t *testing.T, req *coltracepb.ExportTraceServiceRequest) []byte {
		b, err := proto.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
	jsonType: func(t *testing.T, req *coltracepb.ExportTraceServiceRequest) []byte {
		b, err := protojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return b
	},
}

// TestNestingLimit sends spans whose attribute nests key-value lists as
// deep as the OTLP/JSON form allows, and one level more, in both
// encodings: the first is stored, the second refused with 400 naming the
// path (the same in both), and nothing of it is stored.
func TestNestingLimit(t *testing.T) {
	// The attribute's value is the 10th level of the OTLP/JSON form (the
	// request, resourceSpans, the element, scopeSpans, the element, spans,
	// the span, attributes, the key-value, its value); a list is 4 more.
	const within = (jsonlimit.MaxDepth - 10) / 4
	// The deep attribute follows the 6 of agentTree's LLM span.
	path := "resourceSpans[0].scopeSpans[0].spans[0].attributes[6].value" +
		strings.Repeat(".kvlistValue.values[1].value", within) + ".kvlistValue.values[0]"
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		srv := budgetServer(t, store, budget.DefaultBytes)
		for contentType, encode := range encodings {
			t.Run(contentType, func(t *testing.T) {
				trace := byte(0x60)
				if contentType == jsonType {
					trace++
				}
				_, _, llm, _ := agentTree(trace)
				llm.ParentSpanId, llm.SpanId = nil, id(trace, 8)
				llm.Attributes = append(llm.Attributes, &commonpb.KeyValue{Key: "deep", Value: kvlists(within)})
				before := countRows(t, store)["llm_call"]
				if a := post(t, srv, contentType, "", encode(t, export("nesting", llm))); a.status != 200 {
					t.Fatalf("at the limit: %d %q", a.status, a.body)
				}
				if n := countRows(t, store)["llm_call"]; n != before+1 {
					t.Fatalf("at the limit: %d calls stored, want 1", n-before)
				}
				llm.SpanId = id(trace+0x10, 8)
				llm.Attributes[6].Value = kvlists(within + 1)
				a := post(t, srv, contentType, "", encode(t, export("nesting", llm)))
				if a.status != http.StatusBadRequest {
					t.Fatalf("a level too deep: %d %q", a.status, a.body)
				}
				if msg := statusOf(t, a, contentType).Message; !strings.HasPrefix(msg, path+": "+jsonlimit.TooDeep) {
					t.Fatalf("message %q,\nwant the path %q", msg, path)
				}
				if n := countRows(t, store)["llm_call"]; n != before+1 {
					t.Fatalf("a level too deep: %d calls stored", n-before-1)
				}
			})
		}
		t.Run("far too deep", func(t *testing.T) {
			json := []byte(`{"resourceSpans": [], "extra": ` + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + `}`)
			allocs.Cheap(t, len(json), 10, func() {
				a := post(t, srv, jsonType, "", json)
				if msg := statusOf(t, a, jsonType).Message; a.status != 400 || !strings.HasPrefix(msg, "extra"+strings.Repeat("[0]", jsonlimit.MaxDepth-1)+": ") {
					t.Fatalf("%d %q", a.status, msg)
				}
			})
			// 3,000 lists are 9,000 nested messages, within protobuf-go's
			// limit: decoded (about 25 bytes per byte, as protobuf decodes
			// small messages), then refused.
			_, _, llm, _ := agentTree(0x62)
			llm.Attributes = append(llm.Attributes, &commonpb.KeyValue{Key: "deep", Value: kvlists(3000)})
			pb := encodings[protobufType](t, export("nesting", llm))
			allocs.Cheap(t, len(pb), 64, func() {
				a := post(t, srv, protobufType, "", pb)
				if msg := statusOf(t, a, protobufType).Message; a.status != 400 || !strings.HasPrefix(msg, path+": ") {
					t.Fatalf("%d %q", a.status, msg)
				}
			})
		})
	})
}

// TestDecodingBudget sends exports within the size limit whose decoding
// would take more than the request's budget: 413 before decoding, naming
// the budget; an export of long texts as big passes.
func TestDecodingBudget(t *testing.T) {
	const size = 8 << 20
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		srv := budgetServer(t, store, budget.DefaultBytes)
		for name, c := range map[string]struct {
			contentType string
			body        []byte
		}{
			"JSON of empty spans":              {jsonType, []byte(`{"resourceSpans": [{"scopeSpans": [{"spans": [` + strings.Repeat("{},", size/3) + `{}]}]}]}`)},
			"JSON of tiny values":              {jsonType, []byte(`{"resourceSpans": [], "extra": [` + strings.Repeat("0,", size/2) + `0]}`)},
			"protobuf of empty resource spans": {protobufType, bytes.Repeat([]byte{0x0a, 0x00}, size/2)},
		} {
			t.Run(name, func(t *testing.T) {
				allocs.Cheap(t, len(c.body), 10, func() {
					a := post(t, srv, c.contentType, "", c.body)
					if msg := statusOf(t, a, c.contentType).Message; a.status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "memory budget of 64 MiB") {
						t.Fatalf("%d %q", a.status, msg)
					}
				})
			})
		}
		t.Run("long texts pass", func(t *testing.T) {
			_, _, llm, _ := agentTree(0x63)
			llm.ParentSpanId = nil
			llm.Attributes = append(llm.Attributes, kv("long.text", strings.Repeat("p", 12<<20)))
			if a := post(t, srv, protobufType, "", encodings[protobufType](t, export("texts", llm))); a.status != 200 {
				t.Fatalf("protobuf: %d %.300q", a.status, a.body)
			}
			llm.SpanId = id(0x34, 8)
			llm.Attributes[len(llm.Attributes)-1] = kv("long.text", strings.Repeat("p", 2<<20))
			if a := post(t, srv, jsonType, "", encodings[jsonType](t, export("texts", llm))); a.status != 200 {
				t.Fatalf("JSON: %d %.300q", a.status, a.body)
			}
		})
		t.Run("a small budget", func(t *testing.T) {
			small := budgetServer(t, store, 1<<20)
			a := post(t, small, jsonType, "", []byte(`{"resourceSpans": [], "extra": [`+strings.Repeat("0,", 20000)+`0]}`))
			if msg := statusOf(t, a, jsonType).Message; a.status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "memory budget of 1 MiB") {
				t.Fatalf("%d %q", a.status, msg)
			}
		})
	})
}
