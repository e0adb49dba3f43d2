// Package bench measures the API end to end: it loads a deterministic data
// set through the real ingestion path into a fresh database, serves the real
// HTTP handler in-process on loopback, drives it with concurrent clients for
// a fixed time per workload, and measures beside each workload its lower
// bound: the same rows read or written by hand-written SQL (pgx and COPY on
// PostgreSQL, database/sql and multi-row INSERTs on SQLite). "api bench"
// runs it; docs/benchmarks.md has the results.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// run is the state of one Run.
type run struct {
	cfg     Config
	out     io.Writer
	store   *db.DB
	raw     *rawDB
	svc     *ingest.Service
	stmts   *atomic.Int64
	drv     *driver
	apiURL  string // GraphQL
	bulkURL string // POST /v1/ingest
	bound   string // base URL of the bound server
	tag     string // makes this run's external ids unique
	report  *Report
	readers map[string]*readWorkload
}

// Run runs the benchmark, printing progress and the results to out.
func Run(ctx context.Context, cfg Config, out io.Writer) (*Report, error) {
	cfg = cfg.Defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tgt, err := prepareTarget(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := tgt.cleanup(); err != nil {
			fmt.Fprintln(out, "cleanup:", err)
		}
	}()
	fmt.Fprintf(out, "database: %s\n", tgt.about)
	fmt.Fprintf(out, "machine: %d CPUs (GOMAXPROCS %d), %s %s/%s; the server, its clients and the bounds run in this one process (the PostgreSQL server, if any, beside it)\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	mode := "full"
	if cfg.Quick {
		mode = "quick"
	}
	s := cfg.Scale
	again := ""
	if cfg.PeakClients > 0 {
		again = fmt.Sprintf(" (and %d for (b) again)", cfg.PeakClients)
	}
	fmt.Fprintf(out, "mode: %s; %d clients%s; %s per phase after %s of warm-up\n",
		mode, cfg.Clients, again, cfg.Duration, cfg.Warmup)
	fmt.Fprintf(out, "data: %d projects x %d traces; per trace %d agents, %d LLM calls (~%d-char prompts and outputs), %d tool calls, %d interactions, %d metrics, system info; errors every %dth trace\n",
		s.Projects, s.TracesPerProject, s.AgentsPerTrace, s.LLMCallsPerTrace, s.PromptChars, s.ToolCallsPerTrace,
		s.InteractionsPerTrace, s.MetricsPerTrace, s.ErrorEvery)

	store, err := db.Open(ctx, tgt.url, db.Options{})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	r := &run{cfg: cfg, out: out, store: store, report: &Report{Dialect: tgt.dialect, Database: tgt.about, Config: cfg, LoadAvgStart: loadAvg()}}
	if r.stmts, err = countStatements(store); err != nil {
		return nil, err
	}
	handler, svc, err := cfg.Server(store)
	if err != nil {
		return nil, err
	}
	r.svc = svc
	if r.raw, err = openRaw(ctx, tgt.url, tgt.dialect); err != nil {
		return nil, err
	}
	defer r.raw.Close()
	tag := make([]byte, 3)
	_, _ = rand.Read(tag)
	r.tag = "bench" + hex.EncodeToString(tag)

	if err := r.load(ctx); err != nil {
		return r.report, err
	}

	apiURL, stopAPI, err := listen(handler)
	if err != nil {
		return r.report, err
	}
	defer stopAPI()
	r.apiURL, r.bulkURL = apiURL+"/graphql", apiURL+"/v1/ingest"
	ing, err := newBoundIngest(ctx, r.raw)
	if err != nil {
		return r.report, err
	}
	boundURL, stopBound, err := listen(newBoundServer(r.raw, ing))
	if err != nil {
		return r.report, err
	}
	defer stopBound()
	r.bound = boundURL + "/bound/"
	r.drv = newDriver(max(cfg.Clients, cfg.PeakClients)*2, cfg.MaxRequests)
	defer r.drv.close()

	if err := r.prepareReads(ctx); err != nil {
		return r.report, err
	}
	fmt.Fprintln(out)
	for _, w := range cfg.Workloads {
		if w == "e" || w == "f" {
			if err := r.ingestWorkload(ctx, w); err != nil {
				return r.report, err
			}
			continue
		}
		if err := r.readWorkload(ctx, r.readers[w], cfg.Clients, w); err != nil {
			return r.report, err
		}
		if w == "b" && cfg.PeakClients > 0 && cfg.PeakClients != cfg.Clients {
			if err := r.readWorkload(ctx, r.readers[w], cfg.PeakClients, "b32"); err != nil {
				return r.report, err
			}
		}
	}
	fmt.Fprintln(out)
	r.report.Write(out)
	fmt.Fprintf(out, "\nload average of the machine (1, 5, 15 min) at the start: %s; at the end: %s\n", r.report.LoadAvgStart, loadAvg())
	return r.report, nil
}

// countStatements counts every SQL statement the store runs, with GORM
// callbacks after each kind of statement and the store's hook for the
// statements it runs without GORM (as graph/helpers_test.go does).
func countStatements(store *db.DB) (*atomic.Int64, error) {
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	store.OnDirectStatement("bench:count", func(context.Context, db.DirectStatement) { n.Add(1) })
	cb := store.Gorm().Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("bench:count", count),
		cb.Row().After("gorm:row").Register("bench:count", count),
		cb.Raw().After("gorm:raw").Register("bench:count", count),
		cb.Create().After("gorm:create").Register("bench:count", count),
		cb.Update().After("gorm:update").Register("bench:count", count),
		cb.Delete().After("gorm:delete").Register("bench:count", count),
	} {
		if err != nil {
			return nil, err
		}
	}
	return &n, nil
}

// listen serves h on a loopback port until stop.
func listen(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
