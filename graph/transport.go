package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

const (
	mediaJSON         = "application/json"
	mediaGraphQLReply = "application/graphql-response+json"
)

// postTransport serves GraphQL over POST like gqlgen's transport.POST with
// application/graphql-response+json by default, but writes the answer's
// data as the executor produced it: encoding/json would validate and
// re-compact every byte of it, a tenth of the CPU of a big answer.
type postTransport struct{ transport.POST }

func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := replyMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	body, err := requestBytes(r)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %v", err)}), true)
		return
	}
	params, err := decodeParams(ctx, body)
	if err != nil {
		status, gqlErr := http.StatusBadRequest, gqlerror.Errorf("json request body could not be decoded: %v", err)
		var appErr *apperr.Error
		if errors.As(err, &appErr) {
			status, gqlErr = appErr.Code.Status(), gqlerror.WrapPath(nil, appErr)
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlErr}), false)
		return
	}
	params.Headers = r.Header
	now := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: now, End: now}
	op, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := statusOf(contentType, opErr)
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, op), opErr), status < 400)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, op)
	resp := responses(ctx)
	writeResponse(w, resp, true)
	releaseAnswer(resp.Data)
}

// replyMediaType picks the answer's media type from Accept as gqlgen does:
// the first of the two JSON types named, graphql-response+json otherwise.
func replyMediaType(accept string) string {
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", mediaGraphQLReply:
			return mediaGraphQLReply
		case mediaJSON:
			return mediaJSON
		}
	}
	return mediaGraphQLReply
}

// statusOf is the status of a request refused before execution: a protocol
// error is 400 with graphql-response+json and 422 with plain JSON.
func statusOf(contentType string, errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == mediaGraphQLReply {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// writeResponse writes resp as encoding/json would (same keys, same order),
// but copies data as it is. A request refused with a 4xx never ran, so its
// answer has no data entry, as GraphQL over HTTP requires.
func writeResponse(w io.Writer, resp *graphql.Response, withData bool) {
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		head.WriteString(`"errors":`)
		writeJSONValue(&head, resp.Errors)
		head.WriteByte(',')
	}
	var data []byte
	if withData {
		head.WriteString(`"data":`)
		data = resp.Data
		if len(data) == 0 {
			data = []byte("null")
		}
	} else if len(resp.Errors) > 0 {
		head.Truncate(head.Len() - 1) // the comma after the errors
	}
	var tail bytes.Buffer
	if resp.Label != "" {
		tail.WriteString(`,"label":`)
		writeJSONValue(&tail, resp.Label)
	}
	if len(resp.Path) > 0 {
		tail.WriteString(`,"path":`)
		writeJSONValue(&tail, resp.Path)
	}
	if resp.HasNext != nil {
		tail.WriteString(`,"hasNext":`)
		writeJSONValue(&tail, *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail.WriteString(`,"extensions":`)
		writeJSONValue(&tail, resp.Extensions)
	}
	tail.WriteByte('}')
	_, _ = w.Write(head.Bytes())
	_, _ = w.Write(data)
	_, _ = w.Write(tail.Bytes())
}

func writeJSONValue(b *bytes.Buffer, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		out = []byte("null")
	}
	b.Write(out)
}
