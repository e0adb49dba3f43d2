package otlp

import (
	"net/http"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// WriteDenial answers an export turned away before it was read (by the
// authentication middleware or a limiter), as a google.rpc.Status in the
// request's encoding (protobuf when unknown).
func WriteDenial(w http.ResponseWriter, r *http.Request, d *apperr.Error) {
	enc, ok := parseContentType(r.Header.Get("Content-Type"))
	if !ok {
		enc = encProtobuf
	}
	fail(w, r, enc, d)
}
