package ingestapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/httpx"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// decodeBody decodes a whole body, which must hold one JSON object and
// nothing after it. Errors are INVALID_ARGUMENT naming the bad value's
// path, or, for a body whose decoding would overrun the request's memory
// budget, PAYLOAD_TOO_LARGE.
func decodeBody(ctx context.Context, raw []byte) (*request, error) {
	if err := checkJSON(ctx, raw); err != nil {
		return nil, err
	}
	if req, ok := decodeFast(raw); ok {
		return req, nil
	}
	// Anything the fast decoder refuses is decoded again: encoding/json's
	// errors are the ones clients get, located by path.
	return decodeStd(raw)
}

// decodeFast decodes a body with httpx.DecodeFast. It answers only for
// bodies it decodes whole with nothing after them; the two decoders must
// agree on every body both accept (TestDecodersAgree).
func decodeFast(raw []byte) (*request, bool) {
	req := &request{}
	if !httpx.DecodeFast(raw, req, httpx.Decoding{DisallowUnknownFields: true}) || exactKeys(raw) != nil {
		return nil, false
	}
	return req, true
}

// decodeStd decodes a whole body with encoding/json.
func decodeStd(raw []byte) (*request, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	req := &request{}
	err := dec.Decode(req)
	switch {
	case err == io.EOF:
		return nil, apperr.New(apperr.InvalidArgument, `the body is empty; send {"traces": [TraceInput, ...]}`)
	case err != nil:
		field, message := locate(raw, err)
		return nil, apperr.Invalid(field, "%s", message)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apperr.New(apperr.InvalidArgument, "the body holds more after its JSON object")
	}
	if err := exactKeys(raw); err != nil {
		return nil, err
	}
	return req, nil
}

// exactKeys refuses a decoded body with a key that matched a field only
// ignoring case (see inexactKey), naming it.
func exactKeys(raw []byte) error {
	if inexactKey(raw) {
		if field, err := semanticPath(reflect.TypeFor[request](), raw, ""); err != nil {
			return apperr.Invalid(field, "%s", describe(err))
		}
	}
	return nil
}

// checkJSON refuses a body nesting deeper than jsonlimit.MaxDepth, naming
// the path, and charges what decoding it allocates.
func checkJSON(ctx context.Context, raw []byte) error {
	fixed, loose, err := jsonlimit.Split(raw, func(key []byte) bool { return bodyKeys[string(key)] })
	var deep *jsonlimit.DepthError
	if errors.As(err, &deep) {
		return apperr.Invalid(deep.Path, "%s", jsonlimit.TooDeep)
	}
	return jsonlimit.Charge(ctx, decodedBytes(fixed, loose, len(raw)))
}

// What decoding a body into its structs allocates, per thing counted in
// them, measured with goccy, which decodes every body that is accepted
// (TestDecodedBytesCalibration), and rounded up.
const (
	valueBytes  = 32  // a string's header and its bytes' rounding, a pointer to a number or time, a slice slot
	objectBytes = 160 // a struct (a trace's 176 bytes, a header's 16) and its pointer in a growing slice
)

// decodedBytes estimates what decoding a body of n bytes allocates: goccy's
// copy of the body, the structs with their strings, and the free-form
// JSON values (resultDetail, config), decoded into generic values and
// encoded again (a quarter more). A refused body is decoded once more, by
// encoding/json, for its error; that garbage comes after goccy's.
func decodedBytes(fixed, loose jsonlimit.Counts, n int) int64 {
	free := loose.AnyBytes()
	return int64(n) + fixed.Values*valueBytes + fixed.Objects*objectBytes + fixed.StringBytes + free + free/4
}
