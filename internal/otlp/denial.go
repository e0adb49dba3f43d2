package otlp

import (
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/code"

	"github.com/agentgraph/agentgraph/internal/auth"
)

// WriteDenial answers an export turned away before it was read, as a
// google.rpc.Status in the request's encoding (protobuf when unknown).
func WriteDenial(w http.ResponseWriter, r *http.Request, d *auth.Denial) {
	enc, ok := parseContentType(r.Header.Get("Content-Type"))
	if !ok {
		enc = encProtobuf
	}
	c := code.Code_UNAUTHENTICATED
	if d.Status == http.StatusServiceUnavailable {
		c = code.Code_UNAVAILABLE
	}
	writeStatus(w, enc, d.Status, c, d.Message)
}
