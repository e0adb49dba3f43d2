package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"time"

	"github.com/agentgraph/agentgraph/graph/load"
	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/fair"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// NewIngestHandler serves POST /v1/ingest: the input of the ingestTraces
// mutation as plain JSON, {"traces": [TraceInput, ...]}, decoded straight
// into typed structs instead of through GraphQL's generic variables, and
// stored like the mutation's (same checks, same transaction, same ids).
// limits are the GraphQL handler's: body size, time, requests at once and
// each request's memory budget.
func NewIngestHandler(svc *ingest.Service, limits Limits) http.Handler {
	limits = limits.withDefaults()
	var h http.Handler = &ingestHandler{svc: svc, maxBody: limits.MaxBodyBytes}
	if limits.MaxInFlight > 0 {
		// Its own turns, shared fairly between clients like /graphql's.
		h = fair.New(limits.MaxInFlight).Handler(0, observe.WriteError, h)
	}
	return budget.Middleware(limits.MemoryBytes, withTimeout(limits.Timeout, h))
}

type ingestHandler struct {
	svc     *ingest.Service
	maxBody int64
}

// ingestAnswer is the answer: the stored traces, in input order.
type ingestAnswer struct {
	Traces []ingestedTrace `json:"traces"`
}

type ingestedTrace struct {
	ID         string  `json:"id"`
	ExternalID *string `json:"externalId"`
}

func (h *ingestHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, r, apperr.MethodNotAllowed, "send traces with POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mediaJSON {
		refuse(w, r, apperr.UnsupportedMediaType, "send the body as application/json")
		return
	}
	// The mutation's own rule, checked before the body is read.
	if perm, p := mutationNeeds["ingestTraces"], auth.From(ctx); !perm.allows(p) {
		refuse(w, r, apperr.Forbidden, "an API key with the %s role may not ingest traces; it takes %s", p.Role, perm.needs)
		return
	}
	body, err := openBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer body.release()
	req, err := decodeBody(ctx, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inputs, err := req.inputs()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	stored, err := ingestInputs(ctx, h.svc, inputs, "traces")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	answer := ingestAnswer{Traces: make([]ingestedTrace, len(stored))}
	for i, t := range stored {
		answer.Traces[i] = ingestedTrace{ID: relay.ID(load.Trace.TypeName, t.ID), ExternalID: t.ExternalID}
	}
	// Strings as the GraphQL answer writes them, without HTML escapes.
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(answer)
	w.Header().Set("Content-Type", mediaJSON)
	_, _ = w.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}

// withTimeout bounds the time of every request, database work included.
func withTimeout(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
