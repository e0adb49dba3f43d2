package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/observe"
)

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestRefusalsBeforeGraphQLAreCoded checks the answers of the handlers in
// front of GraphQL: a body that cannot be read, and a request that found
// no turn in time, carry a code and the request id like every error.
func TestRefusalsBeforeGraphQLAreCoded(t *testing.T) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	hold, release := make(chan struct{}), make(chan struct{})
	busy := limitInFlight(1, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(hold)
		<-release
	}))
	go busy.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
	<-hold
	defer close(release)
	expired, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	for _, c := range []struct {
		name    string
		handler http.Handler
		req     *http.Request
		status  int
		code    string
	}{
		{"unreadable body", limitBody(1<<20, time.Second, ok), httptest.NewRequest(http.MethodPost, "/", failingBody{}), 400, "INVALID_ARGUMENT"},
		{"no turn in time", busy, httptest.NewRequest(http.MethodPost, "/", nil).WithContext(expired), 503, "UNAVAILABLE"},
	} {
		rec := httptest.NewRecorder()
		observe.NewMetrics(nil, 0).Middleware("graphql", c.handler).ServeHTTP(rec, c.req)
		var body struct {
			Errors []struct {
				Message    string
				Extensions map[string]any
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Fatalf("%s: %d %q", c.name, rec.Code, rec.Body)
		}
		ext := body.Errors[0].Extensions
		if rec.Code != c.status || ext["code"] != c.code || ext["requestId"] != rec.Header().Get("X-Request-Id") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/") {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
	}
}
