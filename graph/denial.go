package graph

import (
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/httpx"
)

// WriteDenial answers a request turned away before GraphQL ran (by the
// authentication middleware or a limiter), in the GraphQL response format,
// with the status of the denial's code.
func WriteDenial(w http.ResponseWriter, r *http.Request, d *apperr.Error) {
	httpx.WriteErrorAs(w, r, d, mediaGraphQLReply+"; charset=utf-8")
}
