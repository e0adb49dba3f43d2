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
	"github.com/agentgraph/agentgraph/internal/ingest"
)

const seed = 42

// generated returns the JSON encodings of every tree Generate makes.
func generated(t *testing.T, seed uint64, s demo.Scale) [][]byte {
	t.Helper()
	var out [][]byte
	err := demo.Generate(seed, s, func(tree *ingest.Trace) error {
		b, err := json.Marshal(tree)
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
	err := demo.Generate(seed, demo.Scale{Projects: 11, TracesPerProject: 1}, func(tree *ingest.Trace) error {
		names = append(names, tree.Project)
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
// the input/output alternation of interactions, usage and cost sums, external
// ids, error references and that ingestion accepts every tree.
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
	svc := ingest.New(nil, ingest.Options{}) // validation only: no store needed
	traceKeys := map[string]bool{}
	err := demo.Generate(seed, s, func(tree *ingest.Trace) error {
		project := tree.Project
		p, n := i/s.TracesPerProject, i%s.TracesPerProject
		failed := s.ErrorEvery > 0 && (n+1)%s.ErrorEvery == 0
		i++
		if project != demo.ProjectName(p) {
			t.Errorf("trace %d of project %d is in project %q", n, p, project)
		}
		if want := fmt.Sprintf("demo-%d-%d", p, n); tree.ExternalID != want || traceKeys[want] {
			t.Errorf("%s: trace external id %q, want a new %q", project, tree.ExternalID, want)
		}
		traceKeys[tree.ExternalID] = true

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
		if tree.EndTime == nil {
			t.Fatalf("%s: trace without end time", project)
		}
		traceSpan := [2]time.Time{tree.StartTime, *tree.EndTime}
		checkSpan("trace", tree.StartTime, tree.EndTime, nil, traceSpan)

		// External ids: "<trace>/<kind>-<n>", unique per kind.
		keys := map[string]bool{}
		checkKey := func(kind, key string) {
			if !strings.HasPrefix(key, tree.ExternalID+"/"+kind+"-") || keys[key] {
				t.Errorf("%s: %s external id %q is not a new %s/%s-n", project, kind, key, tree.ExternalID, kind)
			}
			keys[key] = true
		}

		var llm []*ingest.LLMCall
		var tools []*ingest.ToolCall
		var inters []*ingest.Interaction
		llmAgent, toolAgent := map[string]string{}, map[string]string{} // call key -> agent key
		collect := func(where, agent string, outer [2]time.Time, l []ingest.LLMCall, k []ingest.ToolCall, u []ingest.Interaction) {
			for j := range l {
				checkSpan(where+" llm call", l[j].StartTime, l[j].EndTime, nil, outer)
				checkKey("llm", l[j].ExternalID)
				llm = append(llm, &l[j])
				llmAgent[l[j].ExternalID] = agent
			}
			for j := range k {
				checkSpan(where+" tool call", k[j].StartTime, k[j].EndTime, nil, outer)
				checkKey("tool", k[j].ExternalID)
				tools = append(tools, &k[j])
				toolAgent[k[j].ExternalID] = agent
			}
			for j := range u {
				checkSpan(where+" interaction", u[j].Timestamp, &u[j].Timestamp, nil, outer)
				checkKey("interaction", u[j].ExternalID)
				inters = append(inters, &u[j])
			}
		}
		agents := map[string]*ingest.Agent{}
		for j := range tree.Agents {
			a := &tree.Agents[j]
			checkSpan("agent", a.StartTime, a.EndTime, nil, traceSpan)
			checkKey("agent", a.ExternalID)
			agents[a.ExternalID] = a
			collect("agent", a.ExternalID, [2]time.Time{a.StartTime, *a.EndTime}, a.LLMCalls, a.ToolCalls, a.Interactions)
		}
		collect("top-level", "", traceSpan, tree.LLMCalls, tree.ToolCalls, tree.Interactions)
		for _, c := range llm {
			if c.AgentRef != "" {
				t.Errorf("%s: LLM call %s names agent %q by reference", project, c.ExternalID, c.AgentRef)
			}
		}
		for _, c := range tools {
			if c.AgentRef != "" {
				t.Errorf("%s: tool call %s names agent %q by reference", project, c.ExternalID, c.AgentRef)
			}
		}

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
		if si := tree.SystemInfo; si == nil || si.InstalledPackages == nil || si.Disk == nil || si.OsName == nil {
			t.Errorf("%s: incomplete system info", project)
		}

		// Calls and interactions are numbered in the order they happen.
		slices.SortStableFunc(llm, func(a, b *ingest.LLMCall) int { return a.StartTime.Compare(b.StartTime) })
		for k, c := range llm {
			if want := fmt.Sprintf("%s/llm-%d", tree.ExternalID, k); c.ExternalID != want {
				t.Errorf("%s: LLM call %d in time order is %q, want %q", project, k, c.ExternalID, want)
			}
		}
		slices.SortStableFunc(tools, func(a, b *ingest.ToolCall) int { return a.StartTime.Compare(b.StartTime) })
		for k, c := range tools {
			if want := fmt.Sprintf("%s/tool-%d", tree.ExternalID, k); c.ExternalID != want {
				t.Errorf("%s: tool call %d in time order is %q, want %q", project, k, c.ExternalID, want)
			}
		}
		slices.SortStableFunc(inters, func(a, b *ingest.Interaction) int { return a.Timestamp.Compare(b.Timestamp) })
		for k, ui := range inters {
			if want := []string{"input", "output"}[k%2]; ui.Type != want || ui.Content == nil || *ui.Content == "" {
				t.Errorf("%s: interaction %d is %q, want %q with content", project, k, ui.Type, want)
			}
			if want := fmt.Sprintf("%s/interaction-%d", tree.ExternalID, k); ui.ExternalID != want {
				t.Errorf("%s: interaction %d in time order is %q, want %q", project, k, ui.ExternalID, want)
			}
		}
		for _, c := range llm {
			u, k := c.Tokens, c.Cost
			if u.Total == nil || *u.Total != u.Input+u.Completion+u.Reasoning || u.Input <= 0 || u.Completion <= 0 {
				t.Errorf("%s: token usage %+v", project, u)
			}
			if k == nil || k.Total == nil || *k.Total != k.Input+k.Output+k.Reasoning || k.Input <= 0 || k.Output <= 0 {
				t.Errorf("%s: cost %+v", project, k)
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
			for _, n := range c.NetworkCalls {
				if n.Duration == nil {
					t.Errorf("%s: network call without duration", project)
				}
				checkSpan("network call", *n.StartTime, n.EndTime, n.Duration, [2]time.Time{c.StartTime, *c.EndTime})
			}
		}
		for j, m := range tree.Metrics {
			checkSpan("metric", *m.StartTime, m.EndTime, nil, traceSpan)
			checkKey("metric", m.ExternalID)
			if want := fmt.Sprintf("%s/metric-%d", tree.ExternalID, j); m.ExternalID != want {
				t.Errorf("%s: metric %d is %q, want %q", project, j, m.ExternalID, want)
			}
			if *m.Score < 0 || *m.Score > 1 || !json.Valid(m.ResultDetail) || !json.Valid(m.Config) {
				t.Errorf("%s: metric %v %s %s", project, *m.Score, m.ResultDetail, m.Config)
			}
		}
		for j, e := range tree.Errors {
			checkSpan("error", e.Timestamp, &e.Timestamp, nil, traceSpan)
			checkKey("error", e.ExternalID)
			if want := fmt.Sprintf("%s/error-%d", tree.ExternalID, j); e.ExternalID != want {
				t.Errorf("%s: error %d is %q, want %q", project, j, e.ExternalID, want)
			}
			agent, ok := "", false
			switch {
			case e.Type == "LLM" && e.ToolCallRef == "":
				agent, ok = llmAgent[e.LLMCallRef]
			case e.Type == "Tool" && e.LLMCallRef == "":
				agent, ok = toolAgent[e.ToolCallRef]
			case e.Type == "Agent" && e.LLMCallRef == "" && e.ToolCallRef == "":
				agent, ok = e.AgentRef, agents[e.AgentRef] != nil
			}
			if !ok {
				t.Errorf("%s: error %s names no call of the tree: %+v", project, e.Type, e)
			} else if e.AgentRef != agent {
				t.Errorf("%s: error %s names agent %q, want %q", project, e.Type, e.AgentRef, agent)
			}
		}

		if err := svc.ValidateTrace(tree, "tree"); err != nil {
			t.Errorf("%s: ingestion rejects the tree: %v", project, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGenerateStopsOnError(t *testing.T) {
	calls := 0
	err := demo.Generate(seed, demo.DefaultScale(), func(*ingest.Trace) error {
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

		rows := readRows(t, store)
		projects, traces, agents, llm, tools, inters, errs, metrics :=
			rows.projects, rows.traces, rows.agents, rows.llm, rows.tools, rows.inters, rows.errs, rows.metrics
		for _, tr := range traces {
			if tr.ExternalID == nil || !strings.HasPrefix(*tr.ExternalID, "demo-") {
				t.Errorf("trace %d has external id %v", tr.ID, tr.ExternalID)
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
		err := demo.Generate(seed, s, func(tree *ingest.Trace) error {
			name := tree.Project
			add := func(calls []ingest.LLMCall) {
				for _, c := range calls {
					treeCost[name] += *c.Cost.Total
					treeTokens[name] += *c.Tokens.Total
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

		// Errors point at calls of their own trace, matching their type, and
		// at the agent the call was made in.
		type owner struct {
			trace int64
			agent *int64
		}
		llmOwner, toolOwner, agentTrace := map[int64]owner{}, map[int64]owner{}, map[int64]int64{}
		for _, c := range llm {
			llmOwner[c.ID] = owner{c.TraceID, c.AgentID}
		}
		for _, c := range tools {
			toolOwner[c.ID] = owner{c.TraceID, c.AgentID}
		}
		for _, a := range agents {
			agentTrace[a.ID] = a.TraceID
		}
		sameAgent := func(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
		for _, e := range errs {
			ok := false
			switch e.ErrorType {
			case "LLM":
				o, found := llmOwner[derefID(e.LLMCallID)]
				ok = found && o.trace == e.TraceID && sameAgent(o.agent, e.AgentID) && e.ToolCallID == nil
			case "Tool":
				o, found := toolOwner[derefID(e.ToolCallID)]
				ok = found && o.trace == e.TraceID && sameAgent(o.agent, e.AgentID) && e.LLMCallID == nil
			case "Agent":
				ok = e.AgentID != nil && agentTrace[*e.AgentID] == e.TraceID && e.LLMCallID == nil && e.ToolCallID == nil
			}
			if !ok {
				t.Errorf("error %d of type %s is not attached to a call of trace %d", e.ID, e.ErrorType, e.TraceID)
			}
		}

		fingerprints.Store(b.Name, rows.fingerprint(t))
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

// TestLoadTwiceIsNoOp loads the same data twice into one store: the second
// load updates every row in place through its external id, so no table
// grows and every row reads the same as before.
func TestLoadTwiceIsNoOp(t *testing.T) {
	s := demo.DefaultScale()
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		store := dbtest.MustOpen(t, b)
		if err := demo.Load(ctx, store, seed, s); err != nil {
			t.Fatal(err)
		}
		first, firstRows := countRows(t, store), readRows(t, store)
		for table, want := range expectedRows(s) {
			if first[table] != want {
				t.Errorf("first load: %s has %d rows, want %d", table, first[table], want)
			}
		}
		if err := demo.Load(ctx, store, seed, s); err != nil {
			t.Fatal(err)
		}
		second, secondRows := countRows(t, store), readRows(t, store)
		for table, n := range first {
			if second[table] != n {
				t.Errorf("second load: %s has %d rows, had %d", table, second[table], n)
			}
		}
		for i, p := range secondRows.projects {
			before := firstRows.projects[i]
			if !near(p.TotalCost, before.TotalCost) || p.TotalTokens != before.TotalTokens {
				t.Errorf("%s: totals %v USD %d tokens after the second load, %v USD %d tokens before",
					p.ProjectName, p.TotalCost, p.TotalTokens, before.TotalCost, before.TotalTokens)
			}
		}
		la, lb := strings.Split(firstRows.fingerprint(t), "\n"), strings.Split(secondRows.fingerprint(t), "\n")
		for i := range min(len(la), len(lb)) {
			if la[i] != lb[i] {
				t.Fatalf("second load changed a row:\nbefore: %s\nafter:  %s", la[i], lb[i])
			}
		}
		if len(la) != len(lb) {
			t.Fatalf("second load: %d lines, before %d", len(lb), len(la))
		}
	})
}

// countRows counts the rows of every table expectedRows knows.
func countRows(t *testing.T, store *db.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for table := range expectedRows(demo.DefaultScale()) {
		var n int64
		if err := store.Gorm().Raw("SELECT COUNT(*) FROM " + table).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// rowSet is every row of a store, each table in id order.
type rowSet struct {
	projects []db.Project
	traces   []db.Trace
	agents   []db.AgentCall
	llm      []db.LLMCall
	tools    []db.ToolCall
	inters   []db.UserInteraction
	errs     []db.TraceError
	metrics  []db.Metric
	systems  []db.SystemInfo
}

func readRows(t *testing.T, store *db.DB) *rowSet {
	t.Helper()
	var r rowSet
	for _, dst := range []any{&r.projects, &r.traces, &r.agents, &r.llm, &r.tools, &r.inters, &r.errs, &r.metrics, &r.systems} {
		if err := store.Gorm().Order("id").Find(dst).Error; err != nil {
			t.Fatal(err)
		}
	}
	return &r
}

func (r *rowSet) fingerprint(t *testing.T) string {
	return fingerprint(t, r.projects, r.traces, r.agents, r.llm, r.tools, r.inters, r.errs, r.metrics, r.systems)
}

func derefID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
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
		if err := demo.Generate(seed, s, func(*ingest.Trace) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
