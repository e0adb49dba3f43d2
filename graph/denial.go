package graph

import (
	"encoding/json"
	"net/http"

	"github.com/agentgraph/agentgraph/internal/auth"
	"github.com/agentgraph/agentgraph/internal/observe"
)

// WriteDenial answers a request turned away before GraphQL ran, in the
// GraphQL response format, with the denial's status.
func WriteDenial(w http.ResponseWriter, r *http.Request, d *auth.Denial) {
	ext := map[string]any{"code": string(d.Code)}
	if id := observe.RequestID(r.Context()); id != "" {
		ext["requestId"] = id
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": d.Message, "extensions": ext}}})
	w.Header().Set("Content-Type", "application/graphql-response+json; charset=utf-8")
	w.WriteHeader(d.Status)
	_, _ = w.Write(body)
}
