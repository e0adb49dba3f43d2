package ingestapi

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

func TestSyntaxPath(t *testing.T) {
	for doc, want := range map[string]string{
		`{"a": [1, 2, {"b": x}]}`:         "a[2].b",
		`{"a": [1, 2, {"b": 1}`:           "a",
		`{"a": 1, "b": {"c" 1}}`:          "b.c",
		`{"a": [{}, {1: 2}]}`:             "a[1]",
		`[[1], [2, ]]`:                    "[1][1]",
		`{"a": {"b": [1]}, "c": [true]}`:  "",
		`{"a": {"b": [1]}, "c": [true]]`:  "",
		`{"traces": [{"x": 1}, {"y": }]}`: "traces[1].y",
	} {
		if got := syntaxPath(json.NewDecoder(strings.NewReader(doc))); got != want {
			t.Errorf("%s: %q, want %q", doc, got, want)
		}
	}
}

// TestSyntaxPathIsLinear locates the end of 10,000 levels (encoding/json's
// own limit) of objects cut off: the path is built once, not per level
// (which took 100 MB here). encoding/json's Token costs about 300 bytes a
// level, 60 per byte of this body.
func TestSyntaxPathIsLinear(t *testing.T) {
	doc := []byte(`{"traces": [{"metrics": [{"resultDetail": ` + strings.Repeat(`{"a":`, 10000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	path := syntaxPath(json.NewDecoder(bytes.NewReader(doc)))
	runtime.ReadMemStats(&after)
	if !strings.HasPrefix(path, "traces[0].metrics[0].resultDetail.a.a") {
		t.Fatalf("path %.80q...", path)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 100*uint64(len(doc)) {
		t.Errorf("allocated %d bytes for a %d-byte body", n, len(doc))
	}
}
