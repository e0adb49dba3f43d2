package ingestapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/ingestapi"
	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
	"github.com/agentgraph/agentgraph/internal/ingestapi/ingesttest"
)

// ingestEnv serves POST /v1/ingest on a database of its own.
type ingestEnv struct {
	store     *db.DB
	ingestURL string
}

func newIngestEnv(t *testing.T, b dbtest.Backend, opts ingest.Options, limits httpx.Limits) *ingestEnv {
	t.Helper()
	store := dbtest.MustOpen(t, b)
	srv := httptest.NewServer(ingestapi.NewHandler(ingest.New(store, opts), limits))
	t.Cleanup(srv.Close)
	return &ingestEnv{store: store, ingestURL: srv.URL}
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

// httpGet fetches a URL and returns status and header.
func httpGet(t *testing.T, url string) (int, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// ingestBody is the body of /v1/ingest for traces.
func ingestBody(traces ...any) []byte {
	b, _ := json.Marshal(map[string]any{"traces": traces})
	return b
}

// countRows counts the rows of a table.
func countRows(t *testing.T, e *ingestEnv, table string) int64 {
	t.Helper()
	var n int64
	if err := e.store.Gorm().Raw(`SELECT COUNT(*) FROM ` + table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// runningTrace is a trace as sent while it runs (fixture.RunningTrace).
var runningTrace = fixture.RunningTrace

func agentLLM(tr map[string]any) map[string]any {
	return tr["agentCalls"].([]any)[0].(map[string]any)["llmCalls"].([]any)[0].(map[string]any)
}

func truncate(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "..."
	}
	return string(b)
}
