package otlp

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

func oneSpan(spans ...*tracepb.Span) *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{ScopeSpans: []*tracepb.ScopeSpans{{Spans: spans}}}}}
}

func intValue(n int64) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: n}}
}

// TestDecodingEstimates holds the estimates the budget is charged with
// near what decoding allocates, in both encodings, on the shapes that cost
// most per byte and on a realistic one: at least 3/4 of it, at most 3 times.
func TestDecodingEstimates(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation")
	}
	const n = 1 << 18
	shapes := map[string]*coltracepb.ExportTraceServiceRequest{"long name": oneSpan(&tracepb.Span{Name: strings.Repeat("x", 4<<20)})}
	var empty, real []*tracepb.Span
	var attrs []*commonpb.KeyValue
	var values []*commonpb.AnyValue
	for i := range n / 4 {
		empty = append(empty, &tracepb.Span{})
		values = append(values, intValue(1))
		if i%2 == 0 {
			attrs = append(attrs, &commonpb.KeyValue{Key: "k", Value: intValue(1)})
		}
		if i%16 == 0 {
			real = append(real, &tracepb.Span{TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{byte(i)}, 8), Name: "chat gpt-4o",
				StartTimeUnixNano: 1767600000000000000, EndTimeUnixNano: 1767600000100000000,
				Attributes: []*commonpb.KeyValue{
					{Key: "gen_ai.operation.name", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "chat"}}},
					{Key: "gen_ai.usage.input_tokens", Value: intValue(1000)},
					{Key: "gen_ai.prompt.0.content", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: strings.Repeat("p", 200)}}},
				}})
		}
	}
	shapes["empty spans"] = oneSpan(empty...)
	shapes["int attributes"] = oneSpan(&tracepb.Span{Attributes: attrs})
	shapes["an array of ints"] = oneSpan(&tracepb.Span{Attributes: []*commonpb.KeyValue{{Key: "a",
		Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: values}}}}}})
	shapes["realistic spans"] = oneSpan(real...)
	for _, r := range shapes { // the first use of a decoder sets it up
		pb, _ := proto.Marshal(r)
		js, _ := protojson.Marshal(r)
		_, _ = decodeProto(pb[:0])
		_, _ = decodeJSON([]byte(`{"resourceSpans": []}`))
		_, _ = decodeJSON(js[:0])
		break
	}
	check := func(t *testing.T, encoding string, est int64, measured uint64) {
		t.Logf("%s: %d est %d %.2f", encoding, measured, est, float64(est)/float64(measured))
		if ratio := float64(est) / float64(measured); ratio < 0.75 || ratio > 3 {
			t.Errorf("%s: decoding allocated %d bytes, estimated %d (%.2f times)", encoding, measured, est, ratio)
		}
	}
	for name, req := range shapes {
		t.Run(name, func(t *testing.T) {
			pb, err := proto.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "protobuf", protoBytes(pb, req.ProtoReflect().Descriptor(), 0), allocs.Of(func() any { r, _ := decodeProto(pb); return r }))
			js, err := protojson.Marshal(req)
			if err != nil {
				t.Fatal(err)
			}
			c, err := jsonlimit.Scan(js)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "JSON", jsonBytes(c, len(js)), allocs.Of(func() any { r, _ := decodeJSON(js); return r }))
		})
	}
	t.Run("empty resource spans", func(t *testing.T) { // the least bytes per message
		pb := bytes.Repeat([]byte{0x0a, 0x00}, n)
		var req coltracepb.ExportTraceServiceRequest
		check(t, "protobuf", protoBytes(pb, req.ProtoReflect().Descriptor(), 0), allocs.Of(func() any { r, _ := decodeProto(pb); return r }))
	})
}

// nestedValue is levels of key-value lists (or arrays) around an int.
func nestedValue(levels int, arrays bool) *commonpb.AnyValue {
	v := intValue(1)
	for range levels {
		if arrays {
			v = &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{Values: []*commonpb.AnyValue{intValue(0), v}}}}
		} else {
			v = &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{KvlistValue: &commonpb.KeyValueList{
				Values: []*commonpb.KeyValue{{Key: "x", Value: intValue(0)}, {Key: "k", Value: v}}}}}
		}
	}
	return v
}

// TestDepthAsInJSON holds checkDepth of a decoded protobuf export to the
// scan of the same export in OTLP/JSON: the same verdict, the same path,
// wherever the attribute is.
func TestDepthAsInJSON(t *testing.T) {
	kv := func(v *commonpb.AnyValue) []*commonpb.KeyValue {
		return []*commonpb.KeyValue{{Key: "flat", Value: intValue(1)}, {Key: "deep", Value: v}}
	}
	places := map[string]func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest{
		"resource": func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest {
			r := oneSpan(&tracepb.Span{Name: "s"})
			r.ResourceSpans[0].Resource = &resourcepb.Resource{Attributes: kv(v)}
			return r
		},
		"scope": func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest {
			r := oneSpan(&tracepb.Span{Name: "s"})
			r.ResourceSpans[0].ScopeSpans[0].Scope = &commonpb.InstrumentationScope{Attributes: kv(v)}
			return r
		},
		"second span": func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest {
			return oneSpan(&tracepb.Span{Name: "s"}, &tracepb.Span{Attributes: kv(v)})
		},
		"event": func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest {
			return oneSpan(&tracepb.Span{Events: []*tracepb.Span_Event{{Name: "e"}, {Attributes: kv(v)}}})
		},
		"link": func(v *commonpb.AnyValue) *coltracepb.ExportTraceServiceRequest {
			return oneSpan(&tracepb.Span{Links: []*tracepb.Span_Link{{Attributes: kv(v)}}})
		},
	}
	for name, place := range places {
		for _, arrays := range []bool{false, true} {
			deepest := 0 // the most levels of the value accepted
			for levels := range 25 {
				req := place(nestedValue(levels, arrays))
				js, err := protojson.Marshal(req)
				if err != nil {
					t.Fatal(err)
				}
				_, scanErr := jsonlimit.Scan(js)
				err = checkDepth(req)
				var deep *jsonlimit.DepthError
				var appErr *apperr.Error
				switch {
				case errors.As(scanErr, &deep) != errors.As(err, &appErr):
					t.Fatalf("%s, %d levels (arrays %v): JSON %v, protobuf %v", name, levels, arrays, scanErr, err)
				case deep != nil && appErr.Field != deep.Path:
					t.Fatalf("%s, %d levels (arrays %v): path %q, in JSON %q", name, levels, arrays, appErr.Field, deep.Path)
				case deep == nil:
					deepest = levels
				}
			}
			if deepest == 0 || deepest == 24 {
				t.Errorf("%s (arrays %v): %d levels accepted: the limit was not met", name, arrays, deepest)
			}
		}
	}
}

// TestPlainIsBounded converts a value far deeper than the limit: the walk
// stops at the limit.
func TestPlainIsBounded(t *testing.T) {
	s := text(nestedValue(5000, true))
	if n := strings.Count(s, "["); n != jsonlimit.MaxDepth {
		t.Errorf("%d levels rendered, want %d", n, jsonlimit.MaxDepth)
	}
}
