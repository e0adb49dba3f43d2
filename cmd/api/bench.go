package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	// Imported under another name: "bench" is this command's function.
	"github.com/agentgraph/agentgraph/internal/auth"
	benchmark "github.com/agentgraph/agentgraph/internal/bench"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// parseBenchFlags reads the command line of "api bench".
func parseBenchFlags(args []string, getenv func(string) string, output io.Writer) (benchmark.Config, Config, error) {
	var cfg benchmark.Config
	server := DefaultConfig()
	fs := flag.NewFlagSet("api bench", flag.ContinueOnError)
	fs.SetOutput(output)
	f := newEnvFlags(fs, getenv)
	var workloads, profile string
	var projects, traces int
	var seed int
	fs.BoolVar(&cfg.Quick, "quick", false, "CI mode: a small data set and short phases (seconds in all)")
	// Not DATABASE_URL: a benchmark writes, so it never picks up the
	// server's database by accident.
	f.String(&cfg.DatabaseURL, "database-url", "BENCH_DATABASE_URL", "postgres://... (a fresh database bench_<random> is created on that server and dropped after), sqlite:PATH (used in place), or empty for a temporary SQLite file")
	fs.BoolVar(&cfg.InPlace, "in-place", false, "PostgreSQL: run in the database the URL names instead of a fresh one; it must be empty")
	fs.BoolVar(&cfg.Reuse, "reuse", false, "run on the given database even if it holds data (implies --in-place)")
	fs.BoolVar(&cfg.SkipLoad, "skip-load", false, "with --reuse: load nothing, measure the rows already there (a database kept by --keep; for quick iterations, not for recorded results)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the fresh database or temporary file")
	fs.IntVar(&cfg.Clients, "clients", 8, "concurrent clients of every workload")
	fs.IntVar(&cfg.PeakClients, "peak-clients", -1, "run (b) again with this many clients, for the memory target; 0 skips (default 32, --quick 0)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "measured time of each phase (default 15s, --quick 250ms)")
	fs.DurationVar(&cfg.Warmup, "warmup", -1, "unmeasured time before each phase (default 2s, --quick 0)")
	fs.Int64Var(&cfg.MaxRequests, "max-requests", 1_000_000, "most requests of one phase")
	fs.IntVar(&projects, "projects", 0, "projects in the data set (default 10, --quick 2)")
	fs.IntVar(&traces, "traces", 0, "traces per project (default 1000, --quick 30)")
	fs.IntVar(&seed, "seed", 1, "seed of the generated data")
	fs.IntVar(&cfg.LoadBatch, "load-batch", 100, "traces per Ingest call while loading")
	fs.IntVar(&cfg.IngestBatch, "ingest-batch", 0, "traces per request in workloads (e) and (f) (default 20, --quick 5)")
	fs.StringVar(&workloads, "workloads", strings.Join(benchmark.Workloads, ","), "workloads to run: a projects, b project traces, c one trace, d analytics (Query.analytics over a day), e ingestion (ingestTraces), f ingestion (POST /v1/ingest)")
	fs.BoolVar(&cfg.NoBounds, "no-bounds", false, "skip the hand-written SQL bounds")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of each --profile workload (FILE gets the workload before its extension: cpu.b.pprof)")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile at the end of each --profile workload, and a .base one at its start")
	fs.StringVar(&profile, "profile", "", "workloads the profiles cover: load, a, b, c, d, e, f, b32 (the --peak-clients run of b), comma-separated")
	f.Duration(&server.LoaderWait, "loader-wait", "API_LOADER_WAIT", "how long the server's dataloaders collect keys before a batch")
	fs.Usage = func() {
		fmt.Fprintf(output, `Usage: api bench [flags]

Loads a data set through the ingestion path into a fresh database, serves
the API in this process on 127.0.0.1, drives it over HTTP with concurrent
clients for a fixed time per workload, and measures each workload's lower
bound with hand-written SQL. Prints requests/s, latency percentiles, SQL
statements per request, peak memory and the ratio to each bound.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, server, err
	}
	if fs.NArg() > 0 {
		return cfg, server, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := f.envErr(); err != nil {
		return cfg, server, err
	}
	if err := server.Validate(); err != nil {
		return cfg, server, err
	}
	// Zero would mean "the default" to the benchmark: refuse it here.
	if cfg.Clients < 1 || cfg.Duration < 0 || cfg.LoadBatch < 1 || cfg.IngestBatch < 0 {
		return cfg, server, errors.New("--clients, --load-batch and --ingest-batch must be at least 1, --duration not negative")
	}
	if projects < 0 || traces < 0 || seed < 1 {
		return cfg, server, errors.New("--projects and --traces must not be negative, --seed must be positive")
	}
	if projects > 0 || traces > 0 {
		cfg.Scale = cfg.Defaults().Scale
		if projects > 0 {
			cfg.Scale.Projects = projects
		}
		if traces > 0 {
			cfg.Scale.TracesPerProject = traces
		}
	}
	cfg.Seed = uint64(seed)
	cfg.Workloads = splitList(workloads)
	cfg.Profile = splitList(profile)
	if cfg.Reuse {
		cfg.InPlace = true
	}
	return cfg, server, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// bench runs "api bench": 0 on success, 1 when the run fails, 2 on a usage error.
func bench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, server, err := parseBenchFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "api bench:", oneLine(err))
		return 2
	}
	// The server logs errors only: under load its warnings (slow queries)
	// would drown the results.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	cfg.Server = func(store *db.DB) (http.Handler, *ingest.Service, error) {
		svc, err := newIngestService(store, server)
		if err != nil {
			return nil, nil, err
		}
		return routes(store, svc, server, auth.Options{AllowAnonymous: true, AnonymousIntrospection: true}), svc, nil
	}
	if _, err := benchmark.Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintln(stderr, "api bench:", oneLine(err))
		return 1
	}
	return 0
}
