package hostile

import (
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
)

// The cap the server runs under and the bounds it is held to, with the
// default settings (README, Operations: "Hostile-input suite").
const (
	// goMemLimit is the Go runtime's soft memory limit for the server.
	goMemLimit = "1GiB"
	// addressSpaceBytes is the hard address-space cap (prlimit --as), the
	// attacker's 4 GiB: the runtime reserves about 1.8 GiB at start, so a
	// request that wants a few hundred MiB more than it should kills it.
	addressSpaceBytes = 4 << 30
	// peakBound is the most the server's peak RSS (VmHWM) may reach during
	// any one case.
	peakBound = 512 << 20
	// refusalBound is the time a refused request (and by default any
	// request of a case) must be answered in.
	refusalBound = 3 * time.Second
	// heavyBound is the time an accepted but costly request may take.
	heavyBound = 10 * time.Second
	// quickBound is the time a query at the limits (a search of 32 words,
	// which PostgreSQL must plan in milliseconds) may take.
	quickBound = time.Second
	// probeBound is the latency the other client's requests must stay under.
	probeBound = 2 * time.Second
	// probeInterval spaces the probe's requests; maxProbes bounds them.
	probeInterval = 25 * time.Millisecond
	maxProbes     = 2000
	// clientSlack is how long past its bound the client waits for an
	// answer before giving up, so a hanging case ends.
	clientSlack = 3 * time.Second
	// wireTimeout is the header, body and write timeout of the server the
	// wire cases run against.
	wireTimeout = 2 * time.Second
)

// TestHostile runs every case against the binary on SQLite and PostgreSQL.
func TestHostile(t *testing.T) {
	if os.Getenv("HOSTILE") != "1" {
		t.Skip("the hostile-input suite runs with HOSTILE=1 (CI sets it)")
	}
	if testing.Short() {
		t.Skip("the hostile-input suite drives the real binary")
	}
	apiBinary(t)
	var tables []string
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			h := newHarness(t, b)
			defer func() { tables = append(tables, h.table()) }()
			for _, hc := range h.cases() {
				h.runCase(t, hc)
			}
			h.runWireCases(t)
			for _, hc := range h.lastCases() {
				h.runCase(t, hc)
			}
		})
	}
	t.Log("\n" + strings.Join(tables, "\n"))
}

// newHarness makes a database of backend b with the suite's keys, starts
// the server on it and seeds it.
func newHarness(t *testing.T, b dbtest.Backend) *harness {
	t.Helper()
	h := &harness{backend: b.Name, dbURL: b.NewURL(t)}
	h.keys = keySet{
		admin:  createKey(t, h.dbURL, "--all-projects", "--role", "admin", "--note", "hostile: attacker and seeding"),
		probe:  createKey(t, h.dbURL, "--project", probeProject, "--role", "read", "--note", "hostile: probe"),
		ingest: createKey(t, h.dbURL, "--project", analyticsProject, "--role", "ingest", "--note", "hostile: ingest role"),
		writer: createKey(t, h.dbURL, "--project", probeProject, "--role", "ingest", "--note", "hostile: write probe"),
	}
	h.srv = startServer(t, h.dbURL)
	if !h.srv.peakResets {
		t.Logf("/proc/%d/clear_refs is not writable: peaks are since the server started", h.srv.pid())
	}
	h.client = loopbackClient()
	h.probeClient = loopbackClient()
	h.seedData(t)
	return h
}

// loopbackClient has its own connection pool, wide enough for the floods.
func loopbackClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true,
	}}
}
