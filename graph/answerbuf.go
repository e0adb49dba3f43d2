package graph

import (
	"bytes"
	"context"
	"sync"

	"github.com/agentgraph/agentgraph/internal/budget"
)

// Answers are marshalled into one buffer each; a big one grows by doubling
// through half a megabyte, a third of all bytes allocated for it. go
// generate (internal/tools/generate) makes the executor take its buffer
// from this pool, and postTransport returns it once the answer is written.

const maxPooledAnswer = 8 << 20 // bigger buffers are left to the collector

var answerBuffers sync.Pool // *[]byte

// answerBuffer returns an empty buffer, with room when one is free.
func answerBuffer() []byte {
	if p, ok := answerBuffers.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 16<<10)
}

// releaseAnswer returns an answer's buffer; nothing may use data after.
func releaseAnswer(data []byte) {
	if cap(data) == 0 || cap(data) > maxPooledAnswer {
		return
	}
	data = data[:0]
	answerBuffers.Put(&data)
}

// chargedAnswer is the writer the executor marshals the answer through
// (go generate puts it there): it charges the request's memory budget for
// every growth of buf before it happens, and once the budget is spent it
// empties buf and drops the rest, so an answer never outgrows the budget.
// runOperation then answers RESPONSE_TOO_LARGE.
func chargedAnswer(ctx context.Context, buf *bytes.Buffer) *answerWriter {
	return &answerWriter{buf: buf, budget: budget.From(ctx)}
}

type answerWriter struct {
	buf    *bytes.Buffer
	budget *budget.Budget
	full   bool
}

// room tells whether n more bytes may be written, charging a growth.
func (a *answerWriter) room(n int) bool {
	if a.full {
		return false
	}
	if a.buf.Len()+n <= a.buf.Cap() {
		return true
	}
	// bytes.Buffer grows to twice its capacity plus n, and copies.
	if a.budget.Charge(int64(a.buf.Cap()+n)) != nil {
		a.full = true
		*a.buf = bytes.Buffer{}
		return false
	}
	return true
}

func (a *answerWriter) Write(p []byte) (int, error) {
	if a.room(len(p)) {
		a.buf.Write(p)
	}
	return len(p), nil
}

func (a *answerWriter) WriteString(s string) (int, error) {
	if a.room(len(s)) {
		a.buf.WriteString(s)
	}
	return len(s), nil
}

func (a *answerWriter) WriteByte(c byte) error {
	if a.room(1) {
		a.buf.WriteByte(c)
	}
	return nil
}
