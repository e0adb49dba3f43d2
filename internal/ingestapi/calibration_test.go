package ingestapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// TestDecodedBytesCalibration holds the estimate the budget is charged with
// for a /v1/ingest body near what decoding it allocates, on the
// shapes that cost most per byte and on realistic ones: at least 3/4 of
// it, at most 3 times it (5 for a body of headers, which decode into map
// entries smaller than the structs of other list elements: the estimate
// does not tell them apart).
func TestDecodedBytesCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation")
	}
	const n = 1 << 20
	for name, c := range map[string]struct {
		body string
		most float64
	}{
		"empty traces":          {body: `{"traces":[` + strings.Repeat("{},", n/3) + `{}]}`},
		"empty metrics":         {body: `{"traces":[{"metrics":[` + strings.Repeat("{},", n/3) + `{}]}]}`},
		"numbers in a detail":   {body: `{"traces":[{"metrics":[{"resultDetail":[` + strings.Repeat("0,", n/2) + `0]}]}]}`},
		"objects in a detail":   {body: `{"traces":[{"metrics":[{"config":[` + strings.Repeat(`{"a":0},`, n/8) + `0]}]}]}`},
		"headers":               {body: `{"traces":[{"toolCalls":[{"networkCalls":[{"requestHeaders":[` + headers(n/30) + `{}]}]}]}]}`, most: 5},
		"prompts":               {body: `{"traces":[` + strings.Repeat(`{"llmCalls":[{"inputPrompt":"`+strings.Repeat("x", 100000)+`"}]},`, 40) + `{}]}`},
		"traces of every field": {body: fixture.Body(1000)},
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte(c.body)
			fixed, loose, err := jsonlimit.Split(raw, func(key []byte) bool { return freeKeys[string(key)] })
			if err != nil {
				t.Fatal(err)
			}
			est := decodedBytes(fixed, loose, len(raw))
			most := max(c.most, 3)
			m := allocs.Of(func() any { r, _ := decode(raw); return r })
			t.Logf("%d est %d %.2f", m, est, float64(est)/float64(m))
			if ratio := float64(est) / float64(m); ratio < 0.75 || ratio > most {
				t.Errorf("decoding allocated %d bytes, estimated %d (%.2f times)", m, est, ratio)
			}
		})
	}
}

// headers are k headers of distinct names (the same name would be one
// entry of the decoded map), each followed by a comma.
func headers(k int) string {
	var b strings.Builder
	for i := range k {
		fmt.Fprintf(&b, `{"name":"h%d","value":"b"},`, i)
	}
	return b.String()
}
