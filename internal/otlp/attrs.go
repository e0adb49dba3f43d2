package otlp

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// attrs indexes OTLP key-value pairs by key; the first of duplicate keys wins.
type attrs map[string]*commonpb.AnyValue

func newAttrs(kvs []*commonpb.KeyValue) attrs {
	m := make(attrs, len(kvs))
	for _, kv := range kvs {
		if kv == nil || kv.Value == nil {
			continue
		}
		if _, dup := m[kv.Key]; !dup {
			m[kv.Key] = kv.Value
		}
	}
	return m
}

// str returns the first of keys that is present with a non-empty value,
// rendered as text (structured values as JSON).
func (a attrs) str(keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			if s := text(v); s != "" {
				return s, true
			}
		}
	}
	return "", false
}

// strPtr is str as a pointer, nil when absent.
func (a attrs) strPtr(keys ...string) *string {
	if s, ok := a.str(keys...); ok {
		return &s
	}
	return nil
}

// int returns the first of keys holding a whole number (an int, an integral
// double or a decimal string).
func (a attrs) int(keys ...string) (int64, bool) {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			if n, ok := intOf(v); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// float returns the first of keys holding a finite number.
func (a attrs) float(keys ...string) (float64, bool) {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			if f, ok := floatOf(v); ok {
				return f, true
			}
		}
	}
	return 0, false
}

func intOf(v *commonpb.AnyValue) (int64, bool) {
	switch x := v.Value.(type) {
	case *commonpb.AnyValue_IntValue:
		return x.IntValue, true
	case *commonpb.AnyValue_DoubleValue:
		f := x.DoubleValue
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case *commonpb.AnyValue_StringValue:
		if n, err := strconv.ParseInt(strings.TrimSpace(x.StringValue), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

func floatOf(v *commonpb.AnyValue) (float64, bool) {
	var f float64
	switch x := v.Value.(type) {
	case *commonpb.AnyValue_IntValue:
		f = float64(x.IntValue)
	case *commonpb.AnyValue_DoubleValue:
		f = x.DoubleValue
	case *commonpb.AnyValue_StringValue:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x.StringValue), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// text renders a value as a string: strings as they are, scalars in their
// usual notation, arrays and maps as JSON.
func text(v *commonpb.AnyValue) string {
	p := plain(v)
	switch x := p.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	return string(b)
}

// plain converts a value to the Go value encoding/json renders naturally.
// Arrays and lists nested deeper than jsonlimit.MaxDepth (which checkDepth
// refuses before) become null, so the walk is bounded.
func plain(v *commonpb.AnyValue) any { return plainIn(v, jsonlimit.MaxDepth) }

// plainIn is plain with left levels of arrays and lists left.
func plainIn(v *commonpb.AnyValue, left int) any {
	if v == nil {
		return nil
	}
	switch x := v.Value.(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		if math.IsNaN(x.DoubleValue) || math.IsInf(x.DoubleValue, 0) {
			return strconv.FormatFloat(x.DoubleValue, 'g', -1, 64)
		}
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		if left == 0 {
			return nil
		}
		out := []any{}
		if x.ArrayValue != nil {
			for _, e := range x.ArrayValue.Values {
				out = append(out, plainIn(e, left-1))
			}
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		if left == 0 {
			return nil
		}
		out := map[string]any{}
		if x.KvlistValue != nil {
			for _, kv := range x.KvlistValue.Values {
				if kv != nil {
					out[kv.Key] = plainIn(kv.Value, left-1)
				}
			}
		}
		return out
	}
	return nil
}

// indexed gathers flattened message lists such as OpenLLMetry's
// "gen_ai.prompt.0.role", "gen_ai.prompt.0.content", "gen_ai.prompt.1.role"
// into a JSON array of objects ordered by index, or "" when there are none.
func (a attrs) indexed(prefix string) string {
	msgs := map[int]map[string]any{}
	for k, v := range a {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		if !ok || field == "" {
			continue
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			continue
		}
		if msgs[i] == nil {
			msgs[i] = map[string]any{}
		}
		msgs[i][field] = plain(v)
	}
	if len(msgs) == 0 {
		return ""
	}
	keys := make([]int, 0, len(msgs))
	for i := range msgs {
		keys = append(keys, i)
	}
	sort.Ints(keys)
	list := make([]map[string]any, 0, len(keys))
	for _, i := range keys {
		list = append(list, msgs[i])
	}
	b, err := json.Marshal(list)
	if err != nil {
		return ""
	}
	return string(b)
}

func str(a attrs, keys ...string) string {
	s, _ := a.str(keys...)
	return s
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func firstText(values ...string) *string {
	if s := firstNonEmpty(values...); s != "" {
		return &s
	}
	return nil
}

// eventAttr returns attribute key of the first event named name.
func eventAttr(s *tracepb.Span, name, key string) string {
	for _, ev := range s.Events {
		if ev != nil && ev.Name == name {
			if v := str(newAttrs(ev.Attributes), key); v != "" {
				return v
			}
		}
	}
	return ""
}
