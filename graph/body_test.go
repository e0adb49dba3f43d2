package graph

import (
	"bytes"
	"strings"
	"testing"
)

// TestReadBodyTrustsNoLength checks that a Content-Length is only a hint:
// a body shorter or longer than announced is read as it is, and announcing
// the limit allocates no more than preallocMax before the bytes arrive.
func TestReadBodyTrustsNoLength(t *testing.T) {
	const limit = 8 << 20
	got, err := readBody(strings.NewReader("short"), limit, limit)
	if err != nil || string(got) != "short" || cap(got) > preallocMax+1 {
		t.Fatalf("announced %d, sent 5: %q (cap %d), %v", limit, got, cap(got), err)
	}
	long := bytes.Repeat([]byte("x"), 3<<20)
	got, err = readBody(bytes.NewReader(long), 10, limit)
	if err != nil || !bytes.Equal(got, long) {
		t.Fatalf("announced 10, sent %d: read %d bytes, %v", len(long), len(got), err)
	}
	got, err = readBody(bytes.NewReader(make([]byte, limit+5)), -1, limit)
	if err != nil || len(got) != limit+1 {
		t.Fatalf("sent over the limit: read %d bytes, want the limit and one, %v", len(got), err)
	}
}
