package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/allocs"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// The JSON nesting limit and the decoding budget, through every way JSON
// comes in: GraphQL POST bodies, GET parameters, JSON values written in the
// document, and /v1/ingest bodies.

// nested is n levels of objects ({"a": ...}) or arrays, 1 inside.
func nested(n int, arrays bool) string {
	if arrays {
		return strings.Repeat("[", n) + "1" + strings.Repeat("]", n)
	}
	return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
}

// below is the path, under at, of the value n levels down in nested.
func below(at string, n int, arrays bool) string {
	if arrays {
		return at + strings.Repeat("[0]", n)
	}
	return at + strings.Repeat(".a", n)
}

// newBudgetEnv is newIngestEnv with every request given a budget of limit
// bytes, as the server gives them.
func newDecodeEnv(t *testing.T, b dbtest.Backend, limit int64) *ingestEnv {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	svc := ingest.New(store, ingest.Options{})
	limits := graph.Limits{MemoryBytes: limit}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait, Ingest: svc, Limits: limits}))
	mux.Handle("/v1/ingest", ingestapi.NewHandler(svc, ingestLimits(limits)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &ingestEnv{env: &env{store: store, url: srv.URL + "/graphql"}, ingestURL: srv.URL + "/v1/ingest"}
}

// metricTrace is a trace with one metric whose resultDetail is detail.
func metricTrace(detail string) string {
	return `{"project": "deep", "externalId": "t", "startTime": "2026-02-01T10:00:00Z",
		"metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:01Z", "resultDetail": ` + detail + `}]}`
}

// refused checks an answer refused before anything ran: status, code, the
// field, and no data. A wantStatus of 0 checks only code and field.
func refused(t *testing.T, status int, body []byte, wantStatus int, wantCode, wantField string) {
	t.Helper()
	var r struct {
		Data   *json.RawMessage `json:"data"`
		Errors []gqlError       `json:"errors"`
	}
	if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) == 0 {
		t.Fatalf("%d %.300s", status, body)
	}
	ext := r.Errors[0].Extensions
	if wantStatus == 0 {
		status, r.Data = 0, nil
	}
	if status != wantStatus || ext["code"] != wantCode || r.Data != nil {
		t.Fatalf("status %d, code %v, want %d %s without data: %.300s", status, ext["code"], wantStatus, wantCode, body)
	}
	if field, _ := ext["field"].(string); field != wantField {
		t.Fatalf("field %q,\nwant  %q", field, wantField)
	}
}

func TestJSONNestingInGraphQL(t *testing.T) {
	const mutation = `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`
	body := func(detail string) []byte {
		return []byte(`{"query": "` + mutation + `", "variables": {"input": [` + metricTrace(detail) + `]}}`)
	}
	// The body, its variables, input, the trace, metrics, the metric: the
	// resultDetail value is the body's 7th level.
	const detailLevel = 7
	const field = "input[0].metrics[0].resultDetail"
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newDecodeEnv(t, b, budget.DefaultBytes)
		for _, arrays := range []bool{false, true} {
			kind := map[bool]string{false: "objects", true: "arrays"}[arrays]
			t.Run(kind+" in a variable, at the limit", func(t *testing.T) {
				levels := jsonlimit.MaxDepth - detailLevel + 1
				if r := e.postRaw(t, body(nested(levels, arrays))); r.status != 200 || len(r.Errors) > 0 {
					t.Fatalf("%d %.300s", r.status, r.body)
				}
			})
			t.Run(kind+" in a variable, a level too deep", func(t *testing.T) {
				levels := jsonlimit.MaxDepth - detailLevel + 2
				r := e.postRaw(t, body(nested(levels, arrays)))
				refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", below(field, levels-1, arrays))
			})
			t.Run(kind+" in a variable, 50,000 levels", func(t *testing.T) {
				raw := body(nested(50000, arrays))
				allocs.Cheap(t, len(raw), 10, func() {
					r := e.postRaw(t, raw)
					refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", below(field, jsonlimit.MaxDepth+1-detailLevel, arrays))
				})
			})
			t.Run(kind+" written in the document", func(t *testing.T) {
				literal := func(n int) string { // GraphQL's notation: keys unquoted
					return strings.ReplaceAll(nested(n, arrays), `"a"`, "a")
				}
				doc := func(detail string) string {
					return `mutation { ingestTraces(input: [{project: "deep", externalId: "t-inline", startTime: "2026-02-01T10:00:00Z",
						metrics: [{metricName: "m", timestamp: "2026-02-01T10:00:01Z", resultDetail: ` + detail + `}]}]) { traces { id } } }`
				}
				if r := e.do(t, doc(literal(jsonlimit.MaxDepth)), nil); r.status != 200 || len(r.Errors) > 0 {
					t.Fatalf("at the limit: %d %.300s", r.status, r.body)
				}
				// Refused as the argument is read, during execution: its status
				// is that of errors there with the same code.
				for _, n := range []int{jsonlimit.MaxDepth + 1, 900} { // gqlparser parses at most 1,000
					r := e.do(t, doc(literal(n)), nil)
					refused(t, r.status, r.body, 0, "INVALID_ARGUMENT", below(field, jsonlimit.MaxDepth, arrays))
				}
			})
			t.Run(kind+" in GET variables and extensions", func(t *testing.T) {
				get := func(param, doc string) (int, []byte) {
					status, _, b := httpGet(t, e.url+"?query="+url.QueryEscape("{ __typename }")+"&"+param+"="+url.QueryEscape(doc), nil)
					return status, b
				}
				// The parameter is the document: its "v" is the 2nd level.
				if status, b := get("variables", `{"v": `+nested(jsonlimit.MaxDepth-1, arrays)+`}`); status != 200 {
					t.Fatalf("at the limit: %d %s", status, b)
				}
				status, b := get("variables", `{"v": `+nested(jsonlimit.MaxDepth, arrays)+`}`)
				refused(t, status, b, 400, "INVALID_ARGUMENT", below("v", jsonlimit.MaxDepth-1, arrays))
				status, b = get("extensions", `{"v": `+nested(20000, arrays)+`}`)
				refused(t, status, b, 400, "INVALID_ARGUMENT", below("extensions.v", jsonlimit.MaxDepth-1, arrays))
			})
		}
		t.Run("deep outside the variables", func(t *testing.T) {
			r := e.postRaw(t, []byte(`{"query": "{ __typename }", "extensions": {"x": `+nested(100, false)+`}}`))
			refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", below("extensions.x", jsonlimit.MaxDepth-2, false))
		})
		if n := countRows(t, e.env, "traces"); n != 2 {
			t.Errorf("%d traces stored, want the two at the limit", n)
		}
	})
}

func TestJSONNestingInIngestBodies(t *testing.T) {
	// The body, traces, the trace, metrics, the metric: resultDetail is the
	// body's 6th level.
	const detailLevel = 6
	const field = "traces[0].metrics[0].resultDetail"
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newDecodeEnv(t, b, budget.DefaultBytes)
		for _, arrays := range []bool{false, true} {
			kind := map[bool]string{false: "objects", true: "arrays"}[arrays]
			t.Run(kind+" at the limit", func(t *testing.T) {
				levels := jsonlimit.MaxDepth - detailLevel + 1
				if r := e.post(t, []byte(`{"traces": [`+metricTrace(nested(levels, arrays))+`]}`)); r.status != 200 {
					t.Fatalf("%d %.300s", r.status, r.body)
				}
			})
			t.Run(kind+" a level too deep", func(t *testing.T) {
				levels := jsonlimit.MaxDepth - detailLevel + 2
				r := e.post(t, []byte(`{"traces": [`+metricTrace(nested(levels, arrays))+`]}`))
				refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", below(field, levels-1, arrays))
			})
			t.Run(kind+" 50,000 levels, in the second trace's config", func(t *testing.T) {
				raw := []byte(`{"traces": [` + metricTrace("1") + `, {"project": "deep", "metrics": [{"config": ` + nested(50000, arrays) + `}]}]}`)
				allocs.Cheap(t, len(raw), 10, func() {
					r := e.post(t, raw)
					refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", below("traces[1].metrics[0].config", jsonlimit.MaxDepth+1-detailLevel, arrays))
				})
			})
		}
		t.Run("cut off deep", func(t *testing.T) {
			raw := []byte(`{"traces": [` + strings.Repeat("[", 100000))
			allocs.Cheap(t, len(raw), 10, func() {
				r := e.post(t, raw)
				refused(t, r.status, r.body, 400, "INVALID_ARGUMENT", "traces"+strings.Repeat("[0]", jsonlimit.MaxDepth-1))
			})
		})
		if n := countRows(t, e.env, "traces"); n != 1 {
			t.Errorf("%d traces stored, want the one at the limit", n)
		}
	})
}

// TestDecodingBudget sends bodies within the size limit whose decoding
// would take more than the request's memory budget: 413 before decoding,
// naming the budget; a body of prompts the same size passes.
func TestDecodingBudget(t *testing.T) {
	const mutation = `mutation($input: [TraceInput!]!) { ingestTraces(input: $input) { traces { id } } }`
	zeros := func(n int) string { return "[" + strings.Repeat("0,", n) + "0]" }
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newDecodeEnv(t, b, budget.DefaultBytes)
		const tiny = 4<<20 - 1000 // values of 2 bytes: just under 8 MiB
		// The bodies are built before measuring, so only the server's
		// allocations (and the client's sending) are counted.
		graphqlBody := []byte(`{"query": "` + mutation + `", "variables": {"input": ` + zeros(tiny) + `}}`)
		detailBody := []byte(`{"traces": [` + metricTrace(zeros(tiny)) + `]}`)
		emptyBody := []byte(`{"traces": [` + strings.Repeat("{},", tiny/2) + `{}]}`)
		for name, send := range map[string]func() (int, []byte){
			"GraphQL variables of tiny numbers": func() (int, []byte) {
				r := e.postRaw(t, graphqlBody)
				return r.status, r.body
			},
			"ingest: tiny numbers in a resultDetail": func() (int, []byte) {
				r := e.post(t, detailBody)
				return r.status, r.body
			},
			"ingest: empty traces": func() (int, []byte) {
				r := e.post(t, emptyBody)
				return r.status, r.body
			},
		} {
			t.Run(name, func(t *testing.T) {
				var status int
				var body []byte
				allocs.Cheap(t, 8<<20, 10, func() { status, body = send() }) // refused before decoding
				refused(t, status, body, 413, "PAYLOAD_TOO_LARGE", "")
				if !strings.Contains(string(body), "memory budget of 64 MiB") {
					t.Errorf("the message does not name the budget: %.300s", body)
				}
			})
		}
		t.Run("a body of prompts as big passes", func(t *testing.T) {
			prompt := strings.Repeat("x", 1<<20)
			traces := make([]string, 7)
			for i := range traces {
				traces[i] = `{"project": "big", "externalId": "p` + string(rune('0'+i)) + `", "startTime": "2026-02-01T10:00:00Z",
					"llmCalls": [{"name": "chat", "startTime": "2026-02-01T10:00:00Z", "inputPrompt": "` + prompt + `"}]}`
			}
			list := "[" + strings.Join(traces, ",") + "]"
			if r := e.post(t, []byte(`{"traces": `+list+`}`)); r.status != 200 {
				t.Fatalf("/v1/ingest: %d %.300s", r.status, r.body)
			}
			if r := e.postRaw(t, []byte(`{"query": "`+mutation+`", "variables": {"input": `+list+`}}`)); r.status != 200 || len(r.Errors) > 0 {
				t.Fatalf("GraphQL: %d %.300s", r.status, r.body)
			}
		})
		t.Run("a small budget", func(t *testing.T) {
			// A URL cannot be long enough to take 64 MiB; GET parameters are
			// charged all the same.
			small := newDecodeEnv(t, b, 1<<20)
			r := small.post(t, []byte(`{"traces": [`+metricTrace(zeros(50000))+`]}`))
			refused(t, r.status, r.body, 413, "PAYLOAD_TOO_LARGE", "")
			status, _, got := httpGet(t, small.url+"?query="+url.QueryEscape("{ __typename }")+"&variables="+url.QueryEscape(`{"v": `+zeros(20000)+`}`), nil)
			refused(t, status, got, 413, "PAYLOAD_TOO_LARGE", "")
			for _, body := range [][]byte{r.body, got} {
				if !strings.Contains(string(body), "memory budget of 1 MiB") {
					t.Errorf("the message does not name the budget: %s", body)
				}
			}
			if r := small.post(t, []byte(`{"traces": [`+metricTrace(zeros(100))+`]}`)); r.status != 200 {
				t.Fatalf("a small body: %d %s", r.status, r.body)
			}
		})
	})
}
