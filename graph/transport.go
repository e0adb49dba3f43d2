package graph

import (
	"bytes"
	"context"
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
	"github.com/agentgraph/agentgraph/internal/budget"
	"github.com/agentgraph/agentgraph/internal/httpx"
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
	body, err := httpx.Bytes(r)
	if err != nil {
		refuseRequest(ctx, w, exec, apperr.New(apperr.InvalidArgument, "could not read the request body"))
		return
	}
	params, err := decodeParams(ctx, body)
	if err != nil {
		refuseRequest(ctx, w, exec, paramsError(err))
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
	runOperation(ctx, w, exec, op)
}

// runOperation executes op and writes its answer. An operation that went
// over its request's memory budget, or whose execution met bad input
// (failsRequest), fails as a whole: the code's status, its errors and no
// data, as if it had been refused before it ran.
func runOperation(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, op *graphql.OperationContext) {
	responses, ctx := exec.DispatchOperation(ctx, op)
	resp := responses(ctx)
	if status, errs, failed := failure(ctx, resp.Errors); failed {
		releaseAnswer(resp.Data)
		w.WriteHeader(status)
		writeResponse(w, &graphql.Response{Errors: errs, Extensions: resp.Extensions}, false)
		return
	}
	writeResponse(w, resp, true)
	releaseAnswer(resp.Data)
}

// failsRequest are the codes that, raised anywhere during execution, fail
// the whole request: bad input is the client's to fix, and an answer over
// the budget cannot be sent in part.
var failsRequest = map[apperr.Code]bool{apperr.InvalidArgument: true, apperr.ResponseTooLarge: true}

// failure tells whether an executed request failed as a whole, with which
// status and errors: over its budget, one RESPONSE_TOO_LARGE error however
// many fields ran out; otherwise its errors without repeats.
func failure(ctx context.Context, errs gqlerror.List) (int, gqlerror.List, bool) {
	if err := budget.Charge(ctx, 0); err != nil {
		for _, e := range errs {
			if errorCode(e) == apperr.ResponseTooLarge {
				return apperr.ResponseTooLarge.Status(), gqlerror.List{e}, true
			}
		}
		// The answer itself outgrew the budget (answerbuf.go).
		return apperr.ResponseTooLarge.Status(), gqlerror.List{presentError(ctx, err)}, true
	}
	var code apperr.Code
	for _, e := range errs {
		if c := errorCode(e); failsRequest[c] {
			code = c
			break
		}
	}
	if code == "" {
		return 0, nil, false
	}
	seen := map[string]bool{}
	var out gqlerror.List
	for _, e := range errs {
		key := string(errorCode(e)) + "\x00" + e.Message
		if !seen[key] {
			seen[key] = true
			out = append(out, e)
		}
	}
	return code.Status(), out, true
}

// errorCode is the code of a presented error.
func errorCode(e *gqlerror.Error) apperr.Code {
	code, _ := e.Extensions["code"].(string)
	return apperr.Code(code)
}

// refuseRequest answers a request refused before it ran: e's status, e
// presented like every GraphQL error (code, request id, field), no data.
func refuseRequest(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, e *apperr.Error) {
	w.WriteHeader(e.Code.Status())
	writeResponse(w, exec.DispatchError(ctx, gqlerror.List{{Message: e.Error(), Err: e}}), false)
}

// paramsError says what is wrong with a POST body that does not decode, in
// the client's terms.
func paramsError(err error) *apperr.Error {
	var appErr *apperr.Error
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	const shape = "the body is not a JSON object with query, variables, operationName, extensions"
	// encoding/json's errors name Go types; only their positions and JSON
	// kinds are passed on.
	switch {
	case errors.As(err, &appErr):
		return appErr
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.InvalidArgument, "%s: it is empty", shape)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.InvalidArgument, "%s: it ends in the middle of a JSON value", shape)
	case errors.As(err, &syntax):
		return apperr.New(apperr.InvalidArgument, "%s: it is not valid JSON (at byte %d)", shape, syntax.Offset)
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return apperr.New(apperr.InvalidArgument, "%s: it is a JSON %s", shape, typeErr.Value)
	case errors.As(err, &typeErr):
		want := "an object"
		if typeErr.Field == "query" || typeErr.Field == "operationName" {
			want = "a string"
		}
		return apperr.Invalid(typeErr.Field, "must be %s, not a JSON %s (%s)", want, typeErr.Value, shape)
	}
	return apperr.New(apperr.InvalidArgument, "%s", shape)
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
	// Refused before execution for the caller's role: 403, whatever the media type.
	if len(errs) > 0 && errs[0].Extensions["code"] == string(apperr.Forbidden) {
		return apperr.Forbidden.Status()
	}
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
