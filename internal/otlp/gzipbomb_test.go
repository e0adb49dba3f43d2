package otlp_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/otlp"
)

// A small gzip body that inflates to 256 MiB, 16 times the limit, is refused
// with 413 quickly, having allocated about the limit and not the inflated size.
// The store is never reached, so none is given.
func TestGzipBombIsBounded(t *testing.T) {
	const limit = otlp.DefaultMaxBodyBytes
	// 256 gzip members of 1 MiB of zeros each: a multistream body, which
	// gzip readers inflate as one, built without compressing 256 MiB.
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	bomb := bytes.NewBuffer(bytes.Repeat(member.Bytes(), 256))
	if bomb.Len() > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed, not small", bomb.Len())
	}

	h := otlp.NewHandler(ingest.New(nil, ingest.Options{}), otlp.Options{})
	req := httptest.NewRequest(http.MethodPost, "/v1/traces", bytes.NewReader(bomb.Bytes()))
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "gzip")
	rec := httptest.NewRecorder()

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	h.ServeHTTP(rec, req)
	took := time.Since(start)
	runtime.ReadMemStats(&after)

	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413: %s", rec.Code, rec.Body)
	}
	// io.ReadAll grows its buffer by doubling: a few times the limit, far
	// from the 256 MiB inflated.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6*limit {
		t.Errorf("allocated %d MiB for a %d MiB limit", alloc>>20, limit>>20)
	}
	if took > 5*time.Second {
		t.Errorf("took %v to refuse", took)
	}
	t.Logf("%d KiB inflating to 256 MiB: 413 after %v, %d MiB allocated", bomb.Len()>>10, took, (after.TotalAlloc-before.TotalAlloc)>>20)
}
