package demo_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/demo"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// seed is the seed the tests of both files generate with.
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

// BenchmarkGenerate measures generating BenchScale without a database.
func BenchmarkGenerate(b *testing.B) {
	s := demo.BenchScale()
	for b.Loop() {
		if err := demo.Generate(seed, s, func(*ingest.Trace) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
