package graph

import (
	"bytes"

	gojson "github.com/goccy/go-json"
)

// decodeFast decodes a body with goccy/go-json, about twice as fast as
// encoding/json on ingestion bodies. It answers only for bodies it decodes
// whole with nothing after them; for any other, decodeBody decodes again
// with encoding/json, whose errors clients get. The two decoders must
// agree on every body both accept (TestBulkDecodersAgree).
func decodeFast(raw []byte) (*bulkRequest, bool) {
	dec := gojson.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	req := &bulkRequest{}
	if err := dec.Decode(req); err != nil {
		return nil, false
	}
	if len(bytes.TrimLeft(raw[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, false
	}
	if exactKeys(raw) != nil {
		return nil, false
	}
	return req, true
}
