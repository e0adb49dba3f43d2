package bench

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

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
