package observe

import (
	"net/http"
	"strconv"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// WriteError answers r with e as JSON (see apperr.Error.Body), with the
// status of e's code and r's request id.
func WriteError(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
	body := e.Body(RequestID(r.Context()))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Code.Status())
	_, _ = w.Write(body)
}
