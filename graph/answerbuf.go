package graph

import "sync"

// Answers are marshalled into one buffer each; a big one grows by doubling
// through half a megabyte, a third of all bytes allocated for it. go
// generate (internal/tools/seqlists) makes the executor take its buffer
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
