package httpx

import (
	"encoding/json"
	"testing"
)

// TestDecodeFastTakesTheFastPath checks that goccy's Unmarshal takes the
// option flags DecodeFast gives it, in the version go.mod pins, so the
// faster path is the one bodies take, and that it refuses what it should.
func TestDecodeFastTakesTheFastPath(t *testing.T) {
	if !optionsWork {
		t.Fatal("goccy/go-json ignores the option flags: bodies take the slower stream decoder")
	}
	var got struct {
		N any   `json:"n"`
		M []any `json:"m"`
	}
	if !DecodeFast([]byte(`{"n": 1.50, "m": [7]}`), &got, Decoding{UseNumber: true}) {
		t.Fatal("refused")
	}
	if got.N != json.Number("1.50") || got.M[0] != json.Number("7") {
		t.Fatalf("decoded %#v", got)
	}
	for body, how := range map[string]Decoding{
		`{"n": 1, "x": 2}`: {DisallowUnknownFields: true},
		`{"n": 1} {}`:      {},
		`{"n": 1} x`:       {UseNumber: true},
	} {
		if DecodeFast([]byte(body), &got, how) {
			t.Errorf("%s: accepted", body)
		}
	}
}
