package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// MediaJSON is the media type of JSON answers.
const MediaJSON = "application/json"

// WriteError answers r with e as JSON (see apperr.Error.Body), with the
// status of e's code and r's request id.
func WriteError(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
	WriteErrorAs(w, r, e, MediaJSON)
}

// WriteErrorAs is WriteError with another media type for the same body,
// such as GraphQL's.
func WriteErrorAs(w http.ResponseWriter, r *http.Request, e *apperr.Error, mediaType string) {
	body := e.Body(RequestID(r.Context()))
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Code.Status())
	_, _ = w.Write(body)
}

// RetryAfterSeconds is the delay suggested with a 503, as the
// authentication middleware suggests.
const RetryAfterSeconds = "5"

// Retryable reports whether a refusal with code c asks the client to send
// the same request again later (the database is down or the request ran
// out of time), by its status.
func Retryable(c apperr.Code) bool {
	return c.Status() == apperr.Unavailable.Status()
}

// Infrastructure recognizes failures of the environment rather than of the
// request: timeouts, cancellation and a database that is unreachable,
// restarting or shutting down (db.IsUnavailable). Its code for
// cancellation, CANCELLED, is GraphQL's own and has no status.
func Infrastructure(err error) (code, message string, ok bool) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return string(apperr.Timeout), "the request took too long and was stopped", true
	case errors.Is(err, context.Canceled):
		return "CANCELLED", "the request was cancelled", true
	case db.IsUnavailable(err):
		return string(apperr.Unavailable), "the database is unavailable; retry later", true
	}
	return "", "", false
}

// Refusal is the coded error a handler's failure err is answered with:
// coded errors as they are, failures of the environment as retryable ones
// (logged as warnings), anything else as INTERNAL, its cause logged under
// route and never sent.
func Refusal(ctx context.Context, route string, err error) *apperr.Error {
	var appErr *apperr.Error
	if errors.As(err, &appErr) && appErr.Code != apperr.Internal {
		return appErr
	}
	if code, message, ok := Infrastructure(err); ok {
		slog.WarnContext(ctx, "request failed", "route", route, "error", err)
		if !Retryable(apperr.Code(code)) {
			code = string(apperr.Unavailable) // cancelled: nobody is left to read it
		}
		return &apperr.Error{Code: apperr.Code(code), Message: message}
	}
	slog.ErrorContext(ctx, "internal error", "route", route, "error", err)
	return apperr.New(apperr.Internal, "internal error")
}

// Fail answers r with the refusal of err (see Refusal), suggesting when to
// retry a retryable one.
func Fail(w http.ResponseWriter, r *http.Request, route string, err error) {
	e := Refusal(r.Context(), route, err)
	if Retryable(e.Code) {
		w.Header().Set("Retry-After", RetryAfterSeconds)
	}
	WriteError(w, r, e)
}
