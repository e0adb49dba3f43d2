package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/agentgraph/agentgraph/internal/demo"
)

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
