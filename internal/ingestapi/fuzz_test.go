package ingestapi

import (
	"encoding/json"
	"testing"

	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
)

// FuzzDecode holds the hand-written decoder to never crash, and to refuse
// every body that is not valid JSON.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(fixture.Body(1)))
	f.Add([]byte(`{"traces": [{"project": "p", "startTime": "2026-01-01T00:00:00Z", "metrics": [{"config": [1, {"a": "\u00e9"}]}]}]}`))
	f.Add([]byte(`{"traces": [{"Project": 1e400, "llmCalls": [null, {"tokenUsage": {"input": -0}}]}]} `))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decode(body)
		if err == nil && !json.Valid(body) {
			t.Fatalf("accepted a body that is not JSON: %q", body)
		}
	})
}
