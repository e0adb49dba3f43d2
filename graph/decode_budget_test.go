package graph

import (
	"context"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

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
		"traces of every field": mutation + strings.TrimSuffix(strings.TrimPrefix(fixture.Body(1000), `{"traces": `), `}`) + `}}`,
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
