package graph

import (
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// WriteDenial answers a request turned away before GraphQL ran (by the
// authentication middleware or a limiter), in the GraphQL response format,
// with the status of the denial's code.
func WriteDenial(w http.ResponseWriter, r *http.Request, d *apperr.Error) {
	w.Header().Set("Content-Type", "application/graphql-response+json; charset=utf-8")
	w.WriteHeader(d.Code.Status())
	_, _ = w.Write(d.Body(observe.RequestID(r.Context())))
}
