package hostile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The suite's projects.
const (
	probeProject     = "hostile-probe"     // the probe's, empty but for its writes
	analyticsProject = "hostile-analytics" // 2,000 small traces over 3.5 days
	bigProject       = "hostile-big"       // 100 LLM calls with 1 MB prompts
)

// Sizes of the seeded data.
const (
	analyticsTraces = 2000
	bigCalls        = 100
	bigPromptBytes  = 1_000_000
	bigCallsPerBody = 8 // 8 MB of prompts fit one 8 MiB body
)

// analyticsStart is the first trace's start, a Monday; traces follow every
// analyticsStep, so the project spans 3.5 days.
var (
	analyticsStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	analyticsStep  = 151 * time.Second
)

// vocabulary is the words of the seeded prompts, which searches look for.
var vocabulary = strings.Fields(`alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike
november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil cedar
dune ember fern grove harbor iris jade`)

// seeded is what the cases need to know of the seeded data.
type seeded struct {
	analyticsID string    // global id of analyticsProject
	from, to    time.Time // the analytics project's time span
	traceID     string    // a trace of analyticsProject
	bigCallIDs  []string  // the big project's LLM calls
}

// seedData writes the suite's data through /v1/ingest, as a client would.
func (h *harness) seedData(t *testing.T) {
	t.Helper()
	start := time.Now()
	const batch = 500
	for lo := 0; lo < analyticsTraces; lo += batch {
		traces := make([]any, 0, batch)
		for i := lo; i < min(lo+batch, analyticsTraces); i++ {
			traces = append(traces, analyticsTrace(analyticsProject, fmt.Sprintf("a-%d", i), i))
		}
		h.mustIngest(t, traces)
	}
	prompt := strings.Repeat("lorem ipsum dolor sit amet ", bigPromptBytes/27+1)[:bigPromptBytes]
	for lo := 0; lo < bigCalls; lo += bigCallsPerBody {
		var calls []any
		for i := lo; i < min(lo+bigCallsPerBody, bigCalls); i++ {
			at := analyticsStart.Add(time.Duration(i) * time.Second)
			calls = append(calls, map[string]any{
				"externalId": fmt.Sprintf("big-call-%d", i), "name": "chat", "model": "gpt-4o",
				"inputPrompt": prompt, "startTime": at, "endTime": at.Add(time.Second),
				"tokenUsage": map[string]any{"input": 250000, "completion": 10},
			})
		}
		h.mustIngest(t, []any{map[string]any{
			"project": bigProject, "externalId": fmt.Sprintf("big-%d", lo), "startTime": analyticsStart,
			"endTime": analyticsStart.Add(time.Hour), "llmCalls": calls,
		}})
	}

	var d struct {
		A struct {
			ID     string
			Traces struct{ Nodes []struct{ ID string } }
		}
		B struct {
			LLMCalls struct{ Nodes []struct{ ID string } }
		}
	}
	h.mustQuery(t, fmt.Sprintf(`{ a: projectByName(name: %q) { id traces(first: 1) { nodes { id } } }
		b: projectByName(name: %q) { llmCalls: llmCalls(first: 100) { nodes { id } } } }`, analyticsProject, bigProject), &d)
	if len(d.A.Traces.Nodes) != 1 || len(d.B.LLMCalls.Nodes) != bigCalls {
		t.Fatalf("seeded data not found: %+v", d)
	}
	h.seed = seeded{
		analyticsID: d.A.ID,
		from:        analyticsStart,
		to:          analyticsStart.Add(84 * time.Hour),
		traceID:     d.A.Traces.Nodes[0].ID,
	}
	for _, n := range d.B.LLMCalls.Nodes {
		h.seed.bigCallIDs = append(h.seed.bigCallIDs, n.ID)
	}
	t.Logf("%s: seeded %d traces and %d LLM calls of %d bytes in %s", h.backend, analyticsTraces, bigCalls, bigPromptBytes, time.Since(start).Round(time.Millisecond))
}

// analyticsTrace is trace i of a project like the analytics one: an agent
// with an LLM call and a tool call, and an error in every tenth; its
// entities' external ids start with the trace's, id.
func analyticsTrace(project, id string, i int) map[string]any {
	at := analyticsStart.Add(time.Duration(i) * analyticsStep)
	words := make([]string, 12)
	for j := range words {
		words[j] = vocabulary[(i*7+j*5)%len(vocabulary)]
	}
	models := []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet"}
	t := map[string]any{
		"project": project, "externalId": id,
		"startTime": at, "endTime": at.Add(10 * time.Second),
		"agentCalls": []any{map[string]any{
			"externalId": id + "-agent", "name": fmt.Sprintf("agent-%d", i%5), "startTime": at, "endTime": at.Add(9 * time.Second),
			"llmCalls": []any{map[string]any{
				"externalId": id + "-llm", "name": "chat", "model": models[i%len(models)],
				"inputPrompt": strings.Join(words, " "), "output": strings.Join(words[3:9], " "),
				"startTime": at.Add(time.Second), "endTime": at.Add(3 * time.Second),
				"tokenUsage": map[string]any{"input": 100 + i%50, "completion": 20},
			}},
			"toolCalls": []any{map[string]any{
				"externalId": id + "-tool", "name": fmt.Sprintf("tool-%d", i%4), "inputParameters": `{"q": "` + words[0] + `"}`,
				"startTime": at.Add(4 * time.Second), "endTime": at.Add(5 * time.Second),
			}},
		}},
	}
	if i%10 == 0 {
		t["errors"] = []any{map[string]any{"errorType": "Tool", "errorMessage": fmt.Sprintf("timeout after %ds", i%7), "timestamp": at.Add(5 * time.Second), "toolCallExternalId": id + "-tool"}}
	}
	return t
}

// seedTimeout bounds each seeding request; seeding is not what is tested.
const seedTimeout = 2 * time.Minute

func (h *harness) mustIngest(t *testing.T, traces []any) {
	t.Helper()
	a := send(h.client, h.srv.URL, request{path: "/v1/ingest", key: h.keys.admin, body: mustJSON(map[string]any{"traces": traces})}, seedTimeout)
	if a.err != nil || a.status != http.StatusOK || len(a.doc.Traces) != len(traces) {
		t.Fatalf("seeding through /v1/ingest: %s", a.summary())
	}
}

// mustQuery runs a query with the admin key and decodes its data into out.
func (h *harness) mustQuery(t *testing.T, query string, out any) {
	t.Helper()
	a := send(h.client, h.srv.URL, graphql(h.keys.admin, query, nil), seedTimeout)
	if a.err != nil || a.status != http.StatusOK || len(a.doc.Errors) > 0 || !a.hasData() {
		t.Fatalf("query %s: %s", query, a.summary())
	}
	if err := json.Unmarshal(*a.doc.Data, out); err != nil {
		t.Fatalf("query %s: decode: %v", query, err)
	}
}
