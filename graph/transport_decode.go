package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// decodeParams decodes a POST body's query, operation name, variables and
// extensions, numbers kept as json.Number as gqlgen's transport keeps them:
// by httpx.DecodeFast, and a body it refuses again by encoding/json, whose
// error the client gets. TestParamsDecodersAgree holds the two to
// the same result. Before either runs, a body nesting deeper than
// jsonlimit.MaxDepth is refused (INVALID_ARGUMENT naming the path, inside
// its variable for a variable's value), and one whose decoding would
// overrun the request's memory budget (PAYLOAD_TOO_LARGE).
func decodeParams(ctx context.Context, body []byte) (*graphql.RawParams, error) {
	if err := checkJSON(ctx, body, "variables"); err != nil {
		return nil, err
	}
	params := &graphql.RawParams{}
	if httpx.DecodeFast(body, params, httpx.Decoding{UseNumber: true}) {
		return params, nil
	}
	params = &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		return nil, err
	}
	return params, nil
}

// checkJSON refuses a document of GraphQL parameters that nests too deep,
// and charges what decoding it into generic values allocates. The path of a
// too deep value under the member named vars (a POST body's "variables") is
// given as GraphQL's own variable errors give it, from the variable's name.
func checkJSON(ctx context.Context, doc []byte, vars string) error {
	c, err := jsonlimit.Scan(doc)
	var deep *jsonlimit.DepthError
	if errors.As(err, &deep) {
		field := deep.Path
		if rest, ok := strings.CutPrefix(field, vars+"."); ok && vars != "" {
			field = rest
		}
		return apperr.Invalid(field, "%s", jsonlimit.TooDeep)
	}
	// goccy decodes from a copy of the document.
	return jsonlimit.Charge(ctx, c.AnyBytes()+int64(len(doc)))
}
