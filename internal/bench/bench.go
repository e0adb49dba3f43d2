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
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// Workloads are the workload keys in run order.
var Workloads = []string{"a", "b", "c", "d", "e", "f"}

// Config is one benchmark run.
type Config struct {
	// Quick is the CI mode: a small data set and short phases.
	Quick bool
	// DatabaseURL is postgres://... (a fresh database is created on that
	// server unless InPlace), sqlite:PATH (used in place), or empty for a
	// temporary SQLite file.
	DatabaseURL string
	// InPlace runs in the PostgreSQL database DatabaseURL names, which must
	// be empty unless Reuse.
	InPlace, Reuse bool
	// SkipLoad, with Reuse, loads nothing and measures the rows already
	// there (a database kept from an earlier run): for quick iterations,
	// not for recorded results.
	SkipLoad bool
	// Keep leaves the fresh database or temporary file in place.
	Keep bool

	// Clients is the number of concurrent clients of every workload.
	Clients int
	// PeakClients runs (b) once more with that many clients, for the
	// memory target; 0 skips it, negative picks the default (32, or none
	// with Quick).
	PeakClients int
	// Duration and Warmup are the lengths of each phase's measured run and
	// of the unmeasured run before it; zero Duration and negative Warmup
	// pick the defaults (15 s and 2 s; with Quick 250 ms and none).
	Duration, Warmup time.Duration
	// MaxRequests caps the requests of one phase.
	MaxRequests int64

	Scale demo.Scale
	Seed  uint64
	// LoadBatch is the number of traces per Ingest call while loading;
	// IngestBatch per request of (e) and (f).
	LoadBatch, IngestBatch int
	// Workloads to run, among Workloads.
	Workloads []string
	// NoBounds skips the hand-written bounds.
	NoBounds bool

	// CPUProfile and MemProfile are pprof file names; each workload in
	// Profile ("load", "a"... "f", "b32" for the PeakClients run) gets its
	// own file, named with the workload before the extension.
	CPUProfile, MemProfile string
	Profile                []string

	// Server returns the HTTP handler under test on store, with the
	// ingestion service it writes through (the command passes its routes).
	Server func(store *db.DB) (http.Handler, *ingest.Service, error)
}

// QuickScale is the data set of --quick: the bench shape of a trace, few of them.
func QuickScale() demo.Scale {
	s := demo.BenchScale()
	s.Projects, s.TracesPerProject = 2, 30
	return s
}

// Defaults fills what is unset: full mode, or quick mode when Quick.
func (c Config) Defaults() Config {
	if c.Scale == (demo.Scale{}) {
		c.Scale = demo.BenchScale()
		if c.Quick {
			c.Scale = QuickScale()
		}
	}
	if c.Clients == 0 {
		c.Clients = 8
	}
	if c.Duration == 0 {
		c.Duration = 15 * time.Second
		if c.Quick {
			c.Duration = 250 * time.Millisecond
		}
	}
	if c.Warmup < 0 {
		c.Warmup = 2 * time.Second
		if c.Quick {
			c.Warmup = 0
		}
	}
	if c.PeakClients < 0 {
		c.PeakClients = 32
		if c.Quick {
			c.PeakClients = 0
		}
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = 1_000_000
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.LoadBatch == 0 {
		c.LoadBatch = 100
	}
	if c.IngestBatch == 0 {
		c.IngestBatch = 20
		if c.Quick {
			c.IngestBatch = 5
		}
	}
	if len(c.Workloads) == 0 {
		c.Workloads = Workloads
	}
	return c
}

// validate rejects settings that cannot work.
func (c Config) validate() error {
	switch {
	case c.Server == nil:
		return errors.New("bench: no server")
	case c.Clients < 1 || c.Clients > 1024:
		return errors.New("--clients: must be between 1 and 1024")
	case c.PeakClients < 0 || c.PeakClients > 1024:
		return errors.New("--peak-clients: must be between 0 and 1024")
	case c.Duration <= 0 || c.Warmup < 0:
		return errors.New("--duration must be positive and --warmup not negative")
	case c.Scale.Projects < 1 || c.Scale.TracesPerProject < 1:
		return errors.New("--projects and --traces: at least 1 each")
	case c.IngestBatch < 1 || c.IngestBatch > 1000:
		return errors.New("--ingest-batch: between 1 and 1000 traces")
	case c.LoadBatch < 1 || c.LoadBatch > 1000:
		return errors.New("--load-batch: between 1 and 1000 traces")
	case c.MaxRequests < 1:
		return errors.New("--max-requests: at least 1")
	}
	for _, w := range c.Workloads {
		if !slices.Contains(Workloads, w) {
			return fmt.Errorf("--workloads: unknown workload %q (use %s)", w, strings.Join(Workloads, ","))
		}
	}
	for _, p := range c.Profile {
		if p != "load" && p != "b32" && !slices.Contains(Workloads, p) {
			return fmt.Errorf("--profile: unknown workload %q (use load, %s or b32)", p, strings.Join(Workloads, ", "))
		}
	}
	if (c.CPUProfile != "" || c.MemProfile != "") && len(c.Profile) == 0 {
		return errors.New("--cpuprofile/--memprofile need --profile naming the workloads to profile (for example --profile b,e)")
	}
	return nil
}

// Phase is one measured run of a workload against the API or its bound.
type Phase struct {
	Workload string // "a"... "f"
	Title    string
	Target   string // "api" or "bound"
	Clients  int
	Requests int
	Failed   int
	Elapsed  time.Duration
	// Units are the calls written, for ingestion.
	Units         int64
	P50, P90, P99 time.Duration
	// Statements is the number of SQL statements run while measuring
	// (BEGIN and COMMIT not counted).
	Statements int64
	Memory     memPeak
	// CPU is the CPU time this process (server, clients and bound) used
	// while measuring; the PostgreSQL server's is not in it.
	CPU time.Duration
}

// CPUPerRequest is the process's CPU time per request.
func (p Phase) CPUPerRequest() time.Duration {
	if p.Requests == 0 {
		return 0
	}
	return p.CPU / time.Duration(p.Requests)
}

// RPS is requests per second.
func (p Phase) RPS() float64 { return float64(p.Requests) / p.Elapsed.Seconds() }

// UnitsPerSecond is calls written per second.
func (p Phase) UnitsPerSecond() float64 { return float64(p.Units) / p.Elapsed.Seconds() }

// StatementsPerRequest is the SQL statements one request costs on average.
func (p Phase) StatementsPerRequest() float64 {
	if p.Requests == 0 {
		return 0
	}
	return float64(p.Statements) / float64(p.Requests)
}

// Probe is the statement count of one request of a read workload at two
// page sizes.
type Probe struct {
	Workload         string
	Small, Large     int
	AtSmall, AtLarge int64
}

// LoadResult is the loading of the data set.
type LoadResult struct {
	Traces, Calls int64
	Elapsed       time.Duration
	Statements    int64
}

// Report is a whole run.
type Report struct {
	Dialect  db.Dialect
	Database string
	Config   Config
	Load     LoadResult
	Probes   []Probe
	Phases   []Phase
	// LoadAvgStart is the machine's load average when the run started:
	// other work on the machine shares its cores with the benchmark.
	LoadAvgStart string
}

// loadAvg reads the machine's load averages (Linux), "?" elsewhere.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Find returns the phase of workload w against target with clients.
func (r *Report) Find(w, target string, clients int) (Phase, bool) {
	for _, p := range r.Phases {
		if p.Workload == w && p.Target == target && p.Clients == clients {
			return p, true
		}
	}
	return Phase{}, false
}

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

// load writes the data set through the ingestion service, LoadBatch traces
// per Ingest call, one writer, creating the projects first in order as
// demo.Load does.
func (r *run) load(ctx context.Context) error {
	cfg := r.cfg
	if cfg.Reuse {
		n, err := r.raw.count(ctx, "traces")
		if err != nil {
			return err
		}
		if cfg.SkipLoad {
			fmt.Fprintf(r.out, "reusing a database with %d traces as it is (--skip-load)\n", n)
			return nil
		}
		fmt.Fprintf(r.out, "reusing a database with %d traces; loading the data set again merges into it by external id\n", n)
	}
	stopProfile, err := r.startProfiles("load")
	if err != nil {
		return err
	}
	for p := range cfg.Scale.Projects {
		if _, err := r.store.EnsureProject(ctx, demo.ProjectName(p)); err != nil {
			return err
		}
	}
	analyze, err := r.needsAnalyze(ctx)
	if err != nil {
		return err
	}
	stmts0 := r.stmts.Load()
	start := time.Now()
	var traces, calls, analyzedAt int64
	batch := make([]ingest.Trace, 0, cfg.LoadBatch)
	lastReport := start
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := r.svc.Ingest(ctx, batch); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		traces += int64(len(batch))
		batch = batch[:0]
		// What autovacuum's autoanalyze does: new statistics once a table
		// has grown by 10% (and 50 rows) since the last ones.
		if analyze && traces-analyzedAt >= 50+analyzedAt/10 {
			if err := r.analyze(ctx); err != nil {
				return err
			}
			analyzedAt = traces
		}
		if time.Since(lastReport) > 10*time.Second {
			lastReport = time.Now()
			fmt.Fprintf(r.out, "  loaded %d traces...\n", traces)
		}
		return nil
	}
	err = demo.Generate(cfg.Seed, cfg.Scale, func(t *ingest.Trace) error {
		in := toInput(t)
		calls += int64(callCount(&in))
		batch = append(batch, *t)
		if len(batch) < cfg.LoadBatch {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	if err == nil && analyze {
		err = r.analyze(ctx)
	}
	elapsed := time.Since(start)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	r.report.Load = LoadResult{Traces: traces, Calls: calls, Elapsed: elapsed, Statements: r.stmts.Load() - stmts0}
	l := r.report.Load
	fmt.Fprintf(r.out, "load: %d traces, %d calls in %s through ingest.Service.Ingest (%d traces per call, 1 writer): %.0f traces/s, %.0f calls/s, %.1f SQL statements per trace\n",
		l.Traces, l.Calls, l.Elapsed.Round(time.Millisecond), cfg.LoadBatch, float64(l.Traces)/l.Elapsed.Seconds(),
		float64(l.Calls)/l.Elapsed.Seconds(), float64(l.Statements)/float64(max(l.Traces, 1)))
	return nil
}

// needsAnalyze reports whether the run must keep the planner's statistics
// itself: on a PostgreSQL server with autovacuum off (as on the machine the
// results in docs/benchmarks.md come from), no statistics would ever exist
// and the plans would be those of empty tables. SQLite has no automatic
// statistics and the store never gathers them, so it is measured as is.
func (r *run) needsAnalyze(ctx context.Context) (bool, error) {
	if r.raw.dialect != db.Postgres {
		return false, nil
	}
	var setting string
	if err := r.raw.pg.QueryRow(ctx, "SHOW autovacuum").Scan(&setting); err != nil {
		return false, err
	}
	if setting == "on" {
		return false, nil
	}
	fmt.Fprintln(r.out, "autovacuum is off on this server: the load runs ANALYZE as autoanalyze would (each time the data grew by 10%) and once at the end")
	return true, nil
}

func (r *run) analyze(ctx context.Context) error {
	_, err := r.raw.pg.Exec(ctx, "ANALYZE")
	return err
}

// tracesPerDay is how many traces a project has in a day: the demo data
// spreads a project's traces over 14 days.
func tracesPerDay(s demo.Scale) int {
	return min(max((s.TracesPerProject+13)/14, 1), 100)
}

// prepareReads lists the loaded projects and traces for the read workloads.
func (r *run) prepareReads(ctx context.Context) error {
	// Each project's id and newest day, for the analytics query.
	var projects []projectRef
	rows, err := r.raw.query(ctx, `SELECT p.id, p.project_name, MAX(t.start_time)
		FROM project_info p JOIN traces t ON t.project_id = p.id GROUP BY p.id, p.project_name ORDER BY p.id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var p projectRef
		var newest anyTime
		if err := rows.Scan(&id, &p.Name, &newest); err != nil {
			rows.Close()
			return fmt.Errorf("projects: %w", err)
		}
		p.ID, p.To = gid("Project", id), newest.T.UTC().Add(time.Millisecond)
		p.From = p.To.Add(-24 * time.Hour)
		projects = append(projects, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = r.raw.query(ctx, "SELECT id FROM traces ORDER BY id")
	if err != nil {
		return err
	}
	var traces []traceRef
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		traces = append(traces, traceRef{ID: gid("Trace", id), DatabaseID: id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(traces) == 0 {
		return errors.New("no traces loaded")
	}
	r.readers = readWorkloads(projects, traces, tracesPerDay(r.cfg.Scale))
	return nil
}

// settle collects garbage and returns freed memory to the OS, so that a
// phase's peak is its own.
func settle() {
	runtime.GC()
	debug.FreeOSMemory()
}

// measure runs one phase: warm-up, then the measured run with the memory
// sampler, the statement counter and, for the API, the profiles.
func (r *run) measure(ctx context.Context, p Phase, url string, stmts func() int64, profile string, next nextRequest) (Phase, error) {
	if r.cfg.Warmup > 0 {
		warm := r.drv.run(ctx, url, p.Clients, r.cfg.Warmup, r.cfg.Seed+100, next)
		if warm.failed > 0 {
			return p, fmt.Errorf("(%s) %s warm-up: %d requests failed; first: %s", p.Workload, p.Target, warm.failed, warm.firstFailure)
		}
	}
	settle()
	stop := func() error { return nil }
	if profile != "" {
		var err error
		if stop, err = r.startProfiles(profile); err != nil {
			return p, err
		}
	}
	s0, cpu0 := stmts(), processCPU()
	mem := startMemSampler(10 * time.Millisecond)
	res := r.drv.run(ctx, url, p.Clients, r.cfg.Duration, r.cfg.Seed, next)
	p.Memory = mem.Stop()
	p.Statements, p.CPU = stmts()-s0, processCPU()-cpu0
	if err := stop(); err != nil {
		return p, err
	}
	p.Requests, p.Failed, p.Units, p.Elapsed = res.requests, res.failed, res.units, res.elapsed
	p.P50, p.P90, p.P99 = percentile(res.latencies, 50), percentile(res.latencies, 90), percentile(res.latencies, 99)
	if res.failed > 0 {
		return p, fmt.Errorf("(%s) %s: %d requests failed; first: %s", p.Workload, p.Target, res.failed, res.firstFailure)
	}
	if res.requests == 0 {
		return p, fmt.Errorf("(%s) %s: no request completed", p.Workload, p.Target)
	}
	r.report.Phases = append(r.report.Phases, p)
	fmt.Fprintln(r.out, p.progressLine())
	return p, nil
}

// apiStatements and boundStatements read the two statement counters.
func (r *run) apiStatements() int64   { return r.stmts.Load() }
func (r *run) boundStatements() int64 { return r.raw.stmts.Load() }

// readWorkload checks, probes and measures a read workload and its bound.
// name is the workload's key, or "b32" for the PeakClients run of (b).
func (r *run) readWorkload(ctx context.Context, w *readWorkload, clients int, name string) error {
	if name == w.key {
		if err := r.checkRead(ctx, w); err != nil {
			return err
		}
	}
	next := func(c *clientState) ([]byte, int) { return w.body(c.buf, w.vars(c.r)), 1 }
	profile := ""
	if slices.Contains(r.cfg.Profile, name) {
		profile = name
	}
	p := Phase{Workload: w.key, Title: w.title, Target: "api", Clients: clients}
	if _, err := r.measure(ctx, p, r.apiURL, r.apiStatements, profile, next); err != nil {
		return err
	}
	if r.cfg.NoBounds {
		return nil
	}
	p.Target = "bound"
	_, err := r.measure(ctx, p, r.bound+w.key, r.boundStatements, "", next)
	return err
}

// checkRead sends one request to the API and to the bound with the same
// variables and requires the same rows from both; then it counts the
// statements of one API request at a small and at the default page size.
func (r *run) checkRead(ctx context.Context, w *readWorkload) error {
	v := w.vars(randFor(r.cfg.Seed))
	body := w.body(nil, v)
	apiDoc, err := r.drv.fetch(ctx, r.apiURL, body)
	if err != nil {
		return fmt.Errorf("(%s) api: %w", w.key, err)
	}
	apiRows, err := countNodes(apiDoc)
	if err != nil {
		return fmt.Errorf("(%s) api: %w", w.key, err)
	}
	total := 0
	for _, n := range apiRows {
		total += n
	}
	if total == 0 {
		return fmt.Errorf("(%s) api: the answer has no rows: %s", w.key, clip(apiDoc, 300))
	}
	if !r.cfg.NoBounds {
		boundDoc, err := r.drv.fetch(ctx, r.bound+w.key, body)
		if err != nil {
			return fmt.Errorf("(%s) bound: %w", w.key, err)
		}
		boundRows, err := countNodes(boundDoc)
		if err != nil {
			return fmt.Errorf("(%s) bound: %w", w.key, err)
		}
		for k, n := range apiRows {
			if m, ok := boundRows[k]; ok && m != n {
				return fmt.Errorf("(%s) the bound reads other rows than the API: %s has %d items from the API, %d from the bound", w.key, k, n, m)
			}
		}
	}
	probe := Probe{Workload: w.key, Small: w.probeSize, Large: w.pageSize}
	for i, n := range []int{w.probeSize, w.pageSize} {
		pv := v
		pv.N = n
		s0 := r.stmts.Load()
		if _, err := r.drv.fetch(ctx, r.apiURL, w.body(nil, pv)); err != nil {
			return fmt.Errorf("(%s) probe: %w", w.key, err)
		}
		if i == 0 {
			probe.AtSmall = r.stmts.Load() - s0
		} else {
			probe.AtLarge = r.stmts.Load() - s0
		}
	}
	r.report.Probes = append(r.report.Probes, probe)
	return nil
}

// ingestWorkload measures (e), ingestTraces requests of IngestBatch new
// traces each, or (f), the same traces in POST /v1/ingest bodies; then the
// same traces written by the bound. It checks that the rows written match
// the calls counted.
func (r *run) ingestWorkload(ctx context.Context, key string) error {
	cfg := r.cfg
	poolSize := max(4*cfg.IngestBatch, 200)
	pool, err := newIngestPool(cfg.Seed+1, cfg.Scale, poolSize)
	if err != nil {
		return err
	}
	title, apiURL, body := fmt.Sprintf("ingestTraces, %d traces per request", cfg.IngestBatch), r.apiURL, pool.body
	if key == "f" {
		title, apiURL, body = fmt.Sprintf("POST /v1/ingest, %d traces per request", cfg.IngestBatch), r.bulkURL, pool.plainBody
	}
	// Every request of the run, warm-up included, gets its own prefix.
	var seq atomic.Int64
	nextFor := func(target string) nextRequest {
		return func(c *clientState) ([]byte, int) {
			idx := make([]int, cfg.IngestBatch)
			start := c.r.IntN(len(pool.traces))
			for i := range idx {
				idx[i] = (start + i) % len(pool.traces)
			}
			prefix := fmt.Sprintf("%s-%s%s%d/", r.tag, key, target, seq.Add(1))
			return body(c.buf, idx, prefix)
		}
	}
	targets := []string{"api"}
	if !cfg.NoBounds {
		targets = append(targets, "bound")
	}
	for _, target := range targets {
		before, err := r.countCalls(ctx)
		if err != nil {
			return err
		}
		url, stmts, profile := apiURL, r.apiStatements, ""
		if target == "bound" {
			url, stmts = r.bound+key, r.boundStatements
		} else if slices.Contains(cfg.Profile, key) {
			profile = key
		}
		// Warm-up writes count too: the check compares all rows written.
		var written atomic.Int64
		next := nextFor(target[:1])
		counted := func(c *clientState) ([]byte, int) {
			b, n := next(c)
			written.Add(int64(n))
			return b, n
		}
		p := Phase{Workload: key, Title: title, Target: target, Clients: cfg.Clients}
		if _, err := r.measure(ctx, p, url, stmts, profile, counted); err != nil {
			return err
		}
		after, err := r.countCalls(ctx)
		if err != nil {
			return err
		}
		if after-before != written.Load() {
			return fmt.Errorf("(%s) %s: %d calls sent, but the call tables grew by %d rows", key, target, written.Load(), after-before)
		}
	}
	return nil
}

// countCalls counts the rows workloads (e) and (f) count as calls.
func (r *run) countCalls(ctx context.Context) (int64, error) {
	var total int64
	for _, t := range []string{"agent_call", "llm_call", "tool_call", "user_interactions"} {
		n, err := r.raw.count(ctx, t)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// startProfiles starts the CPU profile of workload name, if asked, and
// returns what stops it and writes the heap profile. The heap profile is
// written at the end, with a base written at the start: compare them with
// go tool pprof -sample_index=alloc_space -diff_base BASE FILE.
func (r *run) startProfiles(name string) (func() error, error) {
	if !slices.Contains(r.cfg.Profile, name) {
		return func() error { return nil }, nil
	}
	var cpu *os.File
	if r.cfg.CPUProfile != "" {
		f, err := os.Create(profileName(r.cfg.CPUProfile, name, ""))
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return nil, err
		}
		cpu = f
	}
	if r.cfg.MemProfile != "" {
		if err := writeHeap(profileName(r.cfg.MemProfile, name, ".base")); err != nil {
			return nil, err
		}
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
			fmt.Fprintf(r.out, "  CPU profile of %s: %s\n", name, cpu.Name())
		}
		if r.cfg.MemProfile != "" {
			file := profileName(r.cfg.MemProfile, name, "")
			if err := writeHeap(file); err != nil {
				return err
			}
			fmt.Fprintf(r.out, "  heap profile of %s: %s (base: %s)\n", name, file, profileName(r.cfg.MemProfile, name, ".base"))
		}
		return nil
	}, nil
}

// profileName puts the workload (and suffix) before the extension:
// cpu.pprof -> cpu.b.pprof.
func profileName(file, workload, suffix string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "." + workload + suffix + ext
}

func writeHeap(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
