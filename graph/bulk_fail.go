package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/observe"
)

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
		writeIngestError(w, r, appErr.Code.Status(), string(appErr.Code), appErr.Field, message)
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
