package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clientState is one concurrent client's own state.
type clientState struct {
	id  int
	r   *rand.Rand
	buf []byte
}

// nextRequest builds a client's next request body and says how many units
// (calls written, for ingestion; 1 for reads) it carries.
type nextRequest func(c *clientState) (body []byte, units int)

// runResult is what a fixed-time run of concurrent clients did.
type runResult struct {
	requests, failed int
	units            int64
	elapsed          time.Duration
	latencies        []time.Duration // sorted
	firstFailure     string
}

// driver sends requests over loopback HTTP.
type driver struct {
	client *http.Client
	// maxRequests caps the requests of one run, whatever its duration.
	maxRequests int64
}

func newDriver(maxConns int, maxRequests int64) *driver {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &driver{client: &http.Client{Transport: tr, Timeout: 2 * time.Minute}, maxRequests: maxRequests}
}

func (d *driver) close() { d.client.CloseIdleConnections() }

// run drives url with clients concurrent clients for dur (each request in
// flight at the deadline still completes) or until maxRequests.
func (d *driver) run(ctx context.Context, url string, clients int, dur time.Duration, seed uint64, next nextRequest) runResult {
	var (
		wg      sync.WaitGroup
		issued  atomic.Int64
		mu      sync.Mutex
		res     runResult
		allLat  [][]time.Duration
		started = time.Now()
	)
	deadline := started.Add(dur)
	ctx, cancel := context.WithDeadline(ctx, deadline.Add(2*time.Minute))
	defer cancel()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &clientState{id: i, r: rand.New(rand.NewPCG(seed, uint64(i)))}
			lat := make([]time.Duration, 0, 1024)
			chunk := make([]byte, 32<<10)
			var units int64
			failed := 0
			first := ""
			for ctx.Err() == nil && time.Now().Before(deadline) && issued.Add(1) <= d.maxRequests {
				body, n := next(c)
				c.buf = body
				t0 := time.Now()
				err := d.do(ctx, url, body, chunk)
				if err != nil {
					failed++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				units += int64(n)
			}
			mu.Lock()
			allLat = append(allLat, lat)
			res.failed += failed
			res.units += units
			if res.firstFailure == "" {
				res.firstFailure = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(started)
	for _, l := range allLat {
		res.latencies = append(res.latencies, l...)
	}
	res.requests = len(res.latencies)
	slices.Sort(res.latencies)
	return res
}

// errorsPrefix starts a GraphQL answer with errors (gqlgen writes them first).
var errorsPrefix = []byte(`{"errors":`)

// do sends one request and reads the answer through chunk, so that the
// clients hold little memory of their own; an HTTP error status or a
// GraphQL answer with errors fails the request.
func (d *driver) do(ctx context.Context, url string, body, chunk []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	n, err := io.ReadFull(res.Body, chunk)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head := chunk[:n]
	if res.StatusCode != http.StatusOK || bytes.HasPrefix(head, errorsPrefix) {
		return fmt.Errorf("HTTP %d: %s", res.StatusCode, clip(head, 300))
	}
	for n == len(chunk) {
		n, err = io.ReadFull(res.Body, chunk)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				break
			}
			return err
		}
	}
	return nil
}

// fetch sends one request and returns the whole answer, for checks.
func (d *driver) fetch(ctx context.Context, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK || bytes.HasPrefix(out, errorsPrefix) {
		return nil, fmt.Errorf("HTTP %d: %s", res.StatusCode, clip(out, 600))
	}
	return out, nil
}

func clip(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// percentile of sorted latencies (nearest rank).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// memPeak is the largest memory seen while a phase ran.
type memPeak struct {
	// HeapInUse is the Go heap's spans in use (objects and their free
	// slots, runtime.MemStats.HeapInuse); GoTotal is all memory the Go
	// runtime holds from the OS, less what it gave back; RSS is the
	// process's resident set (Linux), which also counts memory outside the
	// Go runtime, such as SQLite's page cache.
	HeapInUse, GoTotal, RSS uint64
}

// memSampler samples the process's memory every interval until stopped.
type memSampler struct {
	stop chan struct{}
	done chan memPeak
}

var memMetrics = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
}

func startMemSampler(every time.Duration) *memSampler {
	m := &memSampler{stop: make(chan struct{}), done: make(chan memPeak, 1)}
	go func() {
		samples := make([]metrics.Sample, len(memMetrics))
		for i, name := range memMetrics {
			samples[i].Name = name
		}
		var peak memPeak
		sample := func() {
			metrics.Read(samples)
			v := func(i int) uint64 {
				if samples[i].Value.Kind() != metrics.KindUint64 {
					return 0
				}
				return samples[i].Value.Uint64()
			}
			peak.HeapInUse = max(peak.HeapInUse, v(0)+v(1))
			peak.GoTotal = max(peak.GoTotal, v(2)-v(3))
			peak.RSS = max(peak.RSS, residentBytes())
		}
		t := time.NewTicker(every)
		defer t.Stop()
		sample()
		for {
			select {
			case <-t.C:
				sample()
			case <-m.stop:
				sample()
				m.done <- peak
				return
			}
		}
	}()
	return m
}

func (m *memSampler) Stop() memPeak {
	close(m.stop)
	return <-m.done
}

// residentBytes reads the process's resident set size; 0 where /proc is missing.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}
