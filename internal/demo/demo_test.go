package demo_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

const seed = 42

// generated returns the JSON encodings of every tree Generate makes.
func generated(t *testing.T, seed uint64, s demo.Scale) [][]byte {
	t.Helper()
	var out [][]byte
	err := demo.Generate(seed, s, func(name string, tree *db.TraceTree) error {
		b, err := json.Marshal(struct {
			Project string
			Tree    *db.TraceTree
		}{name, tree})
		out = append(out, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	s := demo.DefaultScale()
	a, b := generated(t, seed, s), generated(t, seed, s)
	if want := s.Projects * s.TracesPerProject; len(a) != want {
		t.Fatalf("generated %d traces, want %d", len(a), want)
	}
	if !slices.EqualFunc(a, b, bytes.Equal) {
		t.Fatal("two runs with the same seed and scale differ")
	}
	if c := generated(t, seed+1, s); slices.EqualFunc(a, c, bytes.Equal) {
		t.Fatal("another seed gives the same data")
	}
}

func TestProjectNames(t *testing.T) {
	seen := map[string]bool{}
	for p := range 30 {
		name := demo.ProjectName(p)
		if seen[name] {
			t.Fatalf("project name %q repeats", name)
		}
		seen[name] = true
	}
	var names []string
	err := demo.Generate(seed, demo.Scale{Projects: 11, TracesPerProject: 1}, func(name string, _ *db.TraceTree) error {
		names = append(names, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 11 || names[0] != "support-assistant" || names[1] != "research-agent" || names[2] != "code-reviewer" {
		t.Fatalf("project names %v", names)
	}
}

// TestGeneratedTrees checks, on the in-memory trees of several scales,
// extreme ones included: counts, millisecond UTC times, durations, nesting,
// the input/output alternation of interactions, usage and cost sums, and
// error pointers.
func TestGeneratedTrees(t *testing.T) {
	def := demo.DefaultScale()
	def.AgentsPerTrace, def.ErrorEvery = 3, 1
	scales := []demo.Scale{
		def,
		{Projects: 1, TracesPerProject: 3, LLMCallsPerTrace: 3, ToolCallsPerTrace: 2, InteractionsPerTrace: 3, ErrorEvery: 1},
		{Projects: 1, TracesPerProject: 2, AgentsPerTrace: 6, LLMCallsPerTrace: 1, InteractionsPerTrace: 5, MetricsPerTrace: 10, ErrorEvery: 2, PromptChars: 1000},
		{Projects: 1, TracesPerProject: 3, AgentsPerTrace: 2, LLMCallsPerTrace: 4, ToolCallsPerTrace: 3, InteractionsPerTrace: 4, MetricsPerTrace: 1, ErrorEvery: 3, PromptChars: 50},
		{Projects: 2, TracesPerProject: 4, AgentsPerTrace: 1, LLMCallsPerTrace: 6, ToolCallsPerTrace: 6, InteractionsPerTrace: 1, MetricsPerTrace: 3, ErrorEvery: 5, PromptChars: 300},
		{Projects: 13, TracesPerProject: 1},
	}
	for _, s := range scales {
		t.Run(fmt.Sprintf("%+v", s), func(t *testing.T) { checkTrees(t, s) })
	}
}

func checkTrees(t *testing.T, s demo.Scale) {
	i := 0
	err := demo.Generate(seed, s, func(project string, tree *db.TraceTree) error {
		failed := s.ErrorEvery > 0 && (i%s.TracesPerProject+1)%s.ErrorEvery == 0
		i++
		checkTime := func(what string, tm time.Time) {
			if tm.Location() != time.UTC || tm.Nanosecond()%int(time.Millisecond) != 0 {
				t.Errorf("%s: %s time %v is not a UTC millisecond", project, what, tm)
			}
		}
		// checkSpan checks a span and that it lies within the outer one.
		checkSpan := func(what string, start time.Time, end *time.Time, dur *float64, outer [2]time.Time) {
			checkTime(what, start)
			if end == nil {
				t.Errorf("%s: %s has no end time", project, what)
				return
			}
			checkTime(what, *end)
			if dur != nil && *dur != float64(end.Sub(start).Milliseconds())/1000 {
				t.Errorf("%s: %s duration %v disagrees with %v..%v", project, what, *dur, start, *end)
			}
			if end.Before(start) || start.Before(outer[0]) || end.After(outer[1]) {
				t.Errorf("%s: %s %v..%v outside %v..%v", project, what, start, *end, outer[0], outer[1])
			}
		}
		if tree.Trace.EndTime == nil {
			t.Fatalf("%s: trace without end time", project)
		}
		traceSpan := [2]time.Time{tree.Trace.StartTime, *tree.Trace.EndTime}
		checkSpan("trace", tree.Trace.StartTime, tree.Trace.EndTime, nil, traceSpan)

		var llm []*db.LLMCall
		var tools []*db.ToolCall
		var inters []*db.UserInteraction
		collect := func(where string, outer [2]time.Time, l []db.LLMCall, k []db.ToolCall, u []db.UserInteraction) {
			for j := range l {
				checkSpan(where+" llm call", l[j].StartTime, l[j].EndTime, l[j].Duration, outer)
				llm = append(llm, &l[j])
			}
			for j := range k {
				checkSpan(where+" tool call", k[j].StartTime, k[j].EndTime, k[j].Duration, outer)
				tools = append(tools, &k[j])
			}
			for j := range u {
				checkSpan(where+" interaction", u[j].Timestamp, &u[j].Timestamp, nil, outer)
				inters = append(inters, &u[j])
			}
		}
		for j := range tree.Agents {
			a := &tree.Agents[j]
			checkSpan("agent", a.Agent.StartTime, a.Agent.EndTime, nil, traceSpan)
			collect("agent", [2]time.Time{a.Agent.StartTime, *a.Agent.EndTime}, a.LLMCalls, a.ToolCalls, a.Interactions)
		}
		collect("top-level", traceSpan, tree.LLMCalls, tree.ToolCalls, tree.Interactions)

		perFailure := 0
		for _, n := range []int{s.AgentsPerTrace, s.LLMCallsPerTrace, s.ToolCallsPerTrace} {
			if n > 0 {
				perFailure++
			}
		}
		if !failed {
			perFailure = 0
		}
		if len(tree.Agents) != s.AgentsPerTrace || len(llm) != s.LLMCallsPerTrace || len(tools) != s.ToolCallsPerTrace ||
			len(inters) != s.InteractionsPerTrace || len(tree.Metrics) != s.MetricsPerTrace || len(tree.Errors) != perFailure {
			t.Errorf("%s: %d agents, %d LLM calls, %d tool calls, %d interactions, %d metrics, %d errors", project,
				len(tree.Agents), len(llm), len(tools), len(inters), len(tree.Metrics), len(tree.Errors))
		}
		if tree.SystemInfo == nil || !tree.SystemInfo.InstalledPackages.Valid || !tree.SystemInfo.DiskInfo.Valid {
			t.Errorf("%s: incomplete system info", project)
		}

		slices.SortFunc(inters, func(a, b *db.UserInteraction) int { return a.Timestamp.Compare(b.Timestamp) })
		for k, ui := range inters {
			if want := []string{"input", "output"}[k%2]; ui.InteractionType != want || ui.Content == nil || *ui.Content == "" {
				t.Errorf("%s: interaction %d is %q, want %q with content", project, k, ui.InteractionType, want)
			}
		}
		for _, c := range llm {
			u, k := c.Tokens, c.Cost
			if u.Total != u.Input+u.Completion+u.Reasoning || u.Input <= 0 || u.Completion <= 0 {
				t.Errorf("%s: token usage %+v", project, u)
			}
			if k.Total != k.Input+k.Output+k.Reasoning || k.Input <= 0 || k.Output <= 0 {
				t.Errorf("%s: cost %+v", project, k)
			}
			var ju db.TokenUsage
			var jk db.Cost
			if json.Unmarshal(c.TokenUsageJSON, &ju) != nil || ju != u || json.Unmarshal(c.CostJSON, &jk) != nil || jk != k {
				t.Errorf("%s: JSON usage %s / cost %s disagree with %+v / %+v", project, c.TokenUsageJSON, c.CostJSON, u, k)
			}
			if (u.Reasoning > 0) != (*c.Model == "o3-mini") {
				t.Errorf("%s: model %s has %d reasoning tokens", project, *c.Model, u.Reasoning)
			}
			if n := len(*c.InputPrompt); n > 2*s.PromptChars+400 || s.PromptChars >= 300 && n < s.PromptChars/2 {
				t.Errorf("%s: prompt of %d characters for PromptChars %d", project, n, s.PromptChars)
			}
			if c.ToolCall != nil && !json.Valid([]byte(*c.ToolCall)) {
				t.Errorf("%s: tool call %q is not JSON", project, *c.ToolCall)
			}
		}
		for _, c := range tools {
			if !json.Valid([]byte(*c.InputParameters)) {
				t.Errorf("%s: input parameters %q are not JSON", project, *c.InputParameters)
			}
			for _, n := range c.Calls() {
				checkSpan("network call", *n.StartTime, n.EndTime, n.Duration, [2]time.Time{c.StartTime, *c.EndTime})
			}
		}
		for _, m := range tree.Metrics {
			checkSpan("metric", *m.StartTime, m.EndTime, m.Duration, traceSpan)
			if *m.Score < 0 || *m.Score > 1 || !json.Valid(m.ResultDetail) || !json.Valid(m.Config) {
				t.Errorf("%s: metric %v %s %s", project, *m.Score, m.ResultDetail, m.Config)
			}
		}
		for _, e := range tree.Errors {
			checkSpan("error", e.Error.Timestamp, &e.Error.Timestamp, nil, traceSpan)
			switch {
			case e.Error.ErrorType == "LLM" && e.LLMCall != nil && slices.Contains(llm, e.LLMCall):
			case e.Error.ErrorType == "Tool" && e.ToolCall != nil && slices.Contains(tools, e.ToolCall):
			case e.Error.ErrorType == "Agent" && e.Agent != nil:
			default:
				t.Errorf("%s: error %s points to no call of the tree", project, e.Error.ErrorType)
			}
			if e.Agent != nil && !slices.ContainsFunc(agentPointers(tree), func(a *db.AgentCall) bool { return a == e.Agent }) {
				t.Errorf("%s: error %s points to an agent outside the tree", project, e.Error.ErrorType)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// agentPointers returns pointers to the agent calls of tree.
func agentPointers(tree *db.TraceTree) []*db.AgentCall {
	out := make([]*db.AgentCall, len(tree.Agents))
	for i := range tree.Agents {
		out[i] = &tree.Agents[i].Agent
	}
	return out
}

func TestGenerateStopsOnError(t *testing.T) {
	calls := 0
	err := demo.Generate(seed, demo.DefaultScale(), func(string, *db.TraceTree) error {
		calls++
		return fmt.Errorf("stop")
	})
	if err == nil || calls != 1 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if err := demo.Generate(seed, demo.Scale{Projects: -1}, nil); err == nil {
		t.Fatal("negative scale accepted")
	}
}

// expectedRows is the number of rows per table that s implies.
func expectedRows(s demo.Scale) map[string]int64 {
	traces := int64(s.Projects * s.TracesPerProject)
	failed := int64(0)
	if s.ErrorEvery > 0 {
		failed = int64(s.Projects * (s.TracesPerProject / s.ErrorEvery))
	}
	perFailure := int64(0)
	for _, n := range []int{s.AgentsPerTrace, s.LLMCallsPerTrace, s.ToolCallsPerTrace} {
		if n > 0 {
			perFailure++
		}
	}
	return map[string]int64{
		"project_info":      int64(s.Projects),
		"traces":            traces,
		"system_info":       traces,
		"agent_call":        traces * int64(s.AgentsPerTrace),
		"llm_call":          traces * int64(s.LLMCallsPerTrace),
		"tool_call":         traces * int64(s.ToolCallsPerTrace),
		"user_interactions": traces * int64(s.InteractionsPerTrace),
		"metrics":           traces * int64(s.MetricsPerTrace),
		"errors":            failed * perFailure,
	}
}

// fingerprints holds a canonical dump of the loaded rows per backend, to
// check that both databases return the same data.
var fingerprints sync.Map

func TestLoad(t *testing.T) {
	s := demo.DefaultScale()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		g := store.Gorm().WithContext(ctx)

		if empty, err := demo.Empty(ctx, store); err != nil || !empty {
			t.Fatalf("new store: Empty = %v, %v", empty, err)
		}
		start := time.Now()
		if err := demo.Load(ctx, store, seed, s); err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded %s in %v", b.Name, time.Since(start))
		if empty, err := demo.Empty(ctx, store); err != nil || empty {
			t.Fatalf("loaded store: Empty = %v, %v", empty, err)
		}

		for table, want := range expectedRows(s) {
			var n int64
			if err := g.Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s has %d rows, want %d", table, n, want)
			}
		}

		var (
			projects []db.Project
			traces   []db.Trace
			agents   []db.AgentCall
			llm      []db.LLMCall
			tools    []db.ToolCall
			inters   []db.UserInteraction
			errs     []db.TraceError
			metrics  []db.Metric
			systems  []db.SystemInfo
		)
		for _, dst := range []any{&projects, &traces, &agents, &llm, &tools, &inters, &errs, &metrics, &systems} {
			if err := g.Order("id").Find(dst).Error; err != nil {
				t.Fatal(err)
			}
		}

		// Agent id lists agree with the children's agent_id.
		children := map[string]map[int64][]int64{}
		for _, table := range []string{"llm_call", "tool_call", "user_interactions"} {
			var rows []struct{ ID, AgentID int64 }
			if err := g.Raw("SELECT id, agent_id FROM " + table + " WHERE agent_id IS NOT NULL ORDER BY id").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			children[table] = map[int64][]int64{}
			for _, r := range rows {
				children[table][r.AgentID] = append(children[table][r.AgentID], r.ID)
			}
		}
		for _, a := range agents {
			for table, list := range map[string]db.JSON[[]int64]{
				"llm_call": a.LLMCallIDs, "tool_call": a.ToolCallIDs, "user_interactions": a.UserInteractionIDs,
			} {
				want := children[table][a.ID]
				if !list.Valid || !slices.Equal(list.V, want) {
					t.Errorf("agent %d: %s ids %v, want %v", a.ID, table, list.V, want)
				}
			}
		}
		var outside int64
		g.Raw("SELECT COUNT(*) FROM llm_call WHERE agent_id IS NULL").Scan(&outside)
		if outside == 0 {
			t.Error("no LLM call outside an agent")
		}

		// Project rollups are the sums over the project's LLM calls, and
		// equal the sums over the generated trees exactly.
		var sums []struct {
			ProjectID int64
			Cost      float64
			Tokens    int64
		}
		if err := g.Raw("SELECT project_id, SUM(total_cost) AS cost, SUM(total_tokens) AS tokens FROM llm_call GROUP BY project_id ORDER BY project_id").Scan(&sums).Error; err != nil {
			t.Fatal(err)
		}
		treeCost, treeTokens := map[string]float64{}, map[string]int64{}
		err := demo.Generate(seed, s, func(name string, tree *db.TraceTree) error {
			add := func(calls []db.LLMCall) {
				for _, c := range calls {
					treeCost[name] += c.Cost.Total
					treeTokens[name] += c.Tokens.Total
				}
			}
			add(tree.LLMCalls)
			for _, a := range tree.Agents {
				add(a.LLMCalls)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(sums) != len(projects) {
			t.Fatalf("%d projects with LLM calls, want %d", len(sums), len(projects))
		}
		for i, p := range projects {
			if p.ProjectName != demo.ProjectName(i) || sums[i].ProjectID != p.ID {
				t.Fatalf("project %d is %q (id %d)", i, p.ProjectName, p.ID)
			}
			// Float sums depend on the order of addition, which differs by database.
			if !near(p.TotalCost, sums[i].Cost) || p.TotalTokens != sums[i].Tokens {
				t.Errorf("%s: totals %v USD %d tokens, llm_call sums %v USD %d tokens", p.ProjectName, p.TotalCost, p.TotalTokens, sums[i].Cost, sums[i].Tokens)
			}
			if !near(p.TotalCost, treeCost[p.ProjectName]) || p.TotalTokens != treeTokens[p.ProjectName] {
				t.Errorf("%s: totals %v USD %d tokens, generated %v USD %d tokens", p.ProjectName, p.TotalCost, p.TotalTokens, treeCost[p.ProjectName], treeTokens[p.ProjectName])
			}
		}
		for _, c := range llm {
			var u db.TokenUsage
			var k db.Cost
			if json.Unmarshal(c.TokenUsageJSON, &u) != nil || u != c.Tokens || json.Unmarshal(c.CostJSON, &k) != nil || k != c.Cost {
				t.Errorf("llm call %d: JSON %s %s, columns %+v %+v", c.ID, c.TokenUsageJSON, c.CostJSON, c.Tokens, c.Cost)
			}
		}

		// Times nest: children in their trace, calls in their agent.
		type span struct{ start, end time.Time }
		traceSpan, agentSpan := map[int64]span{}, map[int64]span{}
		projectSpan := map[int64]span{}
		for _, tr := range traces {
			traceSpan[tr.ID] = span{tr.StartTime, *tr.EndTime}
			ps, ok := projectSpan[tr.ProjectID]
			if !ok || tr.StartTime.Before(ps.start) {
				ps.start = tr.StartTime
			}
			if tr.EndTime.After(ps.end) {
				ps.end = *tr.EndTime
			}
			projectSpan[tr.ProjectID] = ps
		}
		for _, p := range projects {
			ps := projectSpan[p.ID]
			if p.StartTime == nil || !p.StartTime.Equal(ps.start) || p.EndTime == nil || !p.EndTime.Equal(ps.end) {
				t.Errorf("%s: span %v..%v, traces span %v..%v", p.ProjectName, p.StartTime, p.EndTime, ps.start, ps.end)
			}
		}
		inside := func(what string, id, traceID int64, agentID *int64, start time.Time, end *time.Time) {
			t.Helper()
			if end == nil {
				end = &start
			}
			ts, ok := traceSpan[traceID]
			if !ok || start.Before(ts.start) || end.After(ts.end) || end.Before(start) {
				t.Errorf("%s %d (%v..%v) outside trace %d (%v..%v)", what, id, start, *end, traceID, ts.start, ts.end)
			}
			if agentID != nil {
				as, ok := agentSpan[*agentID]
				if !ok || start.Before(as.start) || end.After(as.end) {
					t.Errorf("%s %d (%v..%v) outside agent %d (%v..%v)", what, id, start, *end, *agentID, as.start, as.end)
				}
			}
		}
		for _, a := range agents {
			inside("agent", a.ID, a.TraceID, nil, a.StartTime, a.EndTime)
			agentSpan[a.ID] = span{a.StartTime, *a.EndTime}
		}
		for _, c := range llm {
			inside("llm call", c.ID, c.TraceID, c.AgentID, c.StartTime, c.EndTime)
		}
		for _, c := range tools {
			inside("tool call", c.ID, c.TraceID, c.AgentID, c.StartTime, c.EndTime)
		}
		for _, ui := range inters {
			inside("interaction", ui.ID, ui.TraceID, ui.AgentID, ui.Timestamp, nil)
		}
		for _, e := range errs {
			inside("error", e.ID, e.TraceID, e.AgentID, e.Timestamp, nil)
		}
		for _, m := range metrics {
			inside("metric", m.ID, m.TraceID, nil, *m.StartTime, m.EndTime)
		}

		// Errors point at calls of their own trace, matching their type.
		llmTrace, toolTrace := map[int64]int64{}, map[int64]int64{}
		for _, c := range llm {
			llmTrace[c.ID] = c.TraceID
		}
		for _, c := range tools {
			toolTrace[c.ID] = c.TraceID
		}
		for _, e := range errs {
			ok := false
			switch e.ErrorType {
			case "LLM":
				ok = e.LLMCallID != nil && llmTrace[*e.LLMCallID] == e.TraceID
			case "Tool":
				ok = e.ToolCallID != nil && toolTrace[*e.ToolCallID] == e.TraceID
			case "Agent":
				ok = e.AgentID != nil
			}
			if !ok {
				t.Errorf("error %d of type %s is not attached to a call of trace %d", e.ID, e.ErrorType, e.TraceID)
			}
		}

		fingerprints.Store(b.Name, fingerprint(t, projects, traces, agents, llm, tools, inters, errs, metrics, systems))
	})

	// Both backends return the same data, as golden files need.
	a, okA := fingerprints.Load("sqlite")
	p, okP := fingerprints.Load("postgres")
	if okA && okP {
		la, lp := strings.Split(a.(string), "\n"), strings.Split(p.(string), "\n")
		for i := range min(len(la), len(lp)) {
			if la[i] != lp[i] {
				t.Fatalf("backends disagree:\nsqlite:   %s\npostgres: %s", la[i], lp[i])
			}
		}
		if len(la) != len(lp) {
			t.Fatalf("backends return %d and %d lines", len(la), len(lp))
		}
	}
}

// fingerprint renders rows canonically: one line per row, times in UTC,
// JSON documents re-encoded with sorted keys.
func fingerprint(t *testing.T, tables ...any) string {
	var b strings.Builder
	for _, rows := range tables {
		raw, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		var list []map[string]any
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatal(err)
		}
		for _, row := range list {
			keys := make([]string, 0, len(row))
			for k := range row {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			fmt.Fprintf(&b, "%T", rows)
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%s", k, canonical(k, row[k]))
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// rawJSONFields are the db.RawJSON fields, which encoding/json renders as
// base64 of the document as the database returned it.
var rawJSONFields = map[string]bool{"TokenUsageJSON": true, "CostJSON": true, "ResultDetail": true, "Config": true}

// canonical renders the decoded JSON value of field key: times in UTC, JSON
// documents decoded and re-encoded.
func canonical(key string, v any) string {
	switch v := v.(type) {
	case string:
		if rawJSONFields[key] {
			doc, err := base64.StdEncoding.DecodeString(v)
			var parsed any
			if err != nil || json.Unmarshal(doc, &parsed) != nil {
				return "invalid JSON " + strconv.Quote(v)
			}
			b, _ := json.Marshal(parsed)
			return string(b)
		}
		if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return tm.UTC().Format(time.RFC3339Nano)
		}
		return strconv.Quote(v)
	case float64:
		// 12 significant digits: sums differ in the last bits between databases.
		return strconv.FormatFloat(v, 'g', 12, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// near reports whether two sums agree up to rounding.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// BenchmarkGenerate measures generating BenchScale without a database.
func BenchmarkGenerate(b *testing.B) {
	s := demo.BenchScale()
	for b.Loop() {
		if err := demo.Generate(seed, s, func(string, *db.TraceTree) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
