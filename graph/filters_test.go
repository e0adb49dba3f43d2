package graph_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

// world is every stored row, read back with plain queries, from which the
// tests compute the expected answers independently of the API.
type world struct {
	traces  []db.Trace
	llm     []db.LLMCall
	tools   []db.ToolCall
	agents  []db.AgentCall
	errs    []db.TraceError
	metrics []db.Metric
	inters  []db.UserInteraction
}

func readWorld(t *testing.T, store *db.DB) world {
	t.Helper()
	var w world
	g := store.Gorm()
	for _, dest := range []any{&w.traces, &w.llm, &w.tools, &w.agents, &w.errs, &w.metrics, &w.inters} {
		mustNil(t, g.Order("id").Find(dest).Error)
	}
	return w
}

func (w world) traceIDs(keep func(db.Trace) bool) []int64 {
	var ids []int64
	for _, tr := range w.traces {
		if keep(tr) {
			ids = append(ids, tr.ID)
		}
	}
	return ids
}

// anyOf returns the set of trace ids that have a row matching keep.
func anyOf[T any](rows []T, traceOf func(T) int64, keep func(T) bool) map[int64]bool {
	out := map[int64]bool{}
	for _, r := range rows {
		if keep(r) {
			out[traceOf(r)] = true
		}
	}
	return out
}

// sortedIDs orders ids by key then id, descending when desc.
func sortedIDs[T any](rows []T, id func(T) int64, key func(T) float64, desc bool) []int64 {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b T) int {
		c := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(id(a), id(b)))
		if desc {
			return -c
		}
		return c
	})
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func orNeg(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func TestTraceFiltersAndSorts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.TracesPerProject = 10
		e := newEnv(t, b, scale)
		w := readWorld(t, e.store)

		// Pick real values from the data so every filter keeps some rows and drops others.
		mid := w.traces[len(w.traces)/2]
		model := *w.llm[3].Model
		tool := w.tools[5].Name
		agent := w.agents[1].Name
		metric := w.metrics[0].MetricName
		word := rareWord(w)
		errored := anyOf(w.errs, func(x db.TraceError) int64 { return x.TraceID }, func(db.TraceError) bool { return true })
		traceID := func(tr db.Trace) int64 { return tr.ID }

		type tc struct {
			name, filter string
			want         []int64
		}
		cases := []tc{
			{"start time from", fmt.Sprintf(`{startTime: {from: %q}}`, mid.StartTime.Format(time.RFC3339Nano)),
				w.traceIDs(func(tr db.Trace) bool { return !tr.StartTime.Before(mid.StartTime) })},
			{"start time to", fmt.Sprintf(`{startTime: {to: %q}}`, mid.StartTime.Format(time.RFC3339Nano)),
				w.traceIDs(func(tr db.Trace) bool { return tr.StartTime.Before(mid.StartTime) })},
			{"has errors", `{hasErrors: true}`, w.traceIDs(func(tr db.Trace) bool { return errored[tr.ID] })},
			{"has no errors", `{hasErrors: false}`, w.traceIDs(func(tr db.Trace) bool { return !errored[tr.ID] })},
			{"error type", `{errorType: "tool"}`, w.traceIDs(func(tr db.Trace) bool {
				return anyOf(w.errs, func(x db.TraceError) int64 { return x.TraceID }, func(x db.TraceError) bool { return x.ErrorType == "Tool" })[tr.ID]
			})},
			{"agent name", fmt.Sprintf(`{agentName: %q}`, agent), w.traceIDs(func(tr db.Trace) bool {
				return anyOf(w.agents, func(x db.AgentCall) int64 { return x.TraceID }, func(x db.AgentCall) bool { return x.Name == agent })[tr.ID]
			})},
			{"tool name", fmt.Sprintf(`{toolName: %q}`, tool), w.traceIDs(func(tr db.Trace) bool {
				return anyOf(w.tools, func(x db.ToolCall) int64 { return x.TraceID }, func(x db.ToolCall) bool { return x.Name == tool })[tr.ID]
			})},
			{"model", fmt.Sprintf(`{model: %q}`, model), w.traceIDs(func(tr db.Trace) bool {
				return anyOf(w.llm, func(x db.LLMCall) int64 { return x.TraceID }, func(x db.LLMCall) bool { return x.Model != nil && *x.Model == model })[tr.ID]
			})},
			{"duration range", fmt.Sprintf(`{duration: {min: %v, max: %v}}`, *mid.Duration, *mid.Duration*2),
				w.traceIDs(func(tr db.Trace) bool { return *tr.Duration >= *mid.Duration && *tr.Duration <= *mid.Duration*2 })},
			{"cost at least", fmt.Sprintf(`{cost: {min: %v}}`, mid.TotalCost), w.traceIDs(func(tr db.Trace) bool { return tr.TotalCost >= mid.TotalCost })},
			{"tokens at most", fmt.Sprintf(`{tokens: {max: %d}}`, mid.TotalTokens), w.traceIDs(func(tr db.Trace) bool { return tr.TotalTokens <= mid.TotalTokens })},
			{"metric score", fmt.Sprintf(`{metric: {name: %q, score: {min: 0.5}}}`, metric), w.traceIDs(func(tr db.Trace) bool {
				return anyOf(w.metrics, func(x db.Metric) int64 { return x.TraceID }, func(x db.Metric) bool {
					return x.MetricName == metric && x.Score != nil && *x.Score >= 0.5
				})[tr.ID]
			})},
			{"text search", fmt.Sprintf(`{search: %q}`, strings.ToUpper(word)), w.traceIDs(func(tr db.Trace) bool {
				has := func(s *string) bool { return s != nil && hasWordPrefix(*s, word) }
				return anyOf(w.llm, func(x db.LLMCall) int64 { return x.TraceID }, func(x db.LLMCall) bool { return has(x.InputPrompt) || has(x.Output) })[tr.ID] ||
					anyOf(w.tools, func(x db.ToolCall) int64 { return x.TraceID }, func(x db.ToolCall) bool { return has(x.InputParameters) || has(x.Output) })[tr.ID] ||
					anyOf(w.inters, func(x db.UserInteraction) int64 { return x.TraceID }, func(x db.UserInteraction) bool { return has(x.Content) })[tr.ID]
			})},
			{"two conditions", fmt.Sprintf(`{hasErrors: true, model: %q}`, model), w.traceIDs(func(tr db.Trace) bool {
				return errored[tr.ID] && anyOf(w.llm, func(x db.LLMCall) int64 { return x.TraceID }, func(x db.LLMCall) bool { return x.Model != nil && *x.Model == model })[tr.ID]
			})},
		}
		for _, c := range cases {
			if len(c.want) == 0 || len(c.want) == len(w.traces) {
				t.Fatalf("%s: keeps %d of %d traces; pick a value that discriminates", c.name, len(c.want), len(w.traces))
			}
			got := walkConnection(t, 7, false, func(args string) idPage {
				var data struct{ Traces idPage }
				e.mustData(t, fmt.Sprintf(`{ traces(%s, filter: %s, orderBy: {field: START_TIME, direction: ASC}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`, args, c.filter), nil, &data)
				if data.Traces.TotalCount != len(c.want) {
					t.Errorf("%s: totalCount %d, want %d", c.name, data.Traces.TotalCount, len(c.want))
				}
				return data.Traces
			})
			want := sortedIDs(pick(w.traces, c.want), traceID, func(tr db.Trace) float64 { return float64(tr.StartTime.UnixNano()) }, false)
			if !slices.Equal(got, want) {
				t.Errorf("%s:\n got %v\nwant %v", c.name, got, want)
			}
		}

		sorts := []struct {
			field string
			key   func(db.Trace) float64
		}{
			{"START_TIME", func(tr db.Trace) float64 { return float64(tr.StartTime.UnixNano()) }},
			{"DURATION", func(tr db.Trace) float64 { return orNeg(tr.Duration) }},
			{"COST", func(tr db.Trace) float64 { return tr.TotalCost }},
			{"TOKENS", func(tr db.Trace) float64 { return float64(tr.TotalTokens) }},
		}
		for _, s := range sorts {
			for _, desc := range []bool{false, true} {
				dir := map[bool]string{false: "ASC", true: "DESC"}[desc]
				want := sortedIDs(w.traces, traceID, s.key, desc)
				for _, backward := range []bool{false, true} {
					got := walkConnection(t, 4, backward, func(args string) idPage {
						var data struct{ Traces idPage }
						e.mustData(t, fmt.Sprintf(`{ traces(%s, orderBy: {field: %s, direction: %s}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`, args, s.field, dir), nil, &data)
						return data.Traces
					})
					if !slices.Equal(got, want) {
						t.Errorf("sort %s %s backward=%v:\n got %v\nwant %v", s.field, dir, backward, got, want)
					}
				}
			}
		}

		// A cursor of one order is refused by another.
		var first struct{ Traces idPage }
		e.mustData(t, `{ traces(first: 1, orderBy: {field: COST}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`, nil, &first)
		r := e.do(t, fmt.Sprintf(`{ traces(after: %q, orderBy: {field: DURATION}) { nodes { id } } }`, first.Traces.Edges[0].Cursor), nil)
		if r.codeOf() != "INVALID_ARGUMENT" {
			t.Errorf("cursor of another order: %s", r.body)
		}
	})
}

func pick(traces []db.Trace, ids []int64) []db.Trace {
	var out []db.Trace
	for _, tr := range traces {
		if slices.Contains(ids, tr.ID) {
			out = append(out, tr)
		}
	}
	return out
}

// rareWord returns a word of some prompt that only some traces contain.
func rareWord(w world) string {
	for _, c := range w.llm {
		for _, word := range strings.Fields(*c.Output) {
			word = strings.Trim(word, ".,;:!?()\"'")
			if len(word) < 7 || strings.IndexFunc(word, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
				continue
			}
			traces := map[int64]bool{}
			for _, o := range w.llm {
				if hasWordPrefix(*o.InputPrompt+" "+*o.Output, word) {
					traces[o.TraceID] = true
				}
			}
			if len(traces) > 1 && len(traces) < len(w.traces)/2 {
				return word
			}
		}
	}
	return "no-such-word"
}

func TestChildListFiltersAndSorts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		w := readWorld(t, e.store)
		const project = 2
		inProject := func(p int64) bool { return p == project }
		model := ""
		for _, c := range w.llm {
			if inProject(c.ProjectID) && c.Model != nil {
				model = *c.Model
				break
			}
		}
		var llm []db.LLMCall
		for _, c := range w.llm {
			if inProject(c.ProjectID) && *c.Model == model {
				llm = append(llm, c)
			}
		}
		wantLLM := sortedIDs(llm, func(c db.LLMCall) int64 { return c.ID }, func(c db.LLMCall) float64 { return c.Cost.Total }, true)
		got := walkConnection(t, 3, false, func(args string) idPage {
			var data struct{ Project struct{ LLMCalls idPage } }
			e.mustData(t, fmt.Sprintf(`{ project(id: "UHJvamVjdDoy") { llmCalls: llmCalls(%s, filter: {model: %q}, orderBy: {field: COST, direction: DESC}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } } }`, args, model), nil, &data)
			if data.Project.LLMCalls.TotalCount != len(wantLLM) {
				t.Errorf("llm calls totalCount %d, want %d", data.Project.LLMCalls.TotalCount, len(wantLLM))
			}
			return data.Project.LLMCalls
		})
		if !slices.Equal(got, wantLLM) {
			t.Errorf("llm calls of model %s by cost:\n got %v\nwant %v", model, got, wantLLM)
		}

		var tools []db.ToolCall
		for _, c := range w.tools {
			if inProject(c.ProjectID) && *c.Duration >= 0.5 {
				tools = append(tools, c)
			}
		}
		wantTools := sortedIDs(tools, func(c db.ToolCall) int64 { return c.ID }, func(c db.ToolCall) float64 { return *c.Duration }, false)
		got = walkConnection(t, 5, true, func(args string) idPage {
			var data struct{ Project struct{ ToolCalls idPage } }
			e.mustData(t, fmt.Sprintf(`{ project(id: "UHJvamVjdDoy") { toolCalls(%s, filter: {duration: {min: 0.5}}, orderBy: {field: DURATION}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } } }`, args), nil, &data)
			return data.Project.ToolCalls
		})
		if !slices.Equal(got, wantTools) {
			t.Errorf("tool calls over 0.5 s by duration:\n got %v\nwant %v", got, wantTools)
		}

		var metrics []db.Metric
		for _, m := range w.metrics {
			if inProject(m.ProjectID) && *m.Score <= 0.8 {
				metrics = append(metrics, m)
			}
		}
		wantMetrics := sortedIDs(metrics, func(m db.Metric) int64 { return m.ID }, func(m db.Metric) float64 { return *m.Score }, true)
		var data struct {
			ProjectByName struct {
				Traces struct {
					Nodes []struct {
						Metrics struct {
							Nodes []struct{ DatabaseID int64 }
						}
						Errors struct{ TotalCount int }
					}
				}
			}
		}
		e.mustData(t, `{ projectByName(name: "research-agent") { traces(first: 100) { nodes {
			metrics(filter: {score: {max: 0.8}}, orderBy: {field: SCORE, direction: DESC}) { nodes { databaseId } }
			errors(filter: {errorType: "llm"}) { totalCount } } } } }`, nil, &data)
		var gotMetrics []int64
		llmErrors := 0
		for _, tr := range data.ProjectByName.Traces.Nodes {
			for _, m := range tr.Metrics.Nodes {
				gotMetrics = append(gotMetrics, m.DatabaseID)
			}
			llmErrors += tr.Errors.TotalCount
		}
		// Each trace's metrics are sorted on their own; compare as sets, then the per-trace order.
		if !slices.Equal(slices.Sorted(slices.Values(gotMetrics)), slices.Sorted(slices.Values(wantMetrics))) {
			t.Errorf("metrics scored at most 0.8: got %v, want %v", gotMetrics, wantMetrics)
		}
		wantLLMErrors := 0
		for _, er := range w.errs {
			if inProject(er.ProjectID) && er.ErrorType == "LLM" {
				wantLLMErrors++
			}
		}
		if llmErrors != wantLLMErrors || wantLLMErrors == 0 {
			t.Errorf("LLM errors: %d, want %d", llmErrors, wantLLMErrors)
		}
	})
}

// hasWordPrefix reports whether text has a word (letters and digits) that
// starts with prefix, ignoring case: the search filter's rule.
func hasWordPrefix(text, prefix string) bool {
	prefix = strings.ToLower(prefix)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

// TestSearchFollowsUpdatesAndDeletes checks that the text index changes
// with the rows: a re-sent output replaces the old words, a deleted trace
// is not found.
func TestSearchFollowsUpdatesAndDeletes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.Scale{})
		send := func(output string) string {
			var out struct {
				IngestTraces struct{ Traces []struct{ ID string } }
			}
			e.mustData(t, `mutation($o: String) { ingestTraces(input: [{project: "p", externalId: "t1", startTime: "2026-01-01T00:00:00Z",
				llmCalls: [{externalId: "c1", name: "chat", startTime: "2026-01-01T00:00:00Z", output: $o}]}]) { traces { id } } }`,
				map[string]any{"o": output}, &out)
			return out.IngestTraces.Traces[0].ID
		}
		found := func(word string) int {
			var data struct{ Traces struct{ TotalCount int } }
			e.mustData(t, `query($w: String) { traces(filter: {search: $w}) { totalCount } }`, map[string]any{"w": word}, &data)
			return data.Traces.TotalCount
		}
		send("the zebracorn answered")
		if found("zebrac") != 1 {
			t.Fatal("a new output is not found by a word prefix")
		}
		id := send("now unicornzebra")
		if found("zebracorn") != 0 || found("unicornzebra") != 1 {
			t.Fatal("the index did not follow an updated output")
		}
		e.mustData(t, `mutation($id: ID!) { deleteTrace(id: $id) { deletedId } }`, map[string]any{"id": id}, &struct{}{})
		if found("unicornzebra") != 0 {
			t.Fatal("a deleted trace is still found")
		}
	})
}

// TestPagingUnderConcurrentInserts pages through traces by cost while new
// traces land between pages: every trace there at the start is seen exactly
// once and in order, none twice.
func TestPagingUnderConcurrentInserts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		w := readWorld(t, e.store)
		want := sortedIDs(w.traces, func(tr db.Trace) int64 { return tr.ID }, func(tr db.Trace) float64 { return tr.TotalCost }, true)
		inserted := 0
		got := walkConnection(t, 4, false, func(args string) idPage {
			var data struct{ Traces idPage }
			e.mustData(t, fmt.Sprintf(`{ traces(%s, orderBy: {field: COST, direction: DESC}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`, args), nil, &data)
			// A new trace, as expensive as the most and the least expensive ones, lands after every page.
			for _, cost := range []float64{w.traces[0].TotalCost, 0} {
				inserted++
				e.mustData(t, `mutation($k: String, $c: Float) { ingestTraces(input: [{project: "support-assistant", externalId: $k, startTime: "2026-01-10T00:00:00Z",
					llmCalls: [{name: "chat", startTime: "2026-01-10T00:00:00Z", cost: {total: $c}}]}]) { traces { id } } }`,
					map[string]any{"k": fmt.Sprintf("late-%d", inserted), "c": cost}, &struct{}{})
			}
			return data.Traces
		})
		seen := map[int64]bool{}
		var original []int64
		for _, id := range got {
			if seen[id] {
				t.Fatalf("trace %d seen twice", id)
			}
			seen[id] = true
			if slices.Contains(want, id) {
				original = append(original, id)
			}
		}
		if !slices.Equal(original, want) {
			t.Fatalf("original traces in pages:\n got %v\nwant %v", original, want)
		}
	})
}
