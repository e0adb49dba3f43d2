package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/jsonlimit"
)

// errBodyTooLarge is a body over the limit, as sent or decompressed.
var errBodyTooLarge = errors.New("request body too large")

// bodyReader is what the decoder reads: the body, decompressed if it is
// gzip, at most max bytes of it, kept aside to locate a decoding error,
// and with the body's own failure remembered so that it is not blamed on
// the JSON.
type bodyReader struct {
	r    io.Reader
	left int64
	kept *bytes.Buffer
	err  error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n, err = int(b.left), errBodyTooLarge
	}
	b.left -= int64(n)
	b.kept.Write(p[:n])
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = errBodyTooLarge
	}
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// keptBodies recycles the copies of bodies; very large ones are dropped.
var keptBodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// openBody returns the reader of r's body, at most max bytes as sent and
// as decompressed (so a small gzip bomb stops after max bytes of output).
// The caller puts kept back into keptBodies.
func openBody(w http.ResponseWriter, r *http.Request, max int64) (*bodyReader, error) {
	if r.ContentLength > max {
		return nil, errBodyTooLarge
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, max)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, errBodyTooLarge
			}
			return nil, apperr.New(apperr.InvalidArgument, "the body is not gzip: %v", err)
		}
		src = zr
	default:
		return nil, errUnsupportedEncoding{enc}
	}
	kept := keptBodies.Get().(*bytes.Buffer)
	kept.Reset()
	return &bodyReader{r: src, left: max, kept: kept}, nil
}

// release gives the kept copy back.
func (b *bodyReader) release() {
	if b.kept.Cap() <= 1<<20 {
		keptBodies.Put(b.kept)
	}
	b.kept = nil
}

// bodyError is a body that could not be read (cut off, or not gzip after all).
type bodyError struct{ err error }

func (e bodyError) Error() string { return "could not read the request body: " + e.err.Error() }
func (e bodyError) Unwrap() error { return e.err }

// readError is the body's own failure, errBodyTooLarge as it is.
func (b *bodyReader) readError() error {
	if errors.Is(b.err, errBodyTooLarge) {
		return b.err
	}
	return bodyError{b.err}
}

type errUnsupportedEncoding struct{ name string }

func (e errUnsupportedEncoding) Error() string {
	return fmt.Sprintf("unsupported Content-Encoding %q: send gzip or none", e.name)
}

// decodeBody decodes the whole body, which must hold one JSON object and
// nothing after it. Errors of the body itself come back as they are; the
// others are INVALID_ARGUMENT naming the bad value's path, or, for a body
// whose decoding would overrun the request's memory budget,
// PAYLOAD_TOO_LARGE.
func decodeBody(ctx context.Context, body *bodyReader) (*bulkRequest, error) {
	// The whole body first (bodyReader keeps what it reads), so that the
	// fast decoder sees it in one piece.
	if _, err := io.Copy(io.Discard, body); err != nil || body.err != nil {
		return nil, body.readError()
	}
	raw := body.kept.Bytes()
	if err := checkBulkJSON(ctx, raw); err != nil {
		return nil, err
	}
	if req, ok := decodeFast(raw); ok {
		return req, nil
	}
	// Anything the fast decoder refuses is decoded again: encoding/json's
	// errors are the ones clients see, located by path.
	return decodeStd(raw)
}

// decodeStd decodes a whole body with encoding/json.
func decodeStd(raw []byte) (*bulkRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	req := &bulkRequest{}
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
		if field, err := semanticPath(reflect.TypeFor[bulkRequest](), raw, ""); err != nil {
			return apperr.Invalid(field, "%s", describe(err))
		}
	}
	return nil
}

// checkBulkJSON refuses a body nesting deeper than jsonlimit.MaxDepth,
// naming the path, and charges what decoding it allocates.
func checkBulkJSON(ctx context.Context, raw []byte) error {
	fixed, loose, err := jsonlimit.Split(raw, func(key []byte) bool { return bodyKeys[string(key)] })
	var deep *jsonlimit.DepthError
	if errors.As(err, &deep) {
		return apperr.Invalid(deep.Path, "%s", jsonlimit.TooDeep)
	}
	return jsonlimit.Charge(ctx, bulkBytes(fixed, loose, len(raw)))
}

// What decoding a body into its structs allocates, per thing counted in
// them, measured with goccy, which decodes every body that is accepted
// (TestBulkBytesCalibration), and rounded up.
const (
	bulkValue  = 32  // a string's header and its bytes' rounding, a pointer to a number or time, a slice slot
	bulkObject = 160 // a struct (a trace's 176 bytes, a header's 16) and its pointer in a growing slice
)

// bulkBytes estimates what decoding a body of n bytes allocates: goccy's
// buffer of the body, the structs with their strings, and the free-form
// JSON values (resultDetail, config), decoded into generic values and
// encoded again (a quarter more). A refused body is decoded once more, by
// encoding/json, for its error; that garbage comes after goccy's.
func bulkBytes(fixed, loose jsonlimit.Counts, n int) int64 {
	free := loose.AnyBytes()
	return int64(n) + fixed.Values*bulkValue + fixed.Objects*bulkObject + fixed.StringBytes + free + free/4
}
