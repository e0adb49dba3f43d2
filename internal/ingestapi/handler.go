// Package ingestapi serves POST /v1/ingest: the input of the GraphQL
// ingestTraces mutation as plain JSON, {"traces": [TraceInput, ...]},
// decoded straight into ingest's types instead of through GraphQL's
// generic variables, and stored through internal/ingest like the mutation's (same
// checks, same transaction, same ids).
package ingestapi

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"

	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// route names the endpoint in logs.
const route = "/v1/ingest"

// NewHandler serves POST /v1/ingest, storing through svc, within limits:
// body size, time, requests at once (shared fairly between clients) and
// each request's memory budget. A request takes its turn before its body
// is read, so a slow sender holds one.
func NewHandler(svc *ingest.Service, limits httpx.Limits) http.Handler {
	limits = limits.WithDefaults()
	h := httpx.Turns(limits.MaxInFlight, 0, httpx.WriteError)(&handler{svc: svc, maxBody: limits.MaxBodyBytes})
	return budget.Middleware(limits.MemoryBytes, httpx.WithTimeout(limits.Timeout, h))
}

type handler struct {
	svc     *ingest.Service
	maxBody int64
}

// answer is the answer: the stored traces, in input order.
type answer struct {
	Traces []storedTrace `json:"traces"`
}

type storedTrace struct {
	ID         string  `json:"id"`
	ExternalID *string `json:"externalId"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, r, apperr.MethodNotAllowed, "send traces with POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != httpx.MediaJSON {
		refuse(w, r, apperr.UnsupportedMediaType, "send the body as application/json")
		return
	}
	// The mutation's own rule (graph's mutationNeeds), checked before the
	// body is read.
	if p := auth.From(ctx); !p.CanIngest() {
		refuse(w, r, apperr.Forbidden, "an API key with the %s role may not ingest traces; it takes ingest or admin", p.Role)
		return
	}
	raw, refused := httpx.ReadBody(w, r, httpx.Body{Max: h.maxBody, Gzip: true})
	if refused != nil {
		httpx.WriteError(w, r, refused)
		return
	}
	traces, err := decodeBody(ctx, raw)
	if err != nil {
		httpx.Fail(w, r, route, err)
		return
	}
	stored, err := h.svc.IngestAs(ctx, traces, "traces")
	if err != nil {
		httpx.Fail(w, r, route, err)
		return
	}
	out := answer{Traces: make([]storedTrace, len(stored))}
	for i, t := range stored {
		out.Traces[i] = storedTrace{ID: relay.ID("Trace", t.ID), ExternalID: t.ExternalID}
	}
	// Strings as the GraphQL answer writes them, without HTML escapes.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
	w.Header().Set("Content-Type", httpx.MediaJSON)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// refuse answers r with a coded error of the endpoint.
func refuse(w http.ResponseWriter, r *http.Request, code apperr.Code, format string, args ...any) {
	httpx.WriteError(w, r, apperr.New(code, format, args...))
}
