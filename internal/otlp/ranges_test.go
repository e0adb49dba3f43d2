package otlp_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestSpansOutOfRangeOrWithNULAreRejected exports spans with token counts
// near 2^63 or past the range and spans with U+0000 in their name or
// attributes next to a good one: each bad span is rejected through
// partial_success, named by its id, the good one is stored, and the
// project's totals read as before, on both databases.
func TestSpansOutOfRangeOrWithNULAreRejected(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		srv := server(t, store)
		chat := func(spanID byte, name string, attrs ...any) []any {
			return append([]any{spanID, name}, attrs...)
		}
		send := func(specs ...[]any) string {
			t.Helper()
			req := export("ranges")
			for _, s := range specs {
				attrs := append([]any{"gen_ai.operation.name", "chat"}, s[2:]...)
				sp := span(0x51, s[0].(byte), 0, s[1].(string), 0, 100)
				for i := 0; i+1 < len(attrs); i += 2 {
					sp.Attributes = append(sp.Attributes, kv(attrs[i].(string), attrs[i+1]))
				}
				req.ResourceSpans[0].ScopeSpans[0].Spans = append(req.ResourceSpans[0].ScopeSpans[0].Spans, sp)
			}
			ps := postProto(t, srv, req).GetPartialSuccess()
			bad := 0
			for _, s := range specs {
				if !strings.HasSuffix(s[1].(string), "ok") {
					bad++
					// The message spells out the first few rejections, each naming its span.
					if id := fmt.Sprintf("span %s:", strings.Repeat(fmt.Sprintf("%02x", s[0].(byte)), 8)); !strings.Contains(ps.GetErrorMessage(), id) {
						t.Errorf("the message does not name %q: %s", id, ps.GetErrorMessage())
					}
				}
			}
			if ps.GetRejectedSpans() != int64(bad) {
				t.Errorf("rejected %d spans, want %d: %s", ps.GetRejectedSpans(), bad, ps.GetErrorMessage())
			}
			return ps.GetErrorMessage()
		}
		if msg := send(
			chat(1, "chat ok", "gen_ai.usage.input_tokens", 1000, "gen_ai.usage.output_tokens", 10),
			chat(2, "chat huge", "gen_ai.usage.input_tokens", 1<<62),
			chat(3, "chat max", "gen_ai.usage.output_tokens", 1<<63-1),
			chat(4, "chat past", "gen_ai.usage.input_tokens", 1_000_000_001),
			chat(5, "chat negative", "gen_ai.usage.input_tokens", -1),
		); !strings.Contains(msg, "must be between 0 and 1000000000") {
			t.Errorf("the message does not give the range: %s", msg)
		}
		if msg := send(
			chat(6, "chat \x00 name"),
			chat(7, "chat prompt", "gen_ai.prompt", "a\x00b"),
			chat(8, "chat model", "gen_ai.request.model", "gpt\x00"),
			chat(9, "chat also ok"),
		); strings.Count(msg, "must not contain the NUL character") != 3 {
			t.Errorf("the message does not refuse NUL thrice: %s", msg)
		}

		var d struct {
			ProjectByName struct {
				TotalTokens int64
				Traces      struct {
					Nodes []struct {
						LLMCalls struct{ Nodes []struct{ Name string } }
					}
				}
			}
		}
		query(t, srv, `{ projectByName(name: "ranges") { totalTokens traces { nodes { llmCalls { nodes { name } } } } } }`, &d)
		p := d.ProjectByName
		if p.TotalTokens != 1010 || len(p.Traces.Nodes) != 1 || len(p.Traces.Nodes[0].LLMCalls.Nodes) != 2 {
			t.Errorf("stored %+v, want the two good spans alone, with 1010 tokens", p)
		}
	})
}
