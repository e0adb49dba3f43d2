// Package demo generates realistic, deterministic observability data: projects
// of agent applications with their traces, agents, LLM and tool calls, user
// interactions, errors, metrics and system info. Tests, the server's --demo
// flag and benchmarks use it; the same seed and scale always give the same
// data, down to the millisecond, on every database.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// Scale says how much data to generate.
type Scale struct {
	Projects, TracesPerProject int
	// Per trace; the calls and interactions are shared among the agents and
	// the top level.
	AgentsPerTrace, LLMCallsPerTrace, ToolCallsPerTrace, InteractionsPerTrace, MetricsPerTrace int
	// ErrorEvery makes every Nth trace of a project fail: trace i (0-based,
	// counted per project) has errors when (i+1)%ErrorEvery == 0; 0 means
	// never. A failed trace records one "LLM", one "Tool" and one "Agent"
	// error, each only if the trace has such a call or agent.
	ErrorEvery int
	// PromptChars is the approximate length of prompts and outputs.
	PromptChars int
}

// DefaultScale is small: for --demo and tests.
func DefaultScale() Scale {
	return Scale{
		Projects: 3, TracesPerProject: 6,
		AgentsPerTrace: 2, LLMCallsPerTrace: 5, ToolCallsPerTrace: 4, InteractionsPerTrace: 2, MetricsPerTrace: 2,
		ErrorEvery: 3, PromptChars: 300,
	}
}

// BenchScale is large: for benchmarks.
func BenchScale() Scale {
	return Scale{
		Projects: 10, TracesPerProject: 1000,
		AgentsPerTrace: 3, LLMCallsPerTrace: 10, ToolCallsPerTrace: 8, InteractionsPerTrace: 2, MetricsPerTrace: 3,
		ErrorEvery: 10, PromptChars: 500,
	}
}

// validate rejects negative counts.
func (s Scale) validate() error {
	for _, v := range []int{s.Projects, s.TracesPerProject, s.AgentsPerTrace, s.LLMCallsPerTrace, s.ToolCallsPerTrace,
		s.InteractionsPerTrace, s.MetricsPerTrace, s.ErrorEvery, s.PromptChars} {
		if v < 0 {
			return fmt.Errorf("demo scale: negative count in %+v", s)
		}
	}
	return nil
}

// ProjectName is the name of the p-th generated project (0-based):
// "support-assistant", "research-agent", ..., then the same names with a
// numeric suffix ("support-assistant-2") once every name is used.
func ProjectName(p int) string {
	name := apps[p%len(apps)].name
	if p >= len(apps) {
		name += "-" + strconv.Itoa(p/len(apps)+1)
	}
	return name
}

// Generate calls fn once per trace, project by project, with freshly built
// trees that it never touches again after fn returns; tree.Project names the
// trace's project. The same seed and scale give identical trees. Every trace
// and every entity in it has a deterministic external id ("demo-0-3",
// "demo-0-3/llm-2"), so writing the same trees again changes nothing. It
// stops at the first error of fn.
func Generate(seed uint64, s Scale, fn func(tree *ingest.Trace) error) error {
	if err := s.validate(); err != nil {
		return err
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, pcgStream)), s: s}
	for p := range s.Projects {
		g.app = &apps[p%len(apps)]
		g.machine = g.newMachine()
		for i := range s.TracesPerProject {
			if err := fn(g.trace(p, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadBatch is the number of traces Load hands to one Ingest call.
const loadBatch = 100

// Load generates into store through the ingestion service, which validates
// the traces and keeps the projects' rollups. Loading the same seed and
// scale again is a no-op, as every entity has an external id.
func Load(ctx context.Context, store *db.DB, seed uint64, s Scale) error {
	if err := s.validate(); err != nil {
		return err
	}
	// Projects are created up front, in order: so they exist even without
	// traces, and get the same ids on every database (PostgreSQL spends a
	// sequence value on every conflicting insert, as ingestion does when it
	// ensures a project per trace).
	for p := range s.Projects {
		if _, err := store.EnsureProject(ctx, ProjectName(p)); err != nil {
			return fmt.Errorf("demo project %s: %w", ProjectName(p), err)
		}
	}
	svc := ingest.New(store, ingest.Options{})
	batch := make([]ingest.Trace, 0, loadBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := svc.Ingest(ctx, batch)
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("demo traces: %w", err)
		}
		return nil
	}
	err := Generate(seed, s, func(tree *ingest.Trace) error {
		batch = append(batch, *tree)
		if len(batch) < loadBatch {
			return nil
		}
		return flush()
	})
	if err == nil {
		err = flush()
	}
	return err
}

// Empty reports whether store has no projects yet.
func Empty(ctx context.Context, store *db.DB) (bool, error) {
	n, err := db.Count[db.Project](ctx, store, db.Cond{})
	if err != nil {
		return false, err
	}
	return n == 0, nil
}
