package httpx

import (
	"bytes"
	"compress/gzip"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// TestReadAllTrustsNoLength checks that a Content-Length is only a hint:
// a body shorter or longer than announced is read as it is, and announcing
// the limit allocates no more than preallocMax before the bytes arrive.
func TestReadAllTrustsNoLength(t *testing.T) {
	const limit = 8 << 20
	got, err := readAll(strings.NewReader("short"), limit, limit)
	if err != nil || string(got) != "short" || cap(got) > preallocMax+1 {
		t.Fatalf("announced %d, sent 5: %q (cap %d), %v", limit, got, cap(got), err)
	}
	long := bytes.Repeat([]byte("x"), 3<<20)
	got, err = readAll(bytes.NewReader(long), 10, limit)
	if err != nil || !bytes.Equal(got, long) {
		t.Fatalf("announced 10, sent %d: read %d bytes, %v", len(long), len(got), err)
	}
	got, err = readAll(bytes.NewReader(make([]byte, limit+5)), -1, limit)
	if err != nil || len(got) != limit+1 {
		t.Fatalf("sent over the limit: read %d bytes, want the limit and one, %v", len(got), err)
	}
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

// TestReadBody holds the limits before and after decompression and the
// codes of the refusals.
func TestReadBody(t *testing.T) {
	const limit = 1 << 10
	small, big := []byte(`{"a": 1}`), bytes.Repeat([]byte("x"), limit+1)
	for _, c := range []struct {
		name     string
		body     []byte
		encoding string
		gzip     bool
		want     []byte
		code     apperr.Code
	}{
		{"plain", small, "", true, small, ""},
		{"gzip", gzipped(small), "gzip", true, small, ""},
		{"x-gzip, any case", gzipped(small), " X-GZIP", true, small, ""},
		{"identity", small, "identity", true, small, ""},
		{"over the limit", big, "", true, nil, apperr.PayloadTooLarge},
		{"a bomb", gzipped(bytes.Repeat([]byte("x"), 1<<20)), "gzip", true, nil, apperr.PayloadTooLarge},
		{"not gzip", small, "gzip", true, nil, apperr.InvalidArgument},
		{"cut off gzip", gzipped(small)[:15], "gzip", true, nil, apperr.InvalidArgument},
		{"unknown encoding", small, "br", true, nil, apperr.UnsupportedMediaType},
		{"encoding not read without gzip", small, "br", false, small, ""},
		{"gzip not decompressed without gzip", gzipped(small), "gzip", false, gzipped(small), ""},
	} {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(c.body))
		if c.encoding != "" {
			r.Header.Set("Content-Encoding", c.encoding)
		}
		got, err := ReadBody(httptest.NewRecorder(), r, Body{Max: limit, Gzip: c.gzip})
		switch {
		case c.code != "" && (err == nil || err.Code != c.code):
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		case c.code == "" && (err != nil || !bytes.Equal(got, c.want)):
			t.Errorf("%s: %q, %v", c.name, got, err)
		}
	}
}
