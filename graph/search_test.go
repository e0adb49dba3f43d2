package graph_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// These tests check the search filter through GraphQL on both databases:
// which texts it covers, how it splits words, and that it follows every
// write and delete. On PostgreSQL it reads per-trace documents written by
// ingestion, so most of them are about keeping those documents true.

const searchTime = "2026-01-01T00:00:00Z"

// searchNow is when the retention job runs in these tests.
var searchNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// ingestTraces sends traces in one ingestTraces call.
func (e *env) ingestTraces(t *testing.T, traces ...map[string]any) {
	t.Helper()
	e.mustData(t, `mutation($in: [TraceInput!]!) { ingestTraces(input: $in) { traces { id } } }`, map[string]any{"in": traces}, &struct{}{})
}

// searchKeys returns the sorted external ids of the traces search finds.
func (e *env) searchKeys(t *testing.T, search string) []string {
	t.Helper()
	var data struct {
		Traces struct{ Nodes []struct{ ExternalID string } }
	}
	e.mustData(t, `query($s: String) { traces(first: 100, filter: {search: $s}) { nodes { externalId } } }`, map[string]any{"s": search}, &data)
	keys := []string{}
	for _, n := range data.Traces.Nodes {
		keys = append(keys, n.ExternalID)
	}
	slices.Sort(keys)
	return keys
}

// expectSearch checks what each search finds: a space-separated list of
// trace keys, "" for none.
func (e *env) expectSearch(t *testing.T, cases map[string]string) {
	t.Helper()
	for _, search := range slices.Sorted(maps.Keys(cases)) {
		want := strings.Fields(cases[search])
		slices.Sort(want)
		if got := e.searchKeys(t, search); !slices.Equal(got, want) {
			t.Errorf("search %q found %v, want %v", search, got, want)
		}
	}
}

// trace is a trace input in project p with key and the given fields.
func trace(p, key string, fields map[string]any) map[string]any {
	tr := map[string]any{"project": p, "externalId": key, "startTime": searchTime}
	for k, v := range fields {
		tr[k] = v
	}
	return tr
}

// llm, tool and interaction are inputs with an external id unless key is
// empty (ingestion then derives one from the trace's key and the position).
func llm(key, prompt, output string) map[string]any {
	return keyed(key, map[string]any{"name": "chat", "startTime": searchTime, "inputPrompt": prompt, "output": output})
}

func tool(key, input, output string) map[string]any {
	return keyed(key, map[string]any{"name": "lookup", "startTime": searchTime, "inputParameters": input, "output": output})
}

func interaction(key, content string) map[string]any {
	return keyed(key, map[string]any{"interactionType": "input", "content": content, "timestamp": searchTime})
}

func keyed(key string, input map[string]any) map[string]any {
	if key != "" {
		input["externalId"] = key
	}
	return input
}

func list(items ...map[string]any) []map[string]any { return items }

func TestSearchCoversEveryText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		e.ingestTraces(t,
			trace("p", "prompt", map[string]any{"llmCalls": list(llm("", "Please summarise the Quarterly report", "Done."))}),
			trace("p", "output", map[string]any{"llmCalls": list(llm("", "", "The capital is Lisbon"))}),
			trace("p", "tool-in", map[string]any{"toolCalls": list(tool("", `{"city": "Porto"}`, "ok"))}),
			trace("p", "tool-out", map[string]any{"toolCalls": list(tool("", "{}", "Weather: sunny, 21°C, humidity 40%"))}),
			trace("p", "interaction", map[string]any{"userInteractions": list(interaction("", "I need a refund for order 8812"))}),
			trace("p", "agent", map[string]any{"agentCalls": list(map[string]any{"name": "planner", "startTime": searchTime,
				"llmCalls": list(llm("", "plan the itinerary", "")), "toolCalls": list(tool("", "", "booked flight")),
				"userInteractions": list(interaction("", "window seat"))})}),
			trace("p", "host", map[string]any{"llmCalls": list(llm("", "visit foo.bar.com now", ""))}),
			trace("p", "hyphen", map[string]any{"toolCalls": list(tool("", "", "a foo-bar thing"))}),
			trace("p", "mixed", map[string]any{"llmCalls": list(llm("", "quarterly numbers", "")), "toolCalls": list(tool("", "", "Lisbon office"))}),
			trace("p", "quotes", map[string]any{"userInteractions": list(interaction("", `Mr O'Brien said "x & !y | (z)" \ done:*`))}),
			trace("p", "unicode", map[string]any{"llmCalls": list(llm("", "Grüße aus MÜNCHEN, 東京 ok", ""))}),
			trace("p", "empty", map[string]any{"llmCalls": list(map[string]any{"name": "chat", "startTime": searchTime})}),
		)
		e.expectSearch(t, map[string]string{
			"quarterly":        "prompt mixed",
			"QUARTER":          "prompt mixed",
			"lisbon":           "output mixed",
			"porto":            "tool-in",
			"sunny":            "tool-out",
			"21":               "tool-out",
			"refund":           "interaction",
			"8812":             "interaction",
			"itinerary":        "agent",
			"booked":           "agent",
			"window":           "agent",
			"bar":              "host hyphen",
			"com":              "host",
			"foo.bar":          "host hyphen",
			"foo-bar":          "host hyphen",
			"quarterly lisbon": "mixed",
			"quart lisb":       "mixed",
			"quarterly sunny":  "",
			"summarise report": "prompt",
			"ummarise":         "",
			"brien":            "quotes",
			"o'brien":          "quotes",
			`brien)&!|:*\`:     "quotes",
			"grüß":             "unicode",
			"münchen":          "unicode",
			"東京":               "unicode",
			"nosuchword":       "",
		})
	})
}

func TestSearchFollowsRewrites(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		e.ingestTraces(t, trace("p", "t", map[string]any{
			"llmCalls": list(llm("c1", "alpha apple", "")), "toolCalls": list(tool("k1", "", "kiwi")),
			"userInteractions": list(interaction("i1", "delta")),
		}))
		// The same trace again, with another call only: OTLP sends a trace's spans over several exports.
		e.ingestTraces(t, trace("p", "t", map[string]any{"llmCalls": list(llm("c2", "bravo banana", ""))}))
		e.expectSearch(t, map[string]string{"alpha": "t", "bravo": "t", "alpha bravo": "t", "kiwi": "t", "delta": "t"})

		// A re-sent call replaces its words; the trace's other calls keep theirs.
		e.ingestTraces(t,
			trace("p", "t", map[string]any{"llmCalls": list(llm("c1", "charlie cherry", ""))}),
			trace("p", "u", map[string]any{"llmCalls": list(llm("", "unrelated umbrella", ""))}),
		)
		e.expectSearch(t, map[string]string{"alpha": "", "apple": "", "charlie": "t", "bravo": "t", "kiwi": "t", "umbrella": "u"})

		e.ingestTraces(t, trace("p", "t", map[string]any{"toolCalls": list(tool("k1", "", "lemon"))}))
		e.ingestTraces(t, trace("p", "t", map[string]any{"userInteractions": list(interaction("i1", "echo"))}))
		e.expectSearch(t, map[string]string{"kiwi": "", "lemon": "t", "delta": "", "echo": "t", "charlie bravo": "t", "umbrella": "u"})

		// One call sending the trace twice: the second version wins.
		e.ingestTraces(t,
			trace("p", "t", map[string]any{"llmCalls": list(llm("c2", "foxtrot", ""))}),
			trace("p", "t", map[string]any{"llmCalls": list(llm("c2", "golf", ""))}),
		)
		e.expectSearch(t, map[string]string{"foxtrot": "", "banana": "", "golf": "t", "charlie": "t", "lemon echo": "t", "umbrella": "u"})
	})
}

func TestSearchForgetsDeletedTraces(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		at := func(key, project, start string) map[string]any {
			tr := trace(project, key, map[string]any{"llmCalls": list(llm("", "shared "+key+"word", ""))})
			tr["startTime"] = start
			return tr
		}
		e.ingestTraces(t, at("a", "p1", searchTime), at("b", "p1", searchTime), at("c", "p2", searchTime), at("old", "p3", "2020-01-01T00:00:00Z"))
		id := func(query string) string {
			var data struct {
				ProjectByName struct {
					ID     string
					Traces struct {
						Nodes []struct{ ID, ExternalID string }
					}
				}
			}
			e.mustData(t, query, nil, &data)
			for _, n := range data.ProjectByName.Traces.Nodes {
				if n.ExternalID == "a" {
					return n.ID
				}
			}
			return data.ProjectByName.ID
		}
		e.mustData(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`,
			map[string]any{"id": id(`{ projectByName(name: "p1") { id traces { nodes { id externalId } } } }`)}, &struct{}{})
		e.expectSearch(t, map[string]string{"shared": "b c old", "aword": ""})

		e.mustData(t, `mutation($id: ID!) { setProjectRetention(projectId: $id, days: 30) { id } }`,
			map[string]any{"id": id(`{ projectByName(name: "p3") { id } }`)}, &struct{}{})
		if _, err := ingest.New(e.store, ingest.Options{}).EnforceRetention(t.Context(), searchNow); err != nil {
			t.Fatal(err)
		}
		e.expectSearch(t, map[string]string{"shared": "b c", "oldword": ""})

		e.mustData(t, `mutation($id: ID!) { deleteProject(id: $id) { deletedId } }`,
			map[string]any{"id": id(`{ projectByName(name: "p2") { id } }`)}, &struct{}{})
		e.expectSearch(t, map[string]string{"shared": "b", "cword": "", "bword": "b"})
		if b.Name == "postgres" {
			var left []int64
			mustNil(t, e.store.Gorm().Raw(`SELECT DISTINCT trace_id FROM trace_search`).Scan(&left).Error)
			var kept []int64
			mustNil(t, e.store.Gorm().Raw(`SELECT id FROM traces`).Scan(&kept).Error)
			if !slices.Equal(left, kept) {
				t.Errorf("search documents of traces %v left for traces %v", left, kept)
			}
		}
	})
}

// TestSearchManyAndLongWords writes a trace with more distinct words than
// one PostgreSQL tsvector holds (1 MiB of lexemes), and words longer than
// a lexeme may be (2047 bytes).
func TestSearchManyAndLongWords(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		const perText = 50000
		texts := make([]string, 3)
		for i := range texts {
			var sb strings.Builder
			for j := range perText {
				fmt.Fprintf(&sb, "w%07d ", i*perText+j)
			}
			texts[i] = sb.String()
		}
		long := "long" + strings.Repeat("abc", 1000)     // 3004 bytes
		wide := "wide" + strings.Repeat("é", 1500) + "z" // 3005 bytes: PostgreSQL's clip must fall between runes
		e.ingestTraces(t,
			trace("p", "big", map[string]any{"llmCalls": list(llm("", texts[0], texts[1])), "toolCalls": list(tool("", "", texts[2]))}),
			trace("p", "long", map[string]any{"toolCalls": list(tool("", "", "x "+long+" y "+wide))}),
			trace("p", "small", map[string]any{"llmCalls": list(llm("", "w9999999 other", ""))}),
		)
		e.expectSearch(t, map[string]string{
			"w0000000":                   "big",
			"w0149999":                   "big",
			"w0075000":                   "big",
			"w0000001 w0100001 w0149998": "big",
			"w00":                        "big",
			"w9":                         "small",
			"w":                          "big long small",
			"longabcabc":                 "long",
			long[:db.MaxSearchBytes]:     "long", // the longest search there may be
			"wideéé":                     "long",
			wide[:db.MaxSearchBytes]:     "long",
			"wideééz":                    "",
		})
		if b.Name == "postgres" {
			// Spread over documents that stay in their rows (see search_doc.go).
			var docs struct {
				N       int
				Largest int
				Toasted int64
			}
			mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) AS n, MAX(pg_column_size(s.document)) AS largest,
				(SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'trace_search') AS toasted
				FROM trace_search s JOIN traces t ON t.id = s.trace_id WHERE t.external_id = 'big'`).Scan(&docs).Error)
			if docs.N < 3 || docs.Largest > 6000 || docs.Toasted != 0 {
				t.Errorf("the big trace has %d search documents of up to %d bytes, %d bytes out of line; want more than 1 MiB in rows of at most 6000", docs.N, docs.Largest, docs.Toasted)
			}
			t.Logf("the big trace has %d search documents of up to %d bytes", docs.N, docs.Largest)
		}
	})
}

func TestSearchKeepsToTheCallersProjects(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		e.ingestTraces(t,
			trace("mine", "m", map[string]any{"llmCalls": list(llm("", "shared minepart", ""))}),
			trace("theirs", "o", map[string]any{"llmCalls": list(llm("", "shared theirpart", ""))}),
		)
		p, err := e.store.FindProjectByName(t.Context(), "mine")
		mustNil(t, err)
		h := graph.NewHandler(e.store, graph.Options{LoaderWait: testLoaderWait})
		key := &auth.Principal{Role: auth.Read, Projects: []int64{p.ID}}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(auth.With(r.Context(), key)))
		}))
		t.Cleanup(srv.Close)
		scoped := &env{store: e.store, url: srv.URL}
		scoped.expectSearch(t, map[string]string{"shared": "m", "minepart": "m", "theirpart": "", "shared theirpart": ""})
		e.expectSearch(t, map[string]string{"shared": "m o", "theirpart": "o"})
	})
}

// TestSearchDocumentsTakeFixedStatements checks that writing the search
// documents keeps an ingest call's statements independent of its traces,
// for new traces and for re-sent ones whose texts changed.
func TestSearchDocumentsTakeFixedStatements(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		batch := func(prefix string, n int, version string) []map[string]any {
			var out []map[string]any
			for i := range n {
				key := fmt.Sprintf("%s%d", prefix, i)
				out = append(out, trace("p", key, map[string]any{
					"llmCalls":         list(llm("", "prompt "+version+key, "out"+version)),
					"toolCalls":        list(tool("", "{}", "tool"+version)),
					"userInteractions": list(interaction("", "said"+version)),
				}))
			}
			return out
		}
		e.ingestTraces(t, trace("p", "warm", nil)) // the project exists before counting
		n := countStatements(t, e.store)
		counts := map[string]int64{}
		for _, size := range []int{1, 150} {
			prefix := fmt.Sprintf("s%d-", size)
			for _, version := range []string{"first", "second"} {
				before := n.Load()
				e.ingestTraces(t, batch(prefix, size, version)...)
				counts[fmt.Sprint(size, version)] = n.Load() - before
			}
			e.expectSearch(t, map[string]string{"first" + prefix + "0": "", "second" + prefix + "0": prefix + "0"})
		}
		t.Logf("statements per ingest call: %v", counts)
		for _, version := range []string{"first", "second"} {
			if counts["1"+version] != counts["150"+version] {
				t.Errorf("%s write: %d statements for 1 trace, %d for 150", version, counts["1"+version], counts["150"+version])
			}
		}
	})
}
