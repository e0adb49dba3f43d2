package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// getTransport serves queries over GET as gqlgen's transport.GET does, but
// answers like postTransport (the same statuses for a failed execution)
// and refuses what it cannot run with a coded error: a mutation gets 405
// with Allow: POST, as GraphQL over HTTP asks.
type getTransport struct{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := replyMediaType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		refuseRequest(ctx, w, exec, apperr.New(apperr.InvalidArgument, "the URL's query string is not well formed (percent-encode the query, variables and operationName)"))
		return
	}
	params := &graphql.RawParams{
		Query:         values.Get("query"),
		OperationName: values.Get("operationName"),
		Headers:       r.Header,
	}
	params.ReadTime.Start = graphql.Now()
	if params.Query == "" {
		refuseRequest(ctx, w, exec, apperr.Invalid("query", "a GET request carries its GraphQL document in the query parameter: /graphql?query=…"))
		return
	}
	for _, p := range []struct {
		name string
		into *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if err := checkGETParam(ctx, p.name, values.Get(p.name)); err != nil {
			refuseRequest(ctx, w, exec, paramsError(err))
			return
		}
		if err := decodeQueryObject(values.Get(p.name), p.into); err != nil {
			refuseRequest(ctx, w, exec, apperr.Invalid(p.name, "must be a JSON object"))
			return
		}
	}
	params.ReadTime.End = graphql.Now()
	op, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := statusOf(contentType, opErr)
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, op), opErr), status < 400)
		return
	}
	if op.Operation == nil || op.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		refuseRequest(ctx, w, exec, apperr.New(apperr.MethodNotAllowed, "a GET request runs queries only; send mutations with POST"))
		return
	}
	runOperation(ctx, w, exec, op)
}

// decodeQueryObject decodes a URL parameter holding a JSON object (none
// when empty), numbers kept as json.Number as in POST bodies.
func decodeQueryObject(s string, into *map[string]any) error {
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	return dec.Decode(into)
}

// optionsTransport answers OPTIONS with the methods /graphql serves.
type optionsTransport struct{}

const allowedMethods = "GET, POST, OPTIONS"

func (optionsTransport) Supports(r *http.Request) bool { return r.Method == http.MethodOptions }

func (optionsTransport) Do(w http.ResponseWriter, _ *http.Request, _ graphql.GraphExecutor) {
	w.Header().Set("Allow", allowedMethods)
	w.WriteHeader(http.StatusOK)
}

// refusedTransport, registered last, takes every request no other
// transport serves, so that it gets a coded error like any other (gqlgen
// answers them "transport not supported" with no code).
type refusedTransport struct{}

func (refusedTransport) Supports(*http.Request) bool { return true }

func (refusedTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", replyMediaType(r.Header.Get("Accept")))
	var e *apperr.Error
	switch {
	case r.Header.Get("Upgrade") != "":
		e = apperr.New(apperr.InvalidArgument, "no protocol upgrade (WebSocket) is served here; send queries with GET or POST")
	case r.Method == http.MethodPost:
		e = apperr.New(apperr.UnsupportedMediaType, "send the body as application/json (Content-Type: application/json)")
	default:
		w.Header().Set("Allow", allowedMethods)
		e = apperr.New(apperr.MethodNotAllowed, "use POST, or GET for queries")
	}
	refuseRequest(r.Context(), w, exec, e)
}
