package bench

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

const mib = 1 << 20

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func mb(b uint64) string { return fmt.Sprintf("%.0f", float64(b)/mib) }

// ingests reports whether the phase is of an ingestion workload, measured
// in calls/s.
func (p Phase) ingests() bool { return p.Workload == "e" || p.Workload == "f" }

// rate is a phase's throughput: calls/s for ingestion, requests/s otherwise.
func (p Phase) rate() string {
	if p.ingests() {
		return fmt.Sprintf("%.0f calls/s (%.1f req/s)", p.UnitsPerSecond(), p.RPS())
	}
	return fmt.Sprintf("%.1f req/s", p.RPS())
}

func (p Phase) progressLine() string {
	return fmt.Sprintf("(%s) %-5s %3d clients: %6d requests in %5.1fs, %s; p50 %s p90 %s p99 %s; %.1f SQL/req; CPU %s/req; peak MiB: heap %s, Go %s, RSS %s",
		p.Workload, p.Target, p.Clients, p.Requests, p.Elapsed.Seconds(), p.rate(), ms(p.P50), ms(p.P90), ms(p.P99),
		p.StatementsPerRequest(), ms(p.CPUPerRequest()), mb(p.Memory.HeapInUse), mb(p.Memory.GoTotal), mb(p.Memory.RSS))
}

// Write prints the results table, the ratio lines, the statement probes
// and the targets.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "results (%s; CPU/req is this process's CPU time per request: server, clients and bound, not PostgreSQL's;\npeak memory is this whole process's, in MiB: Go heap in use / all Go runtime memory / RSS):\n\n", r.Dialect)
	fmt.Fprintln(w, "| workload | target | clients | req/s | calls/s | p50 | p90 | p99 | SQL/req | CPU/req | heap | Go total | RSS |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, p := range r.Phases {
		calls := ""
		if p.ingests() {
			calls = fmt.Sprintf("%.0f", p.UnitsPerSecond())
		}
		title := fmt.Sprintf("(%s) %s", p.Workload, p.Title)
		if p.Target == "bound" {
			title = fmt.Sprintf("(%s) bound", p.Workload)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.1f | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |\n",
			title, p.Target, p.Clients, p.RPS(), calls, ms(p.P50), ms(p.P90), ms(p.P99), p.StatementsPerRequest(),
			ms(p.CPUPerRequest()), mb(p.Memory.HeapInUse), mb(p.Memory.GoTotal), mb(p.Memory.RSS))
	}
	fmt.Fprintln(w)
	boundName := "hand-written SQL through pgx, COPY for (e) and (f)"
	if r.Dialect == db.SQLite {
		boundName = "hand-written SQL through database/sql (pure-Go SQLite), multi-row INSERTs for (e) and (f)"
	}
	fmt.Fprintf(w, "ratios of the API to its bound (%s):\n", boundName)
	for _, api := range r.Phases {
		if api.Target != "api" {
			continue
		}
		bound, ok := r.Find(api.Workload, "bound", api.Clients)
		if !ok {
			fmt.Fprintf(w, "ratio (%s) at %d clients: no bound measured\n", api.Workload, api.Clients)
			continue
		}
		if api.ingests() {
			fmt.Fprintf(w, "ratio (%s) at %d clients: %.3f of the bound's throughput (%.0f vs %.0f calls/s); p50 %.1fx the bound's\n",
				api.Workload, api.Clients, api.UnitsPerSecond()/bound.UnitsPerSecond(), api.UnitsPerSecond(), bound.UnitsPerSecond(),
				float64(api.P50)/float64(bound.P50))
			continue
		}
		fmt.Fprintf(w, "ratio (%s) at %d clients: %.3f of the bound's throughput (%.1f vs %.1f req/s); p50 %.1fx, p99 %.1fx the bound's\n",
			api.Workload, api.Clients, api.RPS()/bound.RPS(), api.RPS(), bound.RPS(),
			float64(api.P50)/float64(bound.P50), float64(api.P99)/float64(bound.P99))
	}
	if len(r.Probes) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "SQL statements of one API request at two page sizes ($n):")
		for _, p := range r.Probes {
			fmt.Fprintf(w, "  (%s) $n=%d: %d statements; $n=%d: %d statements\n", p.Workload, p.Small, p.AtSmall, p.Large, p.AtLarge)
		}
	}
	fmt.Fprintln(w)
	r.writeTargets(w)
}

// writeTargets judges the targets (set for PostgreSQL on 2 cores).
func (r *Report) writeTargets(w io.Writer) {
	note := ""
	if r.Dialect != db.Postgres {
		note = " (the targets are set for PostgreSQL; shown here for comparison)"
	}
	fmt.Fprintf(w, "targets%s:\n", note)
	verdict := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "NOT MET"
	}
	clients := r.Config.Clients
	if b, ok := r.Find("b", "api", clients); ok {
		if bound, ok := r.Find("b", "bound", clients); ok {
			ratio := b.RPS() / bound.RPS()
			fmt.Fprintf(w, "  (b) at %d clients, at least 50%% of the bound's throughput: %.0f%% -> %s\n", clients, 100*ratio, verdict(ratio >= 0.5))
		}
		spread := float64(b.P99) / float64(b.P50)
		fmt.Fprintf(w, "  (b) at %d clients, p99 under 3x p50: p99 %s = %.1fx p50 %s -> %s\n", clients, ms(b.P99), spread, ms(b.P50), verdict(spread < 3))
	}
	if len(r.Probes) > 0 {
		same := true
		var parts []string
		for _, p := range r.Probes {
			same = same && p.AtSmall == p.AtLarge
			parts = append(parts, fmt.Sprintf("(%s) %d/%d", p.Workload, p.AtSmall, p.AtLarge))
		}
		fmt.Fprintf(w, "  read workloads, SQL statements per request independent of page size: %s -> %s\n", strings.Join(parts, ", "), verdict(same))
	}
	// The issue sets the targets for (e); (f), the same traces through
	// POST /v1/ingest, is judged by the same numbers.
	for _, key := range []string{"e", "f"} {
		label := ""
		if key == "f" {
			label = " (the target of (e), applied to (f))"
		}
		api, ok := r.Find(key, "api", clients)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "  (%s) at least 20000 calls/s%s: %.0f calls/s -> %s\n", key, label, api.UnitsPerSecond(), verdict(api.UnitsPerSecond() >= 20000))
		if bound, ok := r.Find(key, "bound", clients); ok {
			ratio := api.UnitsPerSecond() / bound.UnitsPerSecond()
			fmt.Fprintf(w, "  (%s) at least 25%% of the bound's throughput%s: %.1f%% -> %s\n", key, label, 100*ratio, verdict(ratio >= 0.25))
		}
	}
	if peak := r.Config.PeakClients; peak > 0 {
		if b, ok := r.Find("b", "api", peak); ok {
			fmt.Fprintf(w, "  peak memory under 150 MiB during (b) at %d clients: Go runtime total %s MiB (heap in use %s, process RSS %s) -> %s\n",
				peak, mb(b.Memory.GoTotal), mb(b.Memory.HeapInUse), mb(b.Memory.RSS), verdict(b.Memory.GoTotal < 150*mib))
		}
	}
}
