package graph

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// fail answers err with the status its code maps to; causes of internal
// errors are logged, never sent.
func (h *ingestHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	refusal := h.refusal(r, err)
	if refusal.Code.Status() == http.StatusServiceUnavailable {
		// The database is down or the request ran out of time: the client
		// should send the same traces again later.
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	observe.WriteError(w, r, refusal)
}

// refusal is the coded error err is answered with.
func (h *ingestHandler) refusal(r *http.Request, err error) *apperr.Error {
	ctx := r.Context()
	var appErr *apperr.Error
	var badEncoding errUnsupportedEncoding
	var unreadable bodyError
	switch {
	case errors.Is(err, errBodyTooLarge):
		return apperr.New(apperr.PayloadTooLarge,
			"the request body is over the limit of %d bytes (as sent and decompressed)", h.maxBody)
	case errors.As(err, &badEncoding):
		return apperr.New(apperr.UnsupportedMediaType, "%s", badEncoding.Error())
	case errors.As(err, &unreadable):
		if errors.As(unreadable.err, &appErr) {
			return appErr // the body did not arrive in time
		}
		return apperr.New(apperr.InvalidArgument, "%s", unreadable.Error())
	case errors.As(err, &appErr) && appErr.Code != apperr.Internal:
		return appErr
	}
	if code, message, ok := infrastructureError(err); ok {
		slog.WarnContext(ctx, "ingest request failed", "error", err)
		if apperr.Code(code).Status() != http.StatusServiceUnavailable {
			code = string(apperr.Unavailable) // cancelled: nobody is left to read it
		}
		return &apperr.Error{Code: apperr.Code(code), Message: message}
	}
	slog.ErrorContext(ctx, "internal error", "route", "/v1/ingest", "error", err)
	return apperr.New(apperr.Internal, "internal error")
}

// retryAfterSeconds is the delay suggested with 503, as the authentication
// middleware suggests.
const retryAfterSeconds = "5"

// refuse answers r with a coded error of the ingest endpoint.
func refuse(w http.ResponseWriter, r *http.Request, code apperr.Code, format string, args ...any) {
	observe.WriteError(w, r, apperr.New(code, format, args...))
}
