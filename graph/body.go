package graph

import (
	"bytes"
	"io"
	"net/http"
)

// preallocMax bounds the buffer readBody allocates on the word of a
// Content-Length alone, before the bytes arrive: a client announcing the
// limit and sending nothing must not cost the limit. Ingestion batches are
// smaller; larger bodies grow the buffer as they are read.
const preallocMax = 1 << 20

// readBody reads at most limit+1 bytes of a body into one buffer sized from
// its Content-Length, so a body of up to preallocMax is read without
// regrowing and copying.
func readBody(body io.Reader, contentLength, limit int64) ([]byte, error) {
	size := int64(512)
	if contentLength > 0 {
		// One byte more than announced, so the read that finds the end
		// does not grow the buffer.
		size = min(contentLength, limit, preallocMax) + 1
	}
	buf := make([]byte, 0, size)
	r := io.LimitReader(body, limit+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
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

// bufferedBody is a request body limitBody has read whole; requestBytes
// hands out its bytes instead of copying them again.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (bufferedBody) Close() error { return nil }

// requestBytes is the unread rest of r's body.
func requestBytes(r *http.Request) ([]byte, error) {
	if b, ok := r.Body.(bufferedBody); ok {
		return b.data[len(b.data)-b.Len():], nil
	}
	return io.ReadAll(r.Body)
}
