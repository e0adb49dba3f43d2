package graph_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// percentileCont is percentile_cont computed in Go: interpolation between
// the two values around p*(n-1) of the sorted values.
func percentileCont(vals []float64, p float64) *float64 {
	if len(vals) == 0 {
		return nil
	}
	v := slices.Sorted(slices.Values(vals))
	pos := p * float64(len(v)-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	r := v[int(lo)] + (pos-lo)*(v[int(hi)]-v[int(lo)])
	return &r
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func nearPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return near(*a, *b)
}

type quantiles struct {
	Count         int
	P50, P90, P99 *float64
}

func wantQuantiles(vals []float64) quantiles {
	return quantiles{Count: len(vals), P50: percentileCont(vals, 0.5), P90: percentileCont(vals, 0.9), P99: percentileCont(vals, 0.99)}
}

func (q quantiles) equal(o quantiles) bool {
	return q.Count == o.Count && nearPtr(q.P50, o.P50) && nearPtr(q.P90, o.P90) && nearPtr(q.P99, o.P99)
}

func TestRollups(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.TracesPerProject = 10
		e := newEnv(t, b, scale)
		w := readWorld(t, e.store)

		// Trace rollups, for every trace, in a constant number of statements.
		n := countStatements(t, e.store)
		var data struct {
			Traces struct {
				Nodes []struct {
					DatabaseID int64
					TotalCost  float64
					Stats      struct {
						AgentCallCount, LLMCallCount, ToolCallCount, UserInteractionCount, ErrorCount int
						Tokens                                                                        struct{ Input, Completion, Reasoning, Total int64 }
						Cost                                                                          struct{ Total float64 }
						LLMTime, ToolTime                                                             float64
					}
				}
			}
		}
		e.mustData(t, `{ traces(first: 100) { nodes { databaseId totalCost stats { agentCallCount llmCallCount toolCallCount userInteractionCount errorCount
			tokens { input completion reasoning total } cost { total } llmTime toolTime } } } }`, nil, &data)
		if got := n.Load(); got != 2 {
			t.Errorf("trace rollups of %d traces took %d statements, want 2", len(data.Traces.Nodes), got)
		}
		for _, tr := range data.Traces.Nodes {
			s := tr.Stats
			var tokens [4]int64
			var cost, llmTime, toolTime float64
			llm := 0
			for _, c := range w.llm {
				if c.TraceID == tr.DatabaseID {
					llm++
					tokens[0] += c.Tokens.Input
					tokens[1] += c.Tokens.Completion
					tokens[2] += c.Tokens.Reasoning
					tokens[3] += c.Tokens.Total
					cost += c.Cost.Total
					llmTime += *c.Duration
				}
			}
			tools := 0
			for _, c := range w.tools {
				if c.TraceID == tr.DatabaseID {
					tools++
					toolTime += *c.Duration
				}
			}
			count := func(n int, f func(i int) int64) (k int) {
				for i := range n {
					if f(i) == tr.DatabaseID {
						k++
					}
				}
				return k
			}
			agents := count(len(w.agents), func(i int) int64 { return w.agents[i].TraceID })
			inters := count(len(w.inters), func(i int) int64 { return w.inters[i].TraceID })
			errs := count(len(w.errs), func(i int) int64 { return w.errs[i].TraceID })
			if s.LLMCallCount != llm || s.ToolCallCount != tools || s.AgentCallCount != agents || s.UserInteractionCount != inters || s.ErrorCount != errs ||
				[4]int64{s.Tokens.Input, s.Tokens.Completion, s.Tokens.Reasoning, s.Tokens.Total} != tokens ||
				!near(s.Cost.Total, cost) || !near(tr.TotalCost, cost) || !near(s.LLMTime, llmTime) || !near(s.ToolTime, toolTime) {
				t.Errorf("trace %d stats %+v, want llm %d tools %d agents %d inters %d errors %d tokens %v cost %v times %v %v",
					tr.DatabaseID, s, llm, tools, agents, inters, errs, tokens, cost, llmTime, toolTime)
			}
		}

		// Project rollups with and without a time range.
		mid := w.traces[len(w.traces)/2].StartTime
		for _, tr := range []struct {
			arg      string
			from, to time.Time
		}{
			{"", time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
			{fmt.Sprintf(`(timeRange: {from: %q})`, mid.Format(time.RFC3339Nano)), mid, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			in := func(at time.Time) bool { return !at.Before(tr.from) && at.Before(tr.to) }
			var got struct {
				Projects struct {
					Nodes []struct {
						DatabaseID int64
						Stats      struct {
							TraceCount, TracesWithErrors, ErrorCount int
							ErrorRate                                float64
							Tokens                                   struct{ Total int64 }
							Cost                                     struct{ Total float64 }
							TraceLatency, LLMLatency, ToolLatency    quantiles
						}
						MetricSummaries []struct {
							MetricName                   string
							Count                        int
							MinScore, AvgScore, MaxScore *float64
							Score                        quantiles
						}
					}
				}
			}
			q := `{ projects { nodes { databaseId
				stats%[1]s { traceCount tracesWithErrors errorCount errorRate tokens { total } cost { total }
					traceLatency { count p50 p90 p99 } llmLatency: llmLatency { count p50 p90 p99 } toolLatency { count p50 p90 p99 } }
				metricSummaries%[1]s { metricName count minScore avgScore maxScore score { count p50 p90 p99 } } } } }`
			n.Store(0)
			e.mustData(t, fmt.Sprintf(q, tr.arg), nil, &got)
			if n.Load() != 6 {
				t.Errorf("project rollups took %d statements, want 6 (projects, 4 for stats, 1 for metrics)", n.Load())
			}
			for _, p := range got.Projects.Nodes {
				var traceDur, llmDur, toolDur []float64
				traces, withErrors, errCount := 0, 0, 0
				var tokens int64
				var cost float64
				errored := map[int64]bool{}
				for _, er := range w.errs {
					errored[er.TraceID] = true
					if er.ProjectID == p.DatabaseID && in(er.Timestamp) {
						errCount++
					}
				}
				for _, x := range w.traces {
					if x.ProjectID == p.DatabaseID && in(x.StartTime) {
						traces++
						traceDur = append(traceDur, *x.Duration)
						if errored[x.ID] {
							withErrors++
						}
					}
				}
				for _, c := range w.llm {
					if c.ProjectID == p.DatabaseID && in(c.StartTime) {
						llmDur = append(llmDur, *c.Duration)
						tokens += c.Tokens.Total
						cost += c.Cost.Total
					}
				}
				for _, c := range w.tools {
					if c.ProjectID == p.DatabaseID && in(c.StartTime) {
						toolDur = append(toolDur, *c.Duration)
					}
				}
				s := p.Stats
				rate := 0.0
				if traces > 0 {
					rate = float64(withErrors) / float64(traces)
				}
				if s.TraceCount != traces || s.TracesWithErrors != withErrors || s.ErrorCount != errCount || !near(s.ErrorRate, rate) ||
					s.Tokens.Total != tokens || !near(s.Cost.Total, cost) {
					t.Errorf("project %d %s: stats %+v, want traces %d with errors %d errors %d tokens %d cost %v",
						p.DatabaseID, tr.arg, s, traces, withErrors, errCount, tokens, cost)
				}
				for name, pair := range map[string][2]quantiles{
					"trace": {s.TraceLatency, wantQuantiles(traceDur)}, "llm": {s.LLMLatency, wantQuantiles(llmDur)}, "tool": {s.ToolLatency, wantQuantiles(toolDur)},
				} {
					if !pair[0].equal(pair[1]) {
						t.Errorf("project %d %s %s latency %+v, want %+v", p.DatabaseID, tr.arg, name, pair[0], pair[1])
					}
				}
				scores := map[string][]float64{}
				for _, m := range w.metrics {
					if m.ProjectID == p.DatabaseID && in(m.Timestamp) {
						scores[m.MetricName] = append(scores[m.MetricName], *m.Score)
					}
				}
				if len(p.MetricSummaries) != len(scores) {
					t.Errorf("project %d: %d metric summaries, want %d", p.DatabaseID, len(p.MetricSummaries), len(scores))
				}
				for _, m := range p.MetricSummaries {
					v := scores[m.MetricName]
					sum := 0.0
					for _, x := range v {
						sum += x
					}
					if m.Count != len(v) || !near(*m.MinScore, slices.Min(v)) || !near(*m.MaxScore, slices.Max(v)) ||
						!near(*m.AvgScore, sum/float64(len(v))) || !m.Score.equal(wantQuantiles(v)) {
						t.Errorf("project %d metric %s: %+v, want %v", p.DatabaseID, m.MetricName, m, v)
					}
				}
			}
		}
	})
}

func TestAnalytics(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.TracesPerProject = 12
		e := newEnv(t, b, scale)
		w := readWorld(t, e.store)
		const project = 1
		from := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
		to := time.Date(2026, 1, 25, 0, 0, 0, 0, time.UTC)
		offset := 120 * time.Minute // UTC+2: days start at 22:00 UTC

		type row struct {
			Bucket     *time.Time
			Model      *string
			Count      int
			ErrorCount int
			Value      struct{ Sum, P50, P90, P99 *float64 }
			Cost       struct{ Total float64 }
		}
		var got struct{ Analytics []row }
		e.mustData(t, fmt.Sprintf(`{ analytics(projectId: "UHJvamVjdDox", source: LLM_CALLS, groupBy: [MODEL], bin: DAY, timeZoneOffsetMinutes: 120,
			timeRange: {from: %q, to: %q}) { bucket model count errorCount value { sum p50 p90 p99 } cost { total } } }`,
			from.Format(time.RFC3339), to.Format(time.RFC3339)), nil, &got)

		// Expected, from the rows: bins of local days, every model in every bin.
		type key struct {
			day   time.Time
			model string
		}
		durations := map[key][]float64{}
		costs := map[key]float64{}
		errorsOf := map[int64]int{}
		for _, er := range w.errs {
			if er.LLMCallID != nil {
				errorsOf[*er.LLMCallID]++
			}
		}
		errs := map[key]int{}
		models := map[string]bool{}
		for _, c := range w.llm {
			if c.ProjectID != project || c.StartTime.Before(from) || !c.StartTime.Before(to) {
				continue
			}
			local := c.StartTime.Add(offset)
			day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).Add(-offset)
			k := key{day, *c.Model}
			durations[k] = append(durations[k], *c.Duration)
			costs[k] += c.Cost.Total
			errs[k] += errorsOf[c.ID]
			models[*c.Model] = true
		}
		days := int(to.Sub(from).Hours()/24) + 1
		if len(got.Analytics) != days*len(models) {
			t.Fatalf("%d rows, want %d days x %d models (zero rows included)", len(got.Analytics), days, len(models))
		}
		nonEmpty := 0
		for i, r := range got.Analytics {
			if i > 0 && r.Bucket.Before(*got.Analytics[i-1].Bucket) {
				t.Fatalf("rows not sorted by bucket")
			}
			if h, m := r.Bucket.Add(offset).Hour(), r.Bucket.Minute(); h != 0 || m != 0 {
				t.Fatalf("bucket %v does not start a local day", r.Bucket)
			}
			k := key{r.Bucket.UTC(), *r.Model}
			want := wantQuantiles(durations[k])
			if len(durations[k]) > 0 {
				nonEmpty++
			}
			if r.Count != len(durations[k]) || !near(r.Cost.Total, costs[k]) || r.ErrorCount != errs[k] ||
				!(quantiles{Count: r.Count, P50: r.Value.P50, P90: r.Value.P90, P99: r.Value.P99}).equal(want) {
				t.Errorf("%v %s: %+v, want count %d cost %v errors %d quantiles %+v", k.day, k.model, r, len(durations[k]), costs[k], errs[k], want)
			}
		}
		if nonEmpty < 3 || nonEmpty == len(got.Analytics) {
			t.Fatalf("%d non-empty rows of %d: the data does not exercise binning", nonEmpty, len(got.Analytics))
		}

		// Metrics by name without bins: score statistics.
		var metrics struct {
			Analytics []struct {
				Metric *string
				Count  int
				Value  struct{ Min, Max, P50 *float64 }
			}
		}
		e.mustData(t, `{ analytics(projectId: "UHJvamVjdDox", source: METRICS, groupBy: [METRIC],
			timeRange: {from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z"}) { metric count value { min max p50 } } }`, nil, &metrics)
		scores := map[string][]float64{}
		for _, m := range w.metrics {
			if m.ProjectID == project {
				scores[m.MetricName] = append(scores[m.MetricName], *m.Score)
			}
		}
		if len(metrics.Analytics) != len(scores) {
			t.Fatalf("%d metric rows, want %d", len(metrics.Analytics), len(scores))
		}
		for _, r := range metrics.Analytics {
			v := scores[*r.Metric]
			if r.Count != len(v) || !near(*r.Value.Min, slices.Min(v)) || !near(*r.Value.Max, slices.Max(v)) || !nearPtr(r.Value.P50, percentileCont(v, 0.5)) {
				t.Errorf("metric %s: %+v, want %v", *r.Metric, r, v)
			}
		}

		// Week bins start on Mondays.
		var weeks struct {
			Analytics []struct {
				Bucket time.Time
				Count  int
			}
		}
		e.mustData(t, fmt.Sprintf(`{ analytics(projectId: "UHJvamVjdDox", source: TRACES, bin: WEEK, timeRange: {from: %q, to: %q}) { bucket count } }`,
			from.Format(time.RFC3339), to.Format(time.RFC3339)), nil, &weeks)
		total := 0
		for _, r := range weeks.Analytics {
			if r.Bucket.Weekday() != time.Monday || r.Bucket.Hour() != 0 {
				t.Errorf("week bucket %v is not a Monday midnight", r.Bucket)
			}
			total += r.Count
		}
		want := 0
		for _, tr := range w.traces {
			if tr.ProjectID == project && !tr.StartTime.Before(from) && tr.StartTime.Before(to) {
				want++
			}
		}
		if total != want {
			t.Errorf("traces in week bins: %d, want %d", total, want)
		}

		for _, bad := range []string{
			`analytics(projectId: "UHJvamVjdDox", source: TRACES, groupBy: [MODEL], timeRange: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"})`,
			`analytics(projectId: "UHJvamVjdDox", source: TRACES, bin: MINUTE, timeRange: {from: "2020-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"})`,
			`analytics(projectId: "UHJvamVjdDox", source: TRACES, timeRange: {from: "2026-01-01T00:00:00Z"})`,
		} {
			if r := e.do(t, "{ "+bad+" { count } }", nil); r.codeOf() != "INVALID_ARGUMENT" {
				t.Errorf("%s: %s", bad, r.body)
			}
		}
	})
}

func TestErrorGroups(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.TracesPerProject, scale.ErrorEvery = 12, 2
		e := newEnv(t, b, scale)
		w := readWorld(t, e.store)
		type group struct {
			count  int
			traces map[int64]bool
			last   time.Time
		}
		want := map[string]*group{}
		for _, er := range w.errs {
			if er.ProjectID != 1 {
				continue
			}
			fp := db.ErrorFingerprint(er.ErrorType, db.NormalizeErrorMessage(*er.ErrorMessage))
			g := want[fp]
			if g == nil {
				g = &group{traces: map[int64]bool{}}
				want[fp] = g
			}
			g.count++
			g.traces[er.TraceID] = true
			if er.Timestamp.After(g.last) {
				g.last = er.Timestamp
			}
		}
		if len(want) < 3 {
			t.Fatalf("only %d error groups in the data", len(want))
		}
		var seen []string
		cursor := ""
		for range 50 {
			after := ""
			if cursor != "" {
				after = ", after: " + strconv.Quote(cursor)
			}
			var data struct {
				Project struct {
					ErrorGroups struct {
						TotalCount int
						PageInfo   pageInfo
						Nodes      []struct {
							Fingerprint, ErrorType, NormalizedMessage string
							Count, AffectedTraces                     int
							LastSeen                                  time.Time
						}
					}
				}
			}
			e.mustData(t, `{ project(id: "UHJvamVjdDox") { errorGroups(first: 2`+after+`) { totalCount pageInfo { hasNextPage endCursor }
				nodes { fingerprint errorType normalizedMessage count affectedTraces lastSeen } } } }`, nil, &data)
			eg := data.Project.ErrorGroups
			if eg.TotalCount != len(want) {
				t.Fatalf("totalCount %d, want %d", eg.TotalCount, len(want))
			}
			for _, g := range eg.Nodes {
				w := want[g.Fingerprint]
				if w == nil || g.Count != w.count || g.AffectedTraces != len(w.traces) || !g.LastSeen.Equal(w.last) {
					t.Errorf("group %+v, want %+v", g, w)
				}
				if len(seen) > 0 && g.LastSeen.After(want[seen[len(seen)-1]].last) {
					t.Errorf("groups not newest first")
				}
				seen = append(seen, g.Fingerprint)
			}
			if !eg.PageInfo.HasNextPage {
				break
			}
			cursor = *eg.PageInfo.EndCursor
		}
		if len(seen) != len(want) {
			t.Fatalf("paged through %d groups, want %d", len(seen), len(want))
		}
		// A group's errors, through the errors filter.
		var errs struct {
			Project struct{ Errors struct{ TotalCount int } }
		}
		e.mustData(t, fmt.Sprintf(`{ project(id: "UHJvamVjdDox") { errors(filter: {fingerprint: %q}) { totalCount } } }`, seen[0]), nil, &errs)
		if errs.Project.Errors.TotalCount != want[seen[0]].count {
			t.Errorf("errors of group %s: %d, want %d", seen[0], errs.Project.Errors.TotalCount, want[seen[0]].count)
		}
	})
}

// TestAgentCallRollups checks each agent call's duration and stats against
// its children.
func TestAgentCallRollups(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		w := readWorld(t, e.store)
		var data struct {
			Project struct {
				AgentCalls struct {
					Nodes []struct {
						DatabaseID int64
						Duration   *float64
						Stats      struct {
							LLMCallCount, ToolCallCount, UserInteractionCount, ErrorCount int
							Tokens                                                        struct{ Total int64 }
							Cost                                                          struct{ Total float64 }
						}
					}
				}
			}
		}
		e.mustData(t, `{ project(id: "UHJvamVjdDox") { agentCalls(first: 100) { nodes { databaseId duration
			stats { llmCallCount toolCallCount userInteractionCount errorCount tokens { total } cost { total } } } } } }`, nil, &data)
		if len(data.Project.AgentCalls.Nodes) == 0 {
			t.Fatal("no agent calls")
		}
		for _, a := range data.Project.AgentCalls.Nodes {
			var agent db.AgentCall
			for _, x := range w.agents {
				if x.ID == a.DatabaseID {
					agent = x
				}
			}
			is := func(id *int64) bool { return id != nil && *id == a.DatabaseID }
			llm, tools, inters, errs := 0, 0, 0, 0
			var tokens int64
			var cost float64
			for _, c := range w.llm {
				if is(c.AgentID) {
					llm++
					tokens += c.Tokens.Total
					cost += c.Cost.Total
				}
			}
			for _, c := range w.tools {
				if is(c.AgentID) {
					tools++
				}
			}
			for _, c := range w.inters {
				if is(c.AgentID) {
					inters++
				}
			}
			for _, c := range w.errs {
				if is(c.AgentID) {
					errs++
				}
			}
			s := a.Stats
			if s.LLMCallCount != llm || s.ToolCallCount != tools || s.UserInteractionCount != inters || s.ErrorCount != errs ||
				s.Tokens.Total != tokens || !near(s.Cost.Total, cost) || !nearPtr(a.Duration, agent.Duration()) {
				t.Errorf("agent %d: %+v duration %v; want llm %d tools %d inters %d errors %d tokens %d cost %v duration %v",
					a.DatabaseID, s, a.Duration, llm, tools, inters, errs, tokens, cost, agent.Duration())
			}
		}
	})
}
