package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
)

// GraphQL POST bodies decode through goccy/go-json first; whatever it
// decodes must come out exactly as encoding/json decodes it (json.Number
// for numbers included), and what encoding/json refuses it must refuse.
func TestParamsDecodersAgree(t *testing.T) {
	bodies := map[string]string{
		"query only":     `{"query": "{ projects { nodes { id } } }"}`,
		"everything":     `{"query": "query Q($a: Int) { x }", "operationName": "Q", "variables": {"a": 1, "b": [1.5, -0, 2e3, 12345678901234567890123, null, true, "s"], "c": {"d": {}}}, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab"}}}`,
		"ingestion":      `{"query": "mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }", "variables": {"input": ` + strings.TrimSuffix(strings.TrimPrefix(fixture.Body(5), `{"traces": `), `}`) + `}}`,
		"escapes":        `{"query": "{ x }", "variables": {"s": "\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u2028", "k\u0065y": 1}}`,
		"case of keys":   `{"QUERY": "{ a }", "OperationName": "b", "Variables": {"X": 1}}`,
		"duplicates":     `{"query": "{ a }", "query": "{ b }", "variables": {"x": 1, "x": 2}}`,
		"nulls":          `{"query": null, "operationName": null, "variables": null, "extensions": null}`,
		"unknown keys":   `{"query": "{ a }", "id": "persisted-1", "other": [1, {"x": 2}]}`,
		"trailing":       `{"query": "{ a }"} trailing`,
		"whitespace":     " \n\t{\"query\" : \"{ a }\" } ",
		"invalid utf-8":  `{"query": "{ a }", "variables": {"s": "a` + "\xff\xfe" + `b"}}`,
		"lone surrogate": `{"query": "{ a }", "variables": {"s": "\ud800 x \udc00"}}`,
		// Refused by encoding/json:
		"empty":           ``,
		"not an object":   `[1]`,
		"wrong type":      `{"query": 5}`,
		"variables list":  `{"query": "{ a }", "variables": [1]}`,
		"unclosed":        `{"query": "{ a }"`,
		"bad escape":      `{"query": "\x"}`,
		"control char":    `{"query": "a` + "\x01" + `"}`,
		"bare word":       `{"query": nope}`,
		"byte order mark": "\xef\xbb\xbf" + `{"query": "{ a }"}`,
	}
	for name, body := range bodies {
		got, gotErr := decodeParams(context.Background(), []byte(body))
		want := &graphql.RawParams{}
		dec := json.NewDecoder(bytes.NewReader([]byte(body)))
		dec.UseNumber()
		wantErr := dec.Decode(want)
		switch {
		case (gotErr == nil) != (wantErr == nil):
			t.Errorf("%s: decodeParams error %v, encoding/json error %v", name, gotErr, wantErr)
		case wantErr != nil:
			if gotErr.Error() != wantErr.Error() {
				t.Errorf("%s: error %q, encoding/json's %q", name, gotErr, wantErr)
			}
		case !reflect.DeepEqual(got, want):
			t.Errorf("%s: decoded\n%#v\nencoding/json decodes\n%#v", name, got, want)
		}
	}
}
