package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// TestBulkBytesCalibration holds the estimate the budget is charged with
// for a /v1/ingest body near what goccy allocates decoding it, on the
// shapes that cost most per byte and on realistic ones: at least 3/4 of
// it, at most 3 times it (5 for a body of tiny structs, whose sizes the
// estimate does not tell apart).
func TestBulkBytesCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation")
	}
	const n = 1 << 20
	decodeFast([]byte(richBulkBody(1))) // the first use of a decoder sets it up
	for name, c := range map[string]struct {
		body string
		most float64
	}{
		"empty traces":          {body: `{"traces":[` + strings.Repeat("{},", n/3) + `{}]}`},
		"empty metrics":         {body: `{"traces":[{"metrics":[` + strings.Repeat("{},", n/3) + `{}]}]}`},
		"numbers in a detail":   {body: `{"traces":[{"metrics":[{"resultDetail":[` + strings.Repeat("0,", n/2) + `0]}]}]}`},
		"objects in a detail":   {body: `{"traces":[{"metrics":[{"config":[` + strings.Repeat(`{"a":0},`, n/8) + `0]}]}]}`},
		"headers":               {body: `{"traces":[{"toolCalls":[{"networkCalls":[{"requestHeaders":[` + strings.Repeat(`{"name":"a","value":"b"},`, n/24) + `{}]}]}]}]}`, most: 5},
		"prompts":               {body: `{"traces":[` + strings.Repeat(`{"llmCalls":[{"inputPrompt":"`+strings.Repeat("x", 100000)+`"}]},`, 40) + `{}]}`},
		"traces of every field": {body: richBulkBody(1000)},
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(c.body)
			fixed, loose, err := jsonlimit.Split(raw, func(key []byte) bool { return bodyKeys[string(key)] })
			if err != nil {
				t.Fatal(err)
			}
			est := bulkBytes(fixed, loose, len(raw))
			most := max(c.most, 3)
			m := allocs.Of(func() any { r, _ := decodeFast(raw); return r })
			t.Logf("%d est %d %.2f", m, est, float64(est)/float64(m))
			if ratio := float64(est) / float64(m); ratio < 0.75 || ratio > most {
				t.Errorf("decoding allocated %d bytes, estimated %d (%.2f times)", m, est, ratio)
			}
		})
	}
}

// TestParamsBytesCalibration does the same for GraphQL POST bodies, whose
// variables decode into generic values: at least 3/4 of what goccy
// allocates, at most 3 times it.
func TestParamsBytesCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation")
	}
	const n = 1 << 20
	const mutation = `{"query": "mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }", "variables": {"input": `
	_, _ = decodeParams(context.Background(), []byte(mutation+`[{"a": [0, "x", {}]}]}}`)) // sets the decoder up
	for name, body := range map[string]string{
		"numbers":               mutation + `[` + strings.Repeat("0,", n/2) + `0]}}`,
		"empty objects":         mutation + `[` + strings.Repeat("{},", n/3) + `{}]}}`,
		"small objects":         mutation + `[` + strings.Repeat(`{"a":0},`, n/8) + `{}]}}`,
		"long string":           mutation + `"` + strings.Repeat("x", 4<<20) + `"}}`,
		"traces of every field": mutation + strings.TrimSuffix(strings.TrimPrefix(richBulkBody(1000), `{"traces": `), `}`) + `}}`,
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(body)
			c, err := jsonlimit.Scan(raw)
			if err != nil {
				t.Fatal(err)
			}
			est := c.AnyBytes() + int64(len(raw))
			m := allocs.Of(func() any { p, _ := decodeParams(context.Background(), raw); return p })
			t.Logf("%d est %d %.2f", m, est, float64(est)/float64(m))
			if ratio := float64(est) / float64(m); ratio < 0.75 || ratio > 3 {
				t.Errorf("decoding allocated %d bytes, estimated %d (%.2f times)", m, est, ratio)
			}
		})
	}
}
