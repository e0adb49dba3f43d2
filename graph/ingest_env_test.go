package graph_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentgraph/agentgraph/graph"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
	"github.com/agentgraph/agentgraph/internal/ingestapi/ingesttest"
)

// ingestEnv serves GraphQL at /graphql and POST /v1/ingest over one
// ingestion service, as the server does.
type ingestEnv struct {
	*env
	ingestURL string
}

func newIngestEnv(t *testing.T, b dbtest.Backend, opts ingest.Options, limits graph.Limits) *ingestEnv {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	svc := ingest.New(store, opts)
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(store, graph.Options{LoaderWait: testLoaderWait, Ingest: svc, Limits: limits}))
	mux.Handle("/v1/ingest", ingestapi.NewHandler(svc, ingestLimits(limits)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &ingestEnv{env: &env{store: store, url: srv.URL + "/graphql"}, ingestURL: srv.URL + "/v1/ingest"}
}

// ingestLimits are the limits of /v1/ingest the server derives from
// GraphQL's (cmd/api).
func ingestLimits(l graph.Limits) httpx.Limits {
	return httpx.Limits{MaxBodyBytes: l.MaxBodyBytes, Timeout: l.Timeout, MemoryBytes: l.MemoryBytes, MaxInFlight: l.MaxInFlight}
}

// ingestReply is an answer of POST /v1/ingest (ingesttest.Reply) under the
// names this package's tests read.
type ingestReply struct {
	ingesttest.Reply
	status int
	header http.Header
	body   []byte
}

func (r ingestReply) code() string { return r.Code() }

func (r ingestReply) field() any { return r.Field() }

// post sends body to /v1/ingest as JSON; header holds more header pairs.
func (e *ingestEnv) post(t *testing.T, body []byte, header ...string) ingestReply {
	t.Helper()
	return postIngest(t, e.ingestURL, body, header...)
}

func postIngest(t *testing.T, url string, body []byte, header ...string) ingestReply {
	t.Helper()
	r := ingesttest.Post(t, url, body, header...)
	return ingestReply{Reply: r, status: r.Status, header: r.Header, body: r.Body}
}

// ingestBody is the body of /v1/ingest for traces.
func ingestBody(traces ...any) []byte {
	b, _ := json.Marshal(map[string]any{"traces": traces})
	return b
}

// countRows counts the rows of a table.
func countRows(t *testing.T, e *env, table string) int64 {
	t.Helper()
	var n int64
	mustNil(t, e.store.Gorm().Raw(`SELECT COUNT(*) FROM `+table).Scan(&n).Error)
	return n
}
