package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// NewIngestHandler serves POST /v1/ingest: the input of the ingestTraces
// mutation as plain JSON, {"traces": [TraceInput, ...]}, decoded straight
// into typed structs instead of through GraphQL's generic variables, and
// stored like the mutation's (same checks, same transaction, same ids).
// limits are the GraphQL handler's: body size, time and requests at once.
func NewIngestHandler(svc *ingest.Service, limits Limits) http.Handler {
	limits = limits.withDefaults()
	h := &ingestHandler{svc: svc, maxBody: limits.MaxBodyBytes}
	return withTimeout(limits.Timeout, limitInFlight(limits.MaxInFlight, h))
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
		writeIngestError(w, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "", "send traces with POST")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mediaJSON {
		writeIngestError(w, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "", "send the body as application/json")
		return
	}
	// The mutation's own rule, checked before the body is read.
	if perm, p := mutationNeeds["ingestTraces"], auth.From(ctx); !perm.allows(p) {
		writeIngestError(w, r, http.StatusForbidden, string(apperr.Forbidden), "",
			fmt.Sprintf("an API key with the %s role may not ingest traces; it takes %s", p.Role, perm.needs))
		return
	}
	body, err := openBody(w, r, h.maxBody)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer body.release()
	req, err := decodeBody(body)
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
		answer.Traces[i] = ingestedTrace{ID: globalID(traceEntity.typeName, t.ID), ExternalID: t.ExternalID}
	}
	out, _ := json.Marshal(answer)
	w.Header().Set("Content-Type", mediaJSON)
	_, _ = w.Write(out)
}

// fail answers err with the status its code maps to; causes of internal
// errors are logged, never sent.
func (h *ingestHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	var appErr *apperr.Error
	var badEncoding errUnsupportedEncoding
	var unreadable bodyError
	switch {
	case errors.Is(err, errBodyTooLarge):
		writeIngestError(w, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "",
			fmt.Sprintf("the request body is over the limit of %d bytes (as sent and decompressed)", h.maxBody))
	case errors.As(err, &badEncoding):
		writeIngestError(w, r, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "", badEncoding.Error())
	case errors.As(err, &unreadable):
		writeIngestError(w, r, http.StatusBadRequest, "BAD_REQUEST", "", unreadable.Error())
	case errors.As(err, &appErr) && appErr.Code != apperr.Internal:
		message := appErr.Message
		if appErr.Field != "" {
			message = appErr.Field + ": " + message
		}
		if appErr.Code == apperr.Unavailable {
			w.Header().Set("Retry-After", retryAfterSeconds)
		}
		writeIngestError(w, r, appStatus(appErr.Code), string(appErr.Code), appErr.Field, message)
	default:
		if code, message, ok := infrastructureError(err); ok {
			// The database is down or the request ran out of time: the
			// client should send the same traces again later.
			slog.WarnContext(ctx, "ingest request failed", "error", err)
			w.Header().Set("Retry-After", retryAfterSeconds)
			writeIngestError(w, r, http.StatusServiceUnavailable, code, "", message)
			return
		}
		slog.ErrorContext(ctx, "internal error", "route", "/v1/ingest", "error", err)
		writeIngestError(w, r, http.StatusInternalServerError, string(apperr.Internal), "", "internal error")
	}
}

// retryAfterSeconds is the delay suggested with 503, as the authentication
// middleware suggests.
const retryAfterSeconds = "5"

// appStatus is the HTTP status of an error code of the application.
func appStatus(code apperr.Code) int {
	switch code {
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// ingestError is one entry of an error answer, in the GraphQL error format.
type ingestError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code      string `json:"code"`
		Field     string `json:"field,omitempty"`
		RequestID string `json:"requestId,omitempty"`
	} `json:"extensions"`
}

// writeIngestError answers with one error, field naming the bad value's
// path when there is one.
func writeIngestError(w http.ResponseWriter, r *http.Request, status int, code, field, message string) {
	e := ingestError{Message: message}
	e.Extensions.Code, e.Extensions.Field, e.Extensions.RequestID = code, field, observe.RequestID(r.Context())
	out, _ := json.Marshal(struct {
		Errors []ingestError `json:"errors"`
	}{[]ingestError{e}})
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// withTimeout bounds the time of every request, database work included.
func withTimeout(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
