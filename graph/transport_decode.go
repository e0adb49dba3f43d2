package graph

import (
	"bytes"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
	gojson "github.com/goccy/go-json"
)

// decodeParams decodes a POST body's query, operation name, variables and
// extensions, numbers kept as json.Number as gqlgen's transport keeps them.
// goccy/go-json decodes the big variables of ingestion about twice as fast
// as encoding/json; a body it refuses is decoded again by encoding/json,
// whose error the client gets. TestParamsDecodersAgree holds the two to
// the same result.
func decodeParams(body []byte) (*graphql.RawParams, error) {
	params := &graphql.RawParams{}
	fast := gojson.NewDecoder(bytes.NewReader(body))
	fast.UseNumber()
	if err := fast.Decode(params); err == nil {
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
