package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// decodeProto decodes a binary protobuf ExportTraceServiceRequest.
func decodeProto(body []byte) (*coltracepb.ExportTraceServiceRequest, error) {
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(body, req); err != nil {
		return nil, fmt.Errorf("invalid protobuf ExportTraceServiceRequest: %w", err)
	}
	return req, nil
}

// decodeJSON decodes an OTLP/JSON ExportTraceServiceRequest. OTLP/JSON
// departs from the canonical protobuf JSON mapping in one way: trace and span
// ids are hex strings, not base64. They are rewritten to base64 before
// protojson reads the request; unknown fields are ignored, as the
// specification requires.
func decodeJSON(body []byte) (*coltracepb.ExportTraceServiceRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep 64-bit integers exact through the rewrite
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the request object")
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, errors.New("invalid OTLP/JSON: the request must be an object")
	}
	for _, rs := range list(root, "resourceSpans", "resource_spans") {
		for _, ss := range list(object(rs), "scopeSpans", "scope_spans") {
			for _, s := range list(object(ss), "spans") {
				span := object(s)
				hexToBase64(span, "traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id")
				for _, l := range list(span, "links") {
					hexToBase64(object(l), "traceId", "trace_id", "spanId", "span_id")
				}
			}
		}
	}
	rewritten, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	req := &coltracepb.ExportTraceServiceRequest{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(rewritten, req); err != nil {
		return nil, fmt.Errorf("invalid OTLP/JSON ExportTraceServiceRequest: %w", err)
	}
	return req, nil
}

func object(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// list returns the array under the first present key of m.
func list(m map[string]any, keys ...string) []any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			l, _ := v.([]any)
			return l
		}
	}
	return nil
}

// hexToBase64 rewrites the hex string values of keys to base64. Values that
// are not hex are left alone (protojson then reads them as base64, the
// canonical protobuf JSON form, or refuses them).
func hexToBase64(m map[string]any, keys ...string) {
	for _, k := range keys {
		s, ok := m[k].(string)
		if !ok || s == "" {
			continue
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			continue
		}
		m[k] = base64.StdEncoding.EncodeToString(b)
	}
}
