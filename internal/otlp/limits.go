package otlp

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// An export's body is held to the limits of every JSON input before it is
// decoded: OTLP/JSON nests at most jsonlimit.MaxDepth levels, and what
// decoding either encoding allocates is charged to the request's memory
// budget. A protobuf export is held, once decoded, to the depth its
// OTLP/JSON form would have, so both encodings accept the same requests.

// checkJSON refuses an OTLP/JSON body nesting too deep (INVALID_ARGUMENT
// naming the path) or whose decoding would overrun the budget.
func checkJSON(ctx context.Context, body []byte) error {
	c, err := jsonlimit.Scan(body)
	var deep *jsonlimit.DepthError
	if errors.As(err, &deep) {
		return apperr.Invalid(deep.Path, "%s", jsonlimit.TooDeep)
	}
	return jsonlimit.Charge(ctx, jsonBytes(c, len(body)))
}

// What decoding OTLP/JSON allocates besides the generic values, measured
// (TestDecodingEstimates) and rounded up.
const (
	jsonCopies  = 7   // encoding/json's buffer grown by doubling (4), the rewritten document (3, as its buffer grows)
	jsonMessage = 160 // a message decoded by protojson from an object, with its slot in a repeated field
	jsonValue   = 32  // a field protojson sets, or an element of a repeated one
)

// jsonBytes estimates what decodeJSON allocates for a body of n bytes:
// the generic values of the rewrite, the copies of the document, and
// protojson's messages.
func jsonBytes(c jsonlimit.Counts, n int) int64 {
	return c.AnyBytes() + jsonCopies*int64(n) + c.Objects*jsonMessage + c.Values*jsonValue + c.StringBytes
}

// checkProto charges what decoding a protobuf export allocates, as walking
// its wire format by the request's descriptors counts it.
func checkProto(ctx context.Context, body []byte) error {
	var req coltracepb.ExportTraceServiceRequest
	return jsonlimit.Charge(ctx, protoBytes(body, req.ProtoReflect().Descriptor(), 0))
}

// protoSlot is what a decoded message costs besides its struct: its
// pointer in a repeated field as the slice grows, a oneof's wrapper.
const protoSlot = 48

// protoBytes estimates what decoding the message of descriptor md in b
// allocates: every message's struct and slot, every string and bytes
// field's contents, and unknown fields kept as they are. It walks each
// byte once; a message nesting deeper than protobuf-go's own recursion
// limit, or bytes that are not protobuf, end the walk (decoding refuses them).
func protoBytes(b []byte, md protoreflect.MessageDescriptor, depth int) int64 {
	n := structSize(md) + protoSlot
	if depth > protowire.DefaultRecursionLimit {
		return n
	}
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return n
		}
		b = b[l:]
		fd := md.Fields().ByNumber(num)
		if typ != protowire.BytesType {
			if l = protowire.ConsumeFieldValue(num, typ, b); l < 0 {
				return n
			}
			if fd == nil {
				n += int64(l) // kept as an unknown field
			}
			b = b[l:]
			continue
		}
		v, l := protowire.ConsumeBytes(b)
		if l < 0 {
			return n
		}
		b = b[l:]
		switch {
		case fd != nil && fd.Kind() == protoreflect.MessageKind:
			n += protoBytes(v, fd.Message(), depth+1)
		case fd != nil && fd.IsList():
			n += int64(len(v)) * 8 // packed numbers: up to 8 bytes each, one per byte at most
		default:
			n += int64(len(v)) + 16 // a string or bytes, or an unknown field
		}
	}
	return n
}

// structSizes caches the size of each message type's Go struct.
var structSizes sync.Map // protoreflect.FullName -> int64

func structSize(md protoreflect.MessageDescriptor) int64 {
	if n, ok := structSizes.Load(md.FullName()); ok {
		return n.(int64)
	}
	n := int64(128) // a type not linked in: about a span's size
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
		if t := reflect.TypeOf(mt.Zero().Interface()); t.Kind() == reflect.Pointer {
			n = int64(t.Elem().Size())
		}
	}
	structSizes.Store(md.FullName(), n)
	return n
}

// checkDepth refuses a decoded export whose OTLP/JSON form would nest
// deeper than jsonlimit.MaxDepth, naming the path of the first value too
// deep in that form. Only attribute values nest without bound: an array
// value is 3 levels deeper than its elements' container ({"arrayValue":
// {"values": [...]}}), a key-value list 4 ({"kvlistValue": {"values":
// [{"key": ..., "value": ...}]}}).
func checkDepth(req *coltracepb.ExportTraceServiceRequest) error {
	w := &depthWalk{}
	for i, rs := range req.GetResourceSpans() {
		w.push("resourceSpans", i) // the root is level 1, the list 2, the element 3
		if w.attrs("resource.attributes", rs.GetResource().GetAttributes(), 5) {
			return w.err()
		}
		for j, ss := range rs.GetScopeSpans() {
			w.push("scopeSpans", j)
			if w.attrs("scope.attributes", ss.GetScope().GetAttributes(), 7) {
				return w.err()
			}
			for k, s := range ss.GetSpans() {
				w.push("spans", k)
				if w.attrs("attributes", s.GetAttributes(), 8) {
					return w.err()
				}
				for l, e := range s.GetEvents() {
					w.push("events", l)
					if w.attrs("attributes", e.GetAttributes(), 10) {
						return w.err()
					}
					w.pop()
				}
				for l, link := range s.GetLinks() {
					w.push("links", l)
					if w.attrs("attributes", link.GetAttributes(), 10) {
						return w.err()
					}
					w.pop()
				}
				w.pop()
			}
			w.pop()
		}
		w.pop()
	}
	return nil
}

// depthWalk is the path walked so far: member names, and indexes in them.
type depthWalk struct {
	steps []string
}

func (w *depthWalk) push(name string, index int) {
	w.steps = append(w.steps, name, "["+strconv.Itoa(index)+"]")
}

func (w *depthWalk) pop() { w.steps = w.steps[:len(w.steps)-2] }

func (w *depthWalk) err() error {
	var b strings.Builder
	for _, s := range w.steps {
		if b.Len() > 0 && s[0] != '[' {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return apperr.Invalid(b.String(), "%s (in the request's OTLP/JSON form)", jsonlimit.TooDeep)
}

// attrs walks a list of key-values at level (the list's), under name; it
// reports whether a value is too deep, leaving the walk at it.
func (w *depthWalk) attrs(name string, kvs []*commonpb.KeyValue, level int) bool {
	if len(kvs) == 0 {
		return false
	}
	w.steps = append(w.steps, name)
	if level > jsonlimit.MaxDepth {
		return true
	}
	for i, kv := range kvs {
		w.steps = append(w.steps, "["+strconv.Itoa(i)+"]")
		if level+1 > jsonlimit.MaxDepth {
			return true
		}
		if kv.GetValue() != nil {
			w.steps = append(w.steps, "value")
			if w.value(kv.GetValue(), level+2) {
				return true
			}
			w.steps = w.steps[:len(w.steps)-1]
		}
		w.steps = w.steps[:len(w.steps)-1]
	}
	w.steps = w.steps[:len(w.steps)-1]
	return false
}

// value walks an AnyValue, an object at level.
func (w *depthWalk) value(v *commonpb.AnyValue, level int) bool {
	if level > jsonlimit.MaxDepth {
		return true
	}
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_KvlistValue:
		w.steps = append(w.steps, "kvlistValue")
		if level+1 > jsonlimit.MaxDepth {
			return true
		}
		if w.attrs("values", x.KvlistValue.GetValues(), level+2) {
			return true
		}
		w.steps = w.steps[:len(w.steps)-1]
	case *commonpb.AnyValue_ArrayValue:
		w.steps = append(w.steps, "arrayValue")
		if level+1 > jsonlimit.MaxDepth {
			return true
		}
		if values := x.ArrayValue.GetValues(); len(values) > 0 {
			w.steps = append(w.steps, "values")
			if level+2 > jsonlimit.MaxDepth {
				return true
			}
			for i, e := range values {
				w.steps = append(w.steps, "["+strconv.Itoa(i)+"]")
				if w.value(e, level+3) {
					return true
				}
				w.steps = w.steps[:len(w.steps)-1]
			}
			w.steps = w.steps[:len(w.steps)-1]
		}
		w.steps = w.steps[:len(w.steps)-1]
	}
	return false
}
