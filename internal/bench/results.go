package bench

import (
	"os"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

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
