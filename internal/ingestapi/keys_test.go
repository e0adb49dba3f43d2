package ingestapi

import (
	"reflect"
	"strings"
	"testing"
)

// The key check relies on no two field names of the body differing only in
// case, and on JSON-valued fields having names of their own.
func TestBodyKeysDifferBeyondCase(t *testing.T) {
	byFold := map[string]string{}
	for name := range bodyKeys {
		if other, ok := byFold[strings.ToLower(name)]; ok {
			t.Errorf("fields %q and %q differ only in case: the key check cannot tell them apart", name, other)
		}
		byFold[strings.ToLower(name)] = name
	}
	var walk func(t reflect.Type, seen map[reflect.Type]bool)
	walk = func(typ reflect.Type, seen map[reflect.Type]bool) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if bodyKeys[name] && f.Type != reflect.TypeFor[jsonValue]() {
				t.Errorf("%s.%s is named like a JSON-valued field: the key check would skip its value", typ.Name(), name)
			}
			walk(f.Type, seen)
		}
	}
	walk(reflect.TypeFor[request](), map[reflect.Type]bool{})
	if len(bodyKeys) < 50 || !bodyKeys["resultDetail"] || bodyKeys["startTime"] {
		t.Errorf("bodyKeys = %v", bodyKeys)
	}
}

func TestInexactKey(t *testing.T) {
	for body, want := range map[string]bool{
		`{"traces": [{"project": "p", "startTime": "2026-01-01T00:00:00Z"}]}`: false,
		`{"traces": [{"project": "p", "StartTime": "2026-01-01T00:00:00Z"}]}`: true,
		`{"TRACES": []}`: true,
		`{"traces": [{"project": "a\":b", "externalId": "\\"}]}`: false,
		`{"traces": [{"project": "a\\", "Project": "b"}]}`:       true,
		`{"traces": [{"pro\u006aect": "p"}]}`:                    false,
		`{"traces": [{"Pro\u006aect": "p"}]}`:                    true,
		// Keys inside JSON values are the client's.
		`{"traces": [{"metrics": [{"resultDetail": {"Name": 1, "x": [{"y": "\"}]"}], "z": {}}, "metricName": "m"}]}]}`: false,
		`{"traces": [{"metrics": [{"config": "Name", "MetricName": "m"}]}]}`:                                           true,
		`{"traces": [{"metrics": [{"config": [1, {"K": []}], "metricname": "m"}]}]}`:                                   true,
	} {
		if got := inexactKey([]byte(body)); got != want {
			t.Errorf("inexactKey(%s) = %v, want %v", body, got, want)
		}
	}
}
