package graph

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph/model"
)

// TestEveryInputFieldReachesIngest fills every field of a TraceInput (and
// of every input inside it) and requires that every field of the ingest
// types it converts to holds a value: a field added to an input type and
// to ingest's types but forgotten in inputs.go fails here.
func TestEveryInputFieldReachesIngest(t *testing.T) {
	var in model.TraceInput
	fill(reflect.ValueOf(&in).Elem(), 0)
	trace := traceFromInput(&in)
	var empty []string
	findEmpty(reflect.ValueOf(trace), "Trace", &empty)
	// Fields of ingest's types that no GraphQL input carries.
	derived := map[string]bool{
		"Trace.Agents[0].LLMCalls[0].AgentRef":  true, // a call inside an agent needs no reference to it
		"Trace.Agents[0].ToolCalls[0].AgentRef": true, "Trace.Agents[0].Interactions[0].AgentRef": true,
	}
	for _, path := range empty {
		if !derived[path] {
			t.Errorf("%s is empty although every input field was set: is it converted in graph/inputs.go?", path)
		}
	}
}

var filled int

// fill sets every field of v to a non-zero value, lists to one element.
func fill(v reflect.Value, depth int) {
	if depth > 30 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			filled++ // each time later than the one before: an end after its start
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, filled, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() || v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(`{"k":1}`))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), depth+1)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
	case reflect.Interface:
		v.Set(reflect.ValueOf(map[string]any{"k": 1}))
	case reflect.String:
		v.SetString("x" + strings.Repeat("y", depth))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	}
}

// findEmpty lists the paths of the zero leaves of v.
func findEmpty(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			*out = append(*out, path)
			return
		}
		findEmpty(v.Elem(), path, out)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			if v.Interface().(time.Time).IsZero() {
				*out = append(*out, path)
			}
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				findEmpty(v.Field(i), path+"."+f.Name, out)
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			*out = append(*out, path)
			return
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8 {
			findEmpty(v.Index(0), path+"[0]", out)
		}
	default:
		if v.IsZero() {
			*out = append(*out, path)
		}
	}
}
