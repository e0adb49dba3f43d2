package otlp_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// TestReadmeExample posts the README's OTLP/JSON example and reads it back,
// so the copy-paste example keeps working.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\n(\\{\"resourceSpans\".*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("no OTLP/JSON example in the README")
	}
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		srv := server(t, dbtest.MustOpen(t, b))
		res, err := http.Post(srv.URL+"/v1/traces", "application/json", strings.NewReader(string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("README example answered %d", res.StatusCode)
		}
		var data any
		query(t, srv, `{ projectByName(name: "otel-demo") { traces { nodes { agentCalls { nodes { name llmCalls { nodes { model tokenUsage { total } cost { total } } } } } } } } }`, &data)
		got, _ := json.Marshal(data)
		// gpt-4o-mini: 1200 x 0.15 + 300 x 0.60 USD per million tokens.
		for _, want := range []string{`"name":"planner"`, `"model":"gpt-4o-mini"`, `"tokenUsage":{"total":1500}`, `"cost":{"total":0.00036}`} {
			if !strings.Contains(string(got), want) {
				t.Fatalf("README example not stored as documented, no %s in %s", want, got)
			}
		}
	})
}
