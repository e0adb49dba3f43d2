package hostile

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// keySet holds the API keys made before the server starts; once a key
// exists, every request needs one.
type keySet struct {
	admin  string // all projects: seeding and the hostile requests
	probe  string // read, project probeProject only: the other client
	ingest string // ingest, project analyticsProject
	writer string // ingest, project probeProject: the other client's writes
}

// harness is one database's run: its server, keys, seeded ids and results.
type harness struct {
	backend string
	dbURL   string
	srv     *server
	keys    keySet
	seed    seeded
	// client sends the cases' requests, probeClient the probe's, on their
	// own connections.
	client, probeClient *http.Client
	rows                []row
}

// row is one line of the closing table.
type row struct {
	name, status, code string
	took               time.Duration
	peak, rss          int64 // bytes; -1 when unknown (the process died)
	probeMax           time.Duration
	probes             int
	ok                 bool
}

// hcase is one hostile request (or a few of one kind) and what it must get.
type hcase struct {
	name string
	// bound is the time each answer must come within; 0 means refusalBound.
	bound time.Duration
	// writeProbe adds a writing client to the reading probe.
	writeProbe bool
	run        func(c *caseRun)
}

// caseRun is a case being run: its requests, answers and failures.
type caseRun struct {
	t       *testing.T
	h       *harness
	name    string
	bound   time.Duration
	answers []answer
	fails   []string
}

func (c *caseRun) failf(format string, args ...any) {
	c.fails = append(c.fails, fmt.Sprintf(format, args...))
}

// url is the server the case talks to (the wire cases swap it).
func (c *caseRun) url() string { return c.h.srv.URL }

// send makes a request of the case: answered within the bound, with no
// leaking message.
func (c *caseRun) send(r request) answer {
	a := send(c.h.client, c.url(), r, c.bound+clientSlack)
	c.answers = append(c.answers, a)
	if a.err == nil && a.took > c.bound {
		c.failf("%s %s answered in %s, over the bound of %s: %s", orPost(r.method), pathOnly(r.path), a.took.Round(time.Millisecond), c.bound, a.summary())
	}
	for _, e := range a.doc.Errors {
		if m := leak.FindString(e.Message); m != "" {
			c.failf("%s %s: message shows %q: %s", orPost(r.method), pathOnly(r.path), m, excerpt([]byte(e.Message), 300))
		}
	}
	if !a.parsed && a.err == nil && a.status >= 400 {
		if m := leak.FindString(string(a.body)); m != "" {
			c.failf("%s %s: answer shows %q: %s", orPost(r.method), pathOnly(r.path), m, excerpt(a.body, 300))
		}
	}
	return a
}

func orPost(m string) string {
	if m == "" {
		return http.MethodPost
	}
	return m
}

func pathOnly(p string) string {
	if len(p) > 80 {
		return p[:80] + "…"
	}
	return p
}

// refusal is the error answer a request must get.
type refusal struct {
	status int
	// alsoStatus is another status allowed, when there is one.
	alsoStatus int
	code       string
	// field is extensions.field exactly; fieldPrefix its start; anyField
	// only asks for one.
	field, fieldPrefix string
	anyField           bool
	// mention are words the message must contain.
	mention []string
}

// refused checks a: the status, a GraphQL-format error with the code, a
// request id, the field, and no data.
func (c *caseRun) refused(what string, a answer, w refusal) {
	e, ok := a.firstError()
	bad := func(format string, args ...any) {
		c.failf("%s: want %d %s%s, got %s; %s", what, w.status, w.code, w.fieldText(), a.summary(), fmt.Sprintf(format, args...))
	}
	switch {
	case a.err != nil:
		bad("no answer")
	case a.status != w.status && (w.alsoStatus == 0 || a.status != w.alsoStatus):
		bad("wrong status")
	case !ok:
		bad("no errors[0] in the GraphQL error format")
	case e.Extensions.Code != w.code:
		bad("wrong extensions.code")
	case e.Extensions.RequestID == "":
		bad("no extensions.requestId")
	case w.field != "" && e.Extensions.Field != w.field,
		w.fieldPrefix != "" && !strings.HasPrefix(e.Extensions.Field, w.fieldPrefix),
		w.anyField && e.Extensions.Field == "":
		bad("wrong extensions.field")
	case a.hasData():
		bad("a refused request must carry no data")
	}
	for _, m := range w.mention {
		if ok && !strings.Contains(e.Message, m) {
			bad("the message does not mention %q", m)
		}
	}
}

func (w refusal) fieldText() string {
	switch {
	case w.field != "":
		return fmt.Sprintf(" field %q", w.field)
	case w.fieldPrefix != "":
		return fmt.Sprintf(" field %q…", w.fieldPrefix)
	case w.anyField:
		return " with a field"
	}
	return ""
}

// invalid is the 400 INVALID_ARGUMENT refusal naming field.
func invalid(field string) refusal {
	return refusal{status: http.StatusBadRequest, code: "INVALID_ARGUMENT", field: field}
}

// ok checks that a is a 200 answer without errors.
func (c *caseRun) ok(what string, a answer) {
	switch {
	case a.err != nil || a.status != http.StatusOK:
		c.failf("%s: want 200, got %s", what, a.summary())
	case len(a.doc.Errors) > 0:
		c.failf("%s: want 200 without errors, got %s", what, a.summary())
	case a.size <= keepBytes && !a.parsed && isJSON(a):
		c.failf("%s: the answer is not valid JSON: %s", what, a.summary())
	}
}

func isJSON(a answer) bool {
	return strings.Contains(a.header.Get("Content-Type"), "json")
}

// cases are the hostile requests, by finding; the wire cases and the last
// ones run apart (hostile_test.go).
func (h *harness) cases() []hcase {
	var all []hcase
	for _, group := range [][]hcase{
		h.accessCases(), h.errorCases(), h.textCases(), h.numberCases(), h.afterNumbersCases(),
		h.memoryCases(), h.fairnessCases(),
	} {
		all = append(all, group...)
	}
	return all
}

// runCase runs one case as a subtest: it resets the peak-memory count,
// keeps a probe client busy, runs the requests, then checks that the
// server lives, the probe was served within its bound and the peak stayed
// under the bound, and records the row.
func (h *harness) runCase(t *testing.T, hc hcase) {
	t.Run(hc.name, func(t *testing.T) {
		c := &caseRun{t: t, h: h, name: hc.name, bound: hc.bound}
		if c.bound == 0 {
			c.bound = refusalBound
		}
		// A case's leftovers (a heap the runtime has not given back yet)
		// are not charged to the next one: over half the bound, start
		// afresh.
		if _, rss := h.srv.memory(); rss > peakBound/2 {
			t.Logf("restarting the server, which holds %s before this case", mib(rss))
			h.srv.restart(t)
		}
		if h.srv.peakResets {
			_ = h.srv.resetPeak()
		}
		p := h.startProbe(hc.writeProbe)
		start := time.Now()
		hc.run(c)
		took := time.Since(start)
		p.finish()
		peak, rss := h.srv.memory()
		r := row{name: hc.name, peak: peak, rss: rss, probeMax: p.max, probes: p.n}
		r.status, r.code, r.took = c.outcome(took)
		if !h.srv.alive() {
			c.failf("the server did not survive: %s", h.srv.death())
			r.status, r.peak, r.rss = "died", -1, -1
			h.srv.restart(t)
		}
		if peak > peakBound {
			c.failf("peak memory %s over the bound of %s", mib(peak), mib(peakBound))
		}
		c.fails = append(c.fails, p.fails...)
		for _, f := range c.fails {
			t.Errorf("%s: %s [case took %s; peak %s, RSS after %s; probe max %s over %d]",
				hc.name, f, took.Round(time.Millisecond), mib(r.peak), mib(r.rss), p.max.Round(time.Millisecond), p.n)
		}
		r.ok = len(c.fails) == 0
		h.rows = append(h.rows, r)
	})
}

// outcome sums up the case's answers for the table: their statuses and
// codes, and the slowest.
func (c *caseRun) outcome(total time.Duration) (status, code string, took time.Duration) {
	var statuses, codes []string
	for _, a := range c.answers {
		s := fmt.Sprint(a.status)
		switch {
		case a.label != "":
			s = a.label
		case a.err != nil:
			s = "none"
		}
		if !slices.Contains(statuses, s) {
			statuses = append(statuses, s)
		}
		if e, ok := a.firstError(); ok && !slices.Contains(codes, e.Extensions.Code) {
			codes = append(codes, orNone(e.Extensions.Code))
		}
		took = max(took, a.took)
	}
	if len(c.answers) == 0 {
		took = total
	}
	if len(c.answers) > 1 {
		status = fmt.Sprintf("%s ×%d", strings.Join(statuses, "/"), len(c.answers))
	} else {
		status = strings.Join(statuses, "/")
	}
	return status, strings.Join(codes, "/"), took
}

func mib(n int64) string {
	if n < 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// probe is the other client: another key sending a small query in a loop
// while a case runs, each answer due within probeBound.
type probe struct {
	h     *harness
	write bool
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	n     int
	max   time.Duration
	fails []string
}

const probeQuery = `{ projects(first: 1) { totalCount nodes { projectName totalTokens } } }`

func (h *harness) startProbe(write bool) *probe {
	p := &probe{h: h, write: write, stop: make(chan struct{})}
	p.wg.Go(func() { p.loop(p.read) })
	if write {
		p.wg.Go(func() { p.loop(p.writeOne) })
	}
	return p
}

func (p *probe) loop(one func()) {
	for i := 0; i < maxProbes; i++ {
		one()
		select {
		case <-p.stop:
			return
		case <-time.After(probeInterval):
		}
	}
}

// finish stops the loop and sends one last probe, so even a case that took
// a millisecond shows the server still serving.
func (p *probe) finish() {
	close(p.stop)
	p.wg.Wait()
	p.read()
}

func (p *probe) read() {
	p.record("read probe", send(p.h.probeClient, p.h.srv.URL, graphql(p.h.keys.probe, probeQuery, nil), probeBound+clientSlack))
}

func (p *probe) writeOne() {
	p.mu.Lock()
	i := p.n
	p.mu.Unlock()
	body := mustJSON(map[string]any{"traces": []any{map[string]any{
		"project": probeProject, "externalId": fmt.Sprintf("probe-%d", i), "startTime": "2026-01-01T00:00:00Z",
	}}})
	p.record("write probe", send(p.h.probeClient, p.h.srv.URL, request{path: "/v1/ingest", key: p.h.keys.writer, body: body}, probeBound+clientSlack))
}

func (p *probe) record(what string, a answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.max = max(p.max, a.took)
	var fail string
	switch {
	case a.err != nil || a.status != http.StatusOK || len(a.doc.Errors) > 0:
		fail = fmt.Sprintf("%s (another key) not served: %s", what, a.summary())
	case a.took > probeBound:
		fail = fmt.Sprintf("%s (another key) answered in %s, over the bound of %s", what, a.took.Round(time.Millisecond), probeBound)
	}
	if fail != "" && len(p.fails) < 3 {
		p.fails = append(p.fails, fail)
	}
}

// table writes the closing table: one line per case.
func (h *harness) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostile-input suite on %s (GOMEMLIMIT=%s, address space %s, peak bound %s):\n", h.backend, goMemLimit, mib(addressSpaceBytes), mib(peakBound))
	fmt.Fprintf(&b, "| case | status | code | time | peak | RSS after | probe max | ok |\n|---|---|---|---|---|---|---|---|\n")
	worst := int64(0)
	for _, r := range h.rows {
		ok := "ok"
		if !r.ok {
			ok = "FAIL"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, r.status, r.code, r.took.Round(time.Millisecond),
			mib(r.peak), mib(r.rss), r.probeMax.Round(time.Millisecond), ok)
		worst = max(worst, r.peak)
	}
	fmt.Fprintf(&b, "highest peak: %s\n", mib(worst))
	return b.String()
}
