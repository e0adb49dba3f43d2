package export_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// TestExportParametersRefuseBadText sends NUL and invalid UTF-8 in text
// parameters and non-finite numbers: each is a 400 naming the parameter,
// the same on both databases (PostgreSQL cannot compare such text).
func TestExportParametersRefuseBadText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		store := dbtest.MustOpen(t, b)
		if err := demo.Load(context.Background(), store, 1, demo.Scale{Projects: 1, TracesPerProject: 2, LLMCallsPerTrace: 1}); err != nil {
			t.Fatal(err)
		}
		base := serve(t, store)
		cases := []struct{ query, param string }{
			{"/export/traces.csv?project=a%00b", "project"},
			{"/export/llm_calls.csv?model=gpt%00", "model"},
			{"/export/traces.ndjson?search=shoes%00", "search"},
			{"/export/errors.csv?fingerprint=%FF%FE", "fingerprint"},
			{"/export/metrics.csv?metricName=%00", "metricName"},
			{"/export/llm_calls.csv?minCost=NaN", "minCost"},
			{"/export/traces.csv?maxDuration=Inf", "maxDuration"},
			{"/export/traces.csv?minCost=1e400", "minCost"},
		}
		for _, c := range cases {
			status, _, body := get(t, base+c.query)
			if status != http.StatusBadRequest || !strings.Contains(string(body), c.param) {
				t.Errorf("%s: %d %s", c.query, status, body)
			}
		}
		if status, _, body := get(t, base+"/export/llm_calls.csv?model=gpt&minCost=0"); status != http.StatusOK {
			t.Errorf("good parameters: %d %s", status, body)
		}
	})
}
