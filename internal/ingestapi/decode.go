package ingestapi

import (
	"context"
	"errors"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// decodeBody decodes a whole body, which must hold one JSON object and
// nothing after it, into ingest's types. Errors are INVALID_ARGUMENT
// naming the bad value's path, or, for a body whose decoding would overrun
// the request's memory budget, PAYLOAD_TOO_LARGE.
func decodeBody(ctx context.Context, raw []byte) ([]ingest.Trace, error) {
	if err := checkJSON(ctx, raw); err != nil {
		return nil, err
	}
	return decode(raw)
}

// decode decodes raw (see decoder.go for the order of its errors).
func decode(raw []byte) (traces []ingest.Trace, err error) {
	d := &decoder{data: raw}
	if d.ws(); d.i == len(raw) {
		return nil, apperr.New(apperr.InvalidArgument, `the body is empty; send {"traces": [TraceInput, ...]}`)
	}
	defer func() {
		if p := recover(); p != nil {
			if p != errSyntax {
				panic(p)
			}
			traces, err = nil, syntaxError(raw)
		}
	}()
	traces, listed := d.body()
	d.ws()
	switch {
	case d.first != nil && !d.inexact:
		return nil, d.first.err()
	case d.i < len(raw):
		return nil, apperr.New(apperr.InvalidArgument, "the body holds more after its JSON object")
	case d.first != nil:
		return nil, d.first.err()
	case !listed:
		return nil, apperr.Invalid("traces", `is required: send {"traces": [TraceInput, ...]}`)
	case d.missing != nil:
		return nil, d.missing.err()
	}
	return traces, nil
}

func (f *failure) err() *apperr.Error {
	if f.path == "" {
		return apperr.New(apperr.InvalidArgument, "the body %s", f.message)
	}
	return apperr.Invalid(f.path, "%s", f.message)
}

// checkJSON refuses a body nesting deeper than jsonlimit.MaxDepth, naming
// the path, and charges what decoding it allocates.
func checkJSON(ctx context.Context, raw []byte) error {
	fixed, loose, err := jsonlimit.Split(raw, func(key []byte) bool { return freeKeys[string(key)] })
	var deep *jsonlimit.DepthError
	if errors.As(err, &deep) {
		return apperr.Invalid(deep.Path, "%s", jsonlimit.TooDeep)
	}
	return jsonlimit.Charge(ctx, decodedBytes(fixed, loose, len(raw)))
}

// What decoding a body into ingest's types allocates, per thing counted
// in it, measured (TestDecodedBytesCalibration) and rounded up.
const (
	// elementBytes is a list element: its struct in ingest's types (a
	// trace's is 216 bytes), times the 2 to 4 that a list growing by
	// doubling allocates in all.
	elementBytes = 600
	// memberBytes is a member's value: a string's header and its bytes'
	// rounding, a pointer to a number or time, a map entry's share.
	memberBytes = 32
)

// decodedBytes estimates what decoding a body of n bytes allocates while
// the body is held: the body, ingest's structs with their strings, and the
// free-form JSON values (resultDetail, config), decoded into generic
// values and encoded again (a quarter more).
func decodedBytes(fixed, loose jsonlimit.Counts, n int) int64 {
	free := loose.AnyBytes()
	elements := fixed.Values - fixed.Members
	return int64(n) + elements*elementBytes + fixed.Members*memberBytes + fixed.StringBytes + free + free/4
}
