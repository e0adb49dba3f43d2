package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/auth"
	// Imported under another name: "bench" is this command's function.
	benchmark "github.com/agentgraph/agentgraph/internal/bench"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/settings"
)

const benchUsage = `Usage: api bench [flags]

Loads a data set through the ingestion path into a fresh database, serves
the API in this process on 127.0.0.1, drives it over HTTP with concurrent
clients for a fixed time per workload, and measures each workload's lower
bound with hand-written SQL. Prints requests/s, latency percentiles, SQL
statements per request, peak memory and the ratio to each bound.
`

// parseBenchFlags reads the command line of "api bench".
func parseBenchFlags(args []string, getenv func(string) string, output io.Writer) (benchmark.Config, Config, error) {
	cfg := benchmark.Config{Clients: 8, PeakClients: -1, Warmup: -1, MaxRequests: 1_000_000, LoadBatch: 100}
	server := DefaultConfig()
	var workloads, profile string
	var projects, traces int
	seed := 1
	// The store's flag of every command, but not DATABASE_URL: a benchmark
	// writes, so it never picks up the server's database by accident.
	url := db.URLSetting(&cfg.DatabaseURL).Twin("BENCH_DATABASE_URL").
		Help("postgres://... (a fresh database bench_<random> is created on that server and dropped after), sqlite:PATH (used in place), or empty for a temporary SQLite file")
	// Zero would mean "the default" to the benchmark where no default is
	// documented: such values are refused.
	checked := []settings.Setting{
		url,
		settings.Int(&cfg.Clients, "clients", "concurrent clients of every workload", settings.AtLeast(1)).Twin(""),
		settings.Duration(&cfg.Duration, "duration", "measured time of each phase (default 15s, --quick 250ms)", settings.NotNegative[time.Duration]()).Twin(""),
		settings.Int(&projects, "projects", "projects in the data set (default 10, --quick 2)", settings.NotNegative[int]()).Twin(""),
		settings.Int(&traces, "traces", "traces per project (default 1000, --quick 30)", settings.NotNegative[int]()).Twin(""),
		settings.Int(&seed, "seed", "seed of the generated data", settings.AtLeast(1)).Twin(""),
		settings.Int(&cfg.LoadBatch, "load-batch", "traces per Ingest call while loading", settings.AtLeast(1)).Twin(""),
		settings.Int(&cfg.IngestBatch, "ingest-batch", "traces per request in workloads (e) and (f) (default 20, --quick 5)", settings.NotNegative[int]()).Twin(""),
	}
	fs := newCommandLine("api bench", benchUsage, output, getenv, append(checked, settingNamed(server.Graph.Settings(), "loader-wait").
		Help("how long the server's dataloaders collect keys before a batch"))...)
	fs.BoolVar(&cfg.Quick, "quick", false, "CI mode: a small data set and short phases (seconds in all)")
	fs.BoolVar(&cfg.InPlace, "in-place", false, "PostgreSQL: run in the database the URL names instead of a fresh one; it must be empty")
	fs.BoolVar(&cfg.Reuse, "reuse", false, "run on the given database even if it holds data (implies --in-place)")
	fs.BoolVar(&cfg.SkipLoad, "skip-load", false, "with --reuse: load nothing, measure the rows already there (a database kept by --keep; for quick iterations, not for recorded results)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the fresh database or temporary file")
	fs.IntVar(&cfg.PeakClients, "peak-clients", cfg.PeakClients, "run (b) again with this many clients, for the memory target; 0 skips (default 32, --quick 0)")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "unmeasured time before each phase (default 2s, --quick 0)")
	fs.Int64Var(&cfg.MaxRequests, "max-requests", cfg.MaxRequests, "most requests of one phase")
	fs.StringVar(&workloads, "workloads", strings.Join(benchmark.Workloads, ","), "workloads to run: a projects, b project traces, c one trace, d analytics (Query.analytics over a day), e ingestion (ingestTraces), f ingestion (POST /v1/ingest)")
	fs.BoolVar(&cfg.NoBounds, "no-bounds", false, "skip the hand-written SQL bounds")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of each --profile workload (FILE gets the workload before its extension: cpu.b.pprof)")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile at the end of each --profile workload, and a .base one at its start")
	fs.StringVar(&profile, "profile", "", "workloads the profiles cover: load, a, b, c, d, e, f, b32 (the --peak-clients run of b), comma-separated")
	if err := fs.Parse(args); err != nil {
		return cfg, server, err
	}
	if err := fs.problems(fs.unexpected(), settings.Check(checked...), server.Validate()); err != nil {
		return cfg, server, err
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

// settingNamed is the setting of sets called name.
func settingNamed(sets []settings.Setting, name string) settings.Setting {
	i := slices.IndexFunc(sets, func(s settings.Setting) bool { return s.Name == name })
	return sets[i]
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
	if err != nil {
		return usageExit(stderr, "api bench", err)
	}
	// The server logs errors only: under load its warnings (slow queries)
	// would drown the results.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	cfg.Server = func(store *db.DB) (http.Handler, *ingest.Service, error) {
		svc, err := server.Ingest.Service(store)
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
