package httpx

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Body says how a request body is read.
type Body struct {
	// Max caps the body in bytes, as sent and, when gzip, as decompressed,
	// so that a small gzip bomb stops after Max bytes of output.
	Max int64
	// Gzip accepts Content-Encoding gzip and decompresses it; any other
	// encoding but identity is refused. Without it the header is not read.
	Gzip bool
}

// preallocMax bounds the buffer allocated on the word of a Content-Length
// alone, before the bytes arrive: a client announcing the limit and sending
// nothing must not cost the limit. Ingestion batches are smaller; larger
// bodies grow the buffer as they are read.
const preallocMax = 1 << 20

// errTooLarge is a body over the limit, as sent or decompressed.
var errTooLarge = errors.New("request body too large")

// ReadBody reads r's whole body as b says. Its errors are ready to answer
// with: PAYLOAD_TOO_LARGE over the limit, UNSUPPORTED_MEDIA_TYPE for an
// encoding not accepted, INVALID_ARGUMENT for a body that is not the gzip
// it says or breaks off, and a coded error of the body's own (the wire's
// 408 for one that stopped arriving) as it is.
func ReadBody(w http.ResponseWriter, r *http.Request, b Body) ([]byte, *apperr.Error) {
	gzipped := false
	if b.Gzip {
		switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
		case "", "identity":
		case "gzip", "x-gzip":
			gzipped = true
		default:
			return nil, apperr.New(apperr.UnsupportedMediaType, "unsupported Content-Encoding %q: send gzip or none", enc)
		}
	}
	if r.ContentLength > b.Max {
		return nil, b.tooLarge()
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, b.Max)
	size := r.ContentLength
	if gzipped {
		zr, err := gzip.NewReader(src)
		if err != nil {
			if isTooLarge(err) {
				return nil, b.tooLarge()
			}
			if e := coded(err); e != nil {
				return nil, e
			}
			return nil, apperr.New(apperr.InvalidArgument, "the body is not gzip: %v", err)
		}
		defer zr.Close()
		src, size = zr, -1 // the decompressed size is not announced
	}
	body, err := readAll(src, size, b.Max)
	switch {
	case isTooLarge(err) || int64(len(body)) > b.Max:
		return nil, b.tooLarge()
	case err != nil:
		if e := coded(err); e != nil {
			return nil, e
		}
		return nil, apperr.New(apperr.InvalidArgument, "could not read the request body: %v", err)
	}
	return body, nil
}

func (b Body) tooLarge() *apperr.Error {
	if b.Gzip {
		return apperr.New(apperr.PayloadTooLarge, "the request body is over the limit of %d bytes (as sent and decompressed)", b.Max)
	}
	return apperr.New(apperr.PayloadTooLarge, "the request body is over the limit of %d bytes", b.Max)
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.Is(err, errTooLarge) || errors.As(err, &tooLarge)
}

// coded is the coded error a body failed with (one that stopped arriving
// in time says so itself), nil for any other.
func coded(err error) *apperr.Error {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// readAll reads at most limit+1 bytes of src into one buffer sized from
// size, the announced length when known, so a body of up to preallocMax
// is read without regrowing and copying.
func readAll(src io.Reader, size, limit int64) ([]byte, error) {
	capacity := int64(512)
	if size > 0 {
		// One byte more than announced, so the read that finds the end
		// does not grow the buffer.
		capacity = min(size, limit, preallocMax) + 1
	}
	buf := make([]byte, 0, capacity)
	r := io.LimitReader(src, limit+1)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return buf, nil // over the limit, whatever follows
			}
			// Doubling, so that a body of unknown size (decompressed)
			// costs about twice itself, not the many times append's
			// smaller steps would.
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// bufferedBody is a request body read whole ahead of its handler (see
// Buffer); Bytes hands out its bytes instead of copying them again.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (bufferedBody) Close() error { return nil }

// Buffer makes data, read from r's body by ReadBody, r's body again.
func Buffer(r *http.Request, data []byte) {
	r.Body = bufferedBody{bytes.NewReader(data), data}
}

// Bytes is the unread rest of r's body, without a copy when Buffer put it there.
func Bytes(r *http.Request) ([]byte, error) {
	if b, ok := r.Body.(bufferedBody); ok {
		return b.data[len(b.data)-b.Len():], nil
	}
	return io.ReadAll(r.Body)
}
