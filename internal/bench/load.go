package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

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
