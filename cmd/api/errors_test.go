package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// otlpCode reads an OTLP failure, a google.rpc.Status: the code and request
// id of its ErrorInfo detail.
func otlpCode(t *testing.T, contentType string, body []byte) (code, requestID string) {
	t.Helper()
	st := otlpStatus(t, contentType, body)
	for _, d := range st.GetDetails() {
		info := &errdetails.ErrorInfo{}
		if d.UnmarshalTo(info) == nil {
			return info.Reason, info.Metadata["requestId"]
		}
	}
	return "", ""
}

func otlpStatus(t *testing.T, contentType string, body []byte) *statuspb.Status {
	t.Helper()
	st := &statuspb.Status{}
	var err error
	if contentType == "application/json" {
		err = protojson.Unmarshal(body, st)
	} else {
		err = proto.Unmarshal(body, st)
	}
	if err != nil || st.Message == "" {
		t.Errorf("not a google.rpc.Status (%v): %q", err, body)
		return nil
	}
	return st
}

// leaks lists what no error message may name: Go types, source files, SQL.
var leaks = []string{"struct", "interface {", "map[", ".go", "select ", "insert ", "sqlstate", "gorm", "goroutine", "/tmp/", "/home/", "127.0.0.1:"}

// TestEveryErrorIsCoded sends each kind of refused request to each endpoint
// outside /graphql's own transports and checks the answer: the status, a
// code in extensions.code (or the ErrorInfo of an OTLP Status), the
// request id, and a message that names nothing internal.
func TestEveryErrorIsCoded(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		url := b.NewURL(t)
		reader := newKey(t, url, "--all-projects", "--role", "read")
		ingester := newKey(t, url, "--all-projects", "--role", "ingest")
		admin := newKey(t, url, "--all-projects", "--role", "admin")
		p := startAPI(t, url, "--otlp-max-body-bytes", "1024")
		const (
			asJSON  = "json"
			asProto = "application/x-protobuf"
			asPJSON = "application/json" // OTLP/JSON Status
		)
		big := bytes.Repeat([]byte(" "), 9<<20)
		for _, c := range []struct {
			name, key, method, path, contentType string
			header                               map[string]string
			body                                 []byte
			status                               int
			code, format                         string
		}{
			{"ingest without key", "", "POST", "/v1/ingest", "application/json", nil, ingestJSON("p", "t"), 401, "UNAUTHENTICATED", asJSON},
			{"otlp without key", "", "POST", "/v1/traces", asProto, nil, nil, 401, "UNAUTHENTICATED", asProto},
			{"otlp/json without key", "", "POST", "/v1/traces", "application/json", nil, []byte(`{}`), 401, "UNAUTHENTICATED", asPJSON},
			{"export without key", "", "GET", "/export/traces.csv", "", nil, nil, 401, "UNAUTHENTICATED", asJSON},
			{"metrics without key", "", "GET", "/metrics", "", nil, nil, 401, "UNAUTHENTICATED", asJSON},
			{"graphql without key", "", "POST", "/graphql", "application/json", nil, []byte(`{"query":"{ __typename }"}`), 401, "UNAUTHENTICATED", asJSON},
			{"unknown key", "agk_nope", "GET", "/export/traces.csv", "", nil, nil, 401, "UNAUTHENTICATED", asJSON},

			{"ingest with a read key", reader, "POST", "/v1/ingest", "application/json", nil, ingestJSON("p", "t"), 403, "FORBIDDEN", asJSON},
			{"otlp with a read key", reader, "POST", "/v1/traces", asProto, nil, nil, 403, "FORBIDDEN", asProto},
			{"export with an ingest key", ingester, "GET", "/export/traces.csv", "", nil, nil, 403, "FORBIDDEN", asJSON},
			{"metrics with a read key", reader, "GET", "/metrics", "", nil, nil, 403, "FORBIDDEN", asJSON},

			{"unknown export", admin, "GET", "/export/nope.csv", "", nil, nil, 404, "NOT_FOUND", asJSON},
			{"export without a file", admin, "GET", "/export/", "", nil, nil, 404, "NOT_FOUND", asJSON},
			{"export path too deep", admin, "GET", "/export/traces/x.csv", "", nil, nil, 404, "NOT_FOUND", asJSON},
			{"unknown /v1 path", admin, "POST", "/v1/logs", "application/json", nil, []byte(`{}`), 404, "NOT_FOUND", asJSON},
			{"path under /graphql", admin, "GET", "/graphql/x", "", nil, nil, 404, "NOT_FOUND", asJSON},

			{"ingest with GET", admin, "GET", "/v1/ingest", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},
			{"otlp with GET", admin, "GET", "/v1/traces", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},
			{"export with POST", admin, "POST", "/export/traces.csv", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},
			{"metrics with POST", admin, "POST", "/metrics", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},
			{"healthz with POST", "", "POST", "/healthz", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},
			{"web page with DELETE", "", "DELETE", "/projects", "", nil, nil, 405, "METHOD_NOT_ALLOWED", asJSON},

			{"ingest body too large", admin, "POST", "/v1/ingest", "application/json", nil, big, 413, "PAYLOAD_TOO_LARGE", asJSON},
			{"otlp body too large", admin, "POST", "/v1/traces", asProto, nil, make([]byte, 2048), 413, "PAYLOAD_TOO_LARGE", asProto},

			{"ingest as text", admin, "POST", "/v1/ingest", "text/plain", nil, []byte(`{}`), 415, "UNSUPPORTED_MEDIA_TYPE", asJSON},
			{"ingest in an unknown encoding", admin, "POST", "/v1/ingest", "application/json", map[string]string{"Content-Encoding": "br"}, []byte(`{}`), 415, "UNSUPPORTED_MEDIA_TYPE", asJSON},
			{"otlp as text", admin, "POST", "/v1/traces", "text/plain", nil, []byte(`hi`), 415, "UNSUPPORTED_MEDIA_TYPE", asJSON},
			{"otlp in an unknown encoding", admin, "POST", "/v1/traces", asProto, map[string]string{"Content-Encoding": "br"}, nil, 415, "UNSUPPORTED_MEDIA_TYPE", asProto},

			{"ingest bad JSON", admin, "POST", "/v1/ingest", "application/json", nil, []byte(`{"traces": [`), 400, "INVALID_ARGUMENT", asJSON},
			{"ingest bad gzip", admin, "POST", "/v1/ingest", "application/json", map[string]string{"Content-Encoding": "gzip"}, []byte(`{}`), 400, "INVALID_ARGUMENT", asJSON},
			{"otlp bad protobuf", admin, "POST", "/v1/traces", asProto, nil, []byte{0xff, 0xff, 0xff}, 400, "INVALID_ARGUMENT", asProto},
			{"otlp/json bad JSON", admin, "POST", "/v1/traces", "application/json", nil, []byte(`{"resourceSpans": [`), 400, "INVALID_ARGUMENT", asPJSON},
			{"export bad time", admin, "GET", "/export/traces.csv?from=yesterday", "", nil, nil, 400, "INVALID_ARGUMENT", asJSON},
			{"export unknown parameter", admin, "GET", "/export/traces.csv?colour=red", "", nil, nil, 400, "INVALID_ARGUMENT", asJSON},
		} {
			t.Run(c.name, func(t *testing.T) {
				req, err := http.NewRequest(c.method, p.URL+c.path, bytes.NewReader(c.body))
				if err != nil {
					t.Fatal(err)
				}
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				if c.key != "" {
					req.Header.Set("Authorization", "Bearer "+c.key)
				}
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				res, err := httpClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != c.status {
					t.Errorf("status %d, want %d: %s", res.StatusCode, c.status, body)
				}
				id := res.Header.Get("X-Request-Id")
				var message string
				switch c.format {
				case asJSON:
					if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/graphql-response+json") {
						t.Errorf("Content-Type %q", ct)
					}
					if code, ok := coded(res.Header, body); !ok || code != c.code {
						t.Errorf("answer %s, want code %s and request id %q", body, c.code, id)
					}
					var a errorAnswer
					if json.Unmarshal(body, &a) == nil && len(a.Errors) > 0 {
						message = a.Errors[0].Message
					}
				default:
					message = otlpStatus(t, c.format, body).GetMessage()
					if code, gotID := otlpCode(t, c.format, body); code != c.code || gotID == "" || gotID != id {
						t.Errorf("OTLP status with code %q, request id %q; want %s, %q", code, gotID, c.code, id)
					}
				}
				for _, leak := range leaks {
					if strings.Contains(strings.ToLower(message), leak) {
						t.Errorf("the message names %q: %s", leak, message)
					}
				}
			})
		}
	})
}
