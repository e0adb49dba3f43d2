package main

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// writeChunk is the most of an answer one write hands the connection, so
// that the write timeout asks a reader to take every writeChunk bytes in
// time, not a whole large answer.
const writeChunk = 256 << 10

// wireTimeouts bounds how long a client may take on the wire: the body must
// arrive whole within bodyTimeout of the headers, and each part of the
// answer must be taken within writeTimeout of being written. Neither caps a
// request's whole time, so a long export streaming to a reader that keeps
// up goes on, while a stalled client is cut off and frees what it held.
func wireTimeouts(bodyTimeout, writeTimeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if writeTimeout > 0 {
			w = &progressWriter{ResponseWriter: w, rc: rc, timeout: writeTimeout}
		}
		if bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			// Only while there is a body: a read deadline left pending would
			// end the server's background read, and so the request.
			_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout))
			// A copy, so that the server still sees its own body in the
			// request (and knows what is left of it) after the handler.
			r = r.WithContext(r.Context())
			r.Body = &timedBody{ReadCloser: r.Body, rc: rc, header: w.Header()}
		}
		next.ServeHTTP(w, r)
		if writeTimeout > 0 {
			// The server flushes what is buffered after the handler returns.
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		}
	})
}

// timedBody is a body under a read deadline, lifted once the body is read.
type timedBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	header http.Header
	done   bool
}

// errBodyTimeout is what reading a body past its deadline fails with.
func errBodyTimeout() error {
	return apperr.New(apperr.RequestTimeout, "the request body did not arrive in time (--read-body-timeout); send it at once")
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && !b.done:
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		// The rest of the body cannot be skipped: the connection ends
		// after the answer.
		b.header.Set("Connection", "close")
		return n, errBodyTimeout()
	}
	return n, err
}

// progressWriter gives each write of an answer its own deadline.
type progressWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (p *progressWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		part := b[:min(len(b), writeChunk)]
		_ = p.rc.SetWriteDeadline(time.Now().Add(p.timeout))
		n, err := p.ResponseWriter.Write(part)
		written += n
		if err != nil {
			return written, err
		}
		b = b[n:]
	}
	return written, nil
}

// Flush keeps streaming answers (exports) streaming, under a deadline.
func (p *progressWriter) Flush() {
	_ = p.rc.SetWriteDeadline(time.Now().Add(p.timeout))
	_ = p.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
