package agentneo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/agentgraph/agentgraph/internal/agentneo/agentneotest"
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

func fixture(t *testing.T, extra ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agentneo.db")
	if err := agentneotest.Write(path); err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		if err := agentneotest.Exec(path, extra...); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func zone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(agentneotest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// dryRun maps the database at path as Import would and returns the traces
// it would ingest, the projects it would create without traces, the
// summary and the progress output.
func dryRun(t *testing.T, path string, opts Options) ([]ingest.Trace, []string, Summary, string) {
	t.Helper()
	ctx := context.Background()
	src, err := openSource(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	var out bytes.Buffer
	var traces []ingest.Trace
	var empty []string
	if opts.BatchSize == 0 {
		opts.BatchSize = DefaultBatchSize
	}
	imp := &importer{
		src: src, out: &out, opts: opts, warned: map[string]int{},
		write: func(_ context.Context, batch []ingest.Trace) error {
			traces = append(traces, batch...)
			return nil
		},
		ensureProject: func(_ context.Context, name string) error {
			empty = append(empty, name)
			return nil
		},
	}
	sum, err := imp.run(ctx)
	imp.flushWarnings()
	sum.Warnings = imp.warnings
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	return traces, empty, sum, out.String()
}

func TestCheckRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := filepath.Join(dir, "other.db")
	if err := agentneotest.Exec(other, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'x');`); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(dir, "partial.db")
	if err := agentneotest.Exec(partial, `CREATE TABLE project_info (id INTEGER PRIMARY KEY, project_name TEXT);
		CREATE TABLE traces (id INTEGER PRIMARY KEY, start_time DATETIME);`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.db"), "no such file"},
		{"directory", dir, "directory"},
		{"text", write("notes.txt", "these are not the tables you are looking for\n"), "not a SQLite file"},
		{"empty", write("empty.db", ""), "missing table project_info"},
		{"other tables", other, "missing table project_info"},
		{"missing columns", partial, "column traces.project_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []byte
			if info, err := os.Stat(tc.path); err == nil && !info.IsDir() {
				before, _ = os.ReadFile(tc.path)
			}
			err := Check(context.Background(), tc.path)
			if !errors.Is(err, ErrNotAgentNeo) || !IsNotAgentNeo(err) {
				t.Fatalf("Check = %v, want an ErrNotAgentNeo", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "is not an AgentNeo database") {
				t.Errorf("Check = %q, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err)
			}
			// Import refuses the same way, before it touches the store (nil here).
			if _, err := Import(context.Background(), tc.path, nil, nil, Options{}); !errors.Is(err, ErrNotAgentNeo) {
				t.Errorf("Import = %v, want an ErrNotAgentNeo", err)
			}
			if before != nil {
				after, _ := os.ReadFile(tc.path)
				if !bytes.Equal(before, after) {
					t.Error("the file changed")
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); err == nil {
		t.Error("checking a missing file created it")
	}
}

func TestOpensReadOnly(t *testing.T) {
	path := fixture(t)
	src, err := openSource(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	if _, err := src.db.Exec(`DELETE FROM traces`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("a write through the import's connection = %v, want a read-only error", err)
	}
}

func TestMapsEveryQuirk(t *testing.T) {
	path := fixture(t)
	before, _ := os.ReadFile(path)
	// Legacy keys keep the expected external ids short; TestKeys checks the sources.
	traces, empty, sum, out := dryRun(t, path, Options{Location: zone(t), BatchSize: 3, LegacyKeys: true})
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("reading changed the AgentNeo file")
	}
	if sum.Warnings != 0 || strings.Contains(out, "warning") {
		t.Errorf("%d warnings on the fixture:\n%s", sum.Warnings, out)
	}
	for table, n := range agentneotest.Counts {
		if c := sum.Count(table); c.Read != n || c.Imported != n || c.Skipped != 0 {
			t.Errorf("summary of %s = %+v, want %d read and imported", table, c, n)
		}
	}
	if !slices.Equal(empty, []string{"idle-project"}) {
		t.Errorf("projects created without traces = %v", empty)
	}
	if len(traces) != 4 {
		t.Fatalf("%d traces, want 4", len(traces))
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	t1, t2, t3, t4 := traces[0], traces[1], traces[2], traces[3]
	check := func(what string, got, want any) {
		t.Helper()
		if gt, ok := got.(time.Time); ok {
			if !gt.Equal(want.(time.Time)) || gt.Location() != time.UTC {
				t.Errorf("%s = %v, want %v in UTC", what, got, want)
			}
			return
		}
		if got != want {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}

	// Trace 1: summer, UTC-4.
	check("t1 project", t1.Project, "travel-planner")
	check("t1 external id", t1.ExternalID, "agentneo:traces:1")
	check("t1 start", t1.StartTime, at("2024-07-15T13:00:00Z"))
	check("t1 end", *t1.EndTime, at("2024-07-15T13:00:05.5Z"))
	check("t1 agents", len(t1.Agents), 2)
	planner, summarizer := t1.Agents[0], t1.Agents[1]
	check("agent 1", planner.ExternalID+" "+planner.Name, "agentneo:agent_call:1 planner")
	check("agent 1 end", *planner.EndTime, at("2024-07-15T13:00:04Z"))
	check("agent 2 end", summarizer.EndTime == nil, true)
	check("agent 1 llm calls", len(planner.LLMCalls), 2)
	check("agent 1 tool calls", len(planner.ToolCalls), 1)
	check("agent 1 interactions", len(planner.Interactions), 2)
	check("agent 2 llm calls", len(summarizer.LLMCalls), 1)
	llm1 := planner.LLMCalls[0]
	check("llm 1", llm1.ExternalID, "agentneo:llm_call:1")
	check("llm 1 tokens", llm1.Tokens.Input*1e6+llm1.Tokens.Completion*1e3+llm1.Tokens.Reasoning, int64(451059000))
	check("llm 1 cost", *llm1.Cost, ingest.Cost{Input: 6.765e-05, Output: 3.54e-05})
	check("llm 1 memory", *llm1.MemoryUsed, int64(2048))
	check("llm 1 start", llm1.StartTime, at("2024-07-15T13:00:00.2Z"))
	llm2 := planner.LLMCalls[1]
	check("llm 2 tokens", llm2.Tokens, ingest.TokenUsage{Input: 1200, Completion: 300, Reasoning: 50})
	check("llm 2 cost", *llm2.Cost, ingest.Cost{Input: 0.003, Output: 0.003, Reasoning: 0.0005})
	check("llm 2 tool call", *llm2.ToolCall, `{"name": "search_flights", "arguments": "{\"to\": \"LIS\"}"}`)
	llm3 := summarizer.LLMCalls[0] // JSON encoded once
	check("llm 3 tokens", llm3.Tokens, ingest.TokenUsage{Input: 10, Completion: 5})
	check("llm 3 cost", *llm3.Cost, ingest.Cost{Input: 1.5e-06, Output: 3e-06})
	check("top-level llm calls", len(t1.LLMCalls), 1)
	check("llm 4", t1.LLMCalls[0].ExternalID+" "+t1.LLMCalls[0].AgentRef, "agentneo:llm_call:4 ")
	tool1 := planner.ToolCalls[0]
	check("tool 1 memory", *tool1.MemoryUsed, int64(-512))
	check("tool 1 network calls", len(tool1.NetworkCalls), 1)
	nc := tool1.NetworkCalls[0]
	check("network call", nc.Method+" "+nc.URL, "GET https://api.example.com/flights?to=LIS")
	check("network call status", *nc.StatusCode, 200)
	check("network call start", *nc.StartTime, at("2024-07-15T13:00:01.2Z"))
	check("network call header", nc.RequestHeaders["Accept"], "application/json")
	check("network call error", nc.Error == nil, true)
	check("top-level tool call", t1.ToolCalls[0].ExternalID, "agentneo:tool_call:2")
	check("tool 2 network calls", t1.ToolCalls[0].NetworkCalls == nil, true)
	check("interaction 1", planner.Interactions[0].Type+" "+*planner.Interactions[0].Content, "input I want to go to Lisbon")
	check("interaction 1 time", planner.Interactions[0].Timestamp, at("2024-07-15T13:00:00.05Z"))
	check("top-level interaction", t1.Interactions[0].ExternalID, "agentneo:user_interactions:3")
	check("t1 errors", len(t1.Errors), 3)
	e1, e2, e3 := t1.Errors[0], t1.Errors[1], t1.Errors[2]
	check("error 1", strings.Join([]string{e1.Type, e1.AgentRef, e1.LLMCallRef, e1.ToolCallRef}, "|"), "LLM|agentneo:agent_call:1|agentneo:llm_call:2|")
	check("error 2", strings.Join([]string{e2.Type, e2.AgentRef, e2.LLMCallRef, e2.ToolCallRef}, "|"), "Tool|agentneo:agent_call:1||agentneo:tool_call:1")
	check("error 3", strings.Join([]string{e3.Type, e3.AgentRef, e3.LLMCallRef, e3.ToolCallRef}, "|"), "Agent|agentneo:agent_call:2||")
	check("error 1 time", e1.Timestamp, at("2024-07-15T13:00:03.3Z"))
	si := t1.SystemInfo
	check("gpus", len(si.GPUs), 1)
	check("gpu", si.GPUs[0].Name, "NVIDIA A100-SXM4-40GB")
	check("gpu memory", *si.GPUs[0].Memory, 40960.0)
	check("disk", *si.Disk.Total+*si.Disk.Available, 640.5)
	check("memory", *si.MemoryTotal, 31.25)
	check("packages", si.InstalledPackages["openai"]+" "+si.InstalledPackages["agentneo"], "1.40.0 1.2.3")
	check("t1 metrics", len(t1.Metrics), 2)
	check("metric 1 detail", string(t1.Metrics[0].ResultDetail), `{"subgoals": 3, "scores": [0.8, 0.9]}`)
	check("metric 2 detail (double-encoded)", string(t1.Metrics[1].ResultDetail), `{"successes": 1, "calls": 2}`)
	check("metric 2 end", t1.Metrics[1].EndTime == nil, true)
	check("metric 1 time", t1.Metrics[0].Timestamp, at("2024-07-15T13:01:02Z"))

	// Trace 2: winter, UTC-5; no end, no GPU, no disk.
	check("t2 start", t2.StartTime, at("2024-01-11T04:30:00.25Z"))
	check("t2 end", t2.EndTime == nil, true)
	check("t2 system gpus", t2.SystemInfo.GPUs == nil && t2.SystemInfo.Disk == nil, true)
	check("t2 llm call", t2.LLMCalls[0].ExternalID, "agentneo:llm_call:5")
	check("t2 metric", t2.Metrics[0].ExternalID, "agentneo:metrics:3")

	// Trace 3: another project; the agent's list repeats an id.
	check("t3 project", t3.Project, "support-bot")
	check("t3 start", t3.StartTime, at("2024-11-05T19:15:16.123456Z"))
	check("t3 agent", len(t3.Agents[0].LLMCalls)*100+len(t3.Agents[0].ToolCalls)*10+len(t3.Agents[0].Interactions), 111)
	check("t3 gpus", len(t3.SystemInfo.GPUs), 2)
	check("error 4", t3.Errors[0].LLMCallRef+"|"+t3.Errors[0].AgentRef, "agentneo:llm_call:6|")
	check("error 5", t3.Errors[1].ToolCallRef+"|"+t3.Errors[1].AgentRef, "agentneo:tool_call:3|agentneo:agent_call:3")

	// Trace 4: an error without references, a metric without times.
	check("t4 error", t4.Errors[0].Type+"|"+t4.Errors[0].AgentRef, "Agent|")
	check("t4 metric time", t4.Metrics[0].Timestamp, at("2024-11-06T13:00:02Z"))
	check("t4 metric score", t4.Metrics[0].Score == nil && t4.Metrics[0].StartTime == nil, true)
}

func TestTimezoneAndSource(t *testing.T) {
	path := fixture(t)
	traces, _, _, _ := dryRun(t, path, Options{Location: time.UTC, Source: "laptop"})
	if got, want := traces[0].StartTime, time.Date(2024, 7, 15, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("start in UTC = %v, want %v", got, want)
	}
	if got := traces[0].Agents[0].LLMCalls[0].ExternalID; got != "agentneo:laptop:llm_call:1" {
		t.Errorf("external id with a source = %q", got)
	}
	if got := traces[0].Errors[0].LLMCallRef; got != "agentneo:laptop:llm_call:2" {
		t.Errorf("ref with a source = %q", got)
	}
}

// TestKeys checks the source derived from a file: the same for the file and
// its grown copies, different for another file, whatever the time zone.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	path := fixture(t)
	source, err := FileSource(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(source, "file-") || len(source) != len("file-")+16 {
		t.Errorf("derived source %q, want file- and 16 hex digits", source)
	}
	for _, loc := range []*time.Location{time.UTC, zone(t)} {
		traces, _, _, out := dryRun(t, path, Options{Location: loc})
		if got, want := traces[0].Agents[0].LLMCalls[0].ExternalID, "agentneo:"+source+":llm_call:1"; got != want {
			t.Errorf("external id without a source = %q, want %q", got, want)
		}
		if got, want := traces[0].Errors[0].LLMCallRef, "agentneo:"+source+":llm_call:2"; got != want {
			t.Errorf("ref without a source = %q, want %q", got, want)
		}
		if want := "keys: agentneo:" + source + ":<table>:<id> (derived from the file's first project and trace)"; !strings.Contains(out, want) {
			t.Errorf("progress does not say %q:\n%s", want, out)
		}
	}

	grown := filepath.Join(t.TempDir(), "grown.db")
	if err := agentneotest.Copy(path, grown); err != nil {
		t.Fatal(err)
	}
	if err := agentneotest.Exec(grown, agentneotest.Growth); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	if err := agentneotest.WriteOther(other); err != nil {
		t.Fatal(err)
	}
	// The same first project (name and start to the microsecond) with
	// another first trace.
	sameProject := fixture(t, `UPDATE traces SET start_time = '2024-07-15 09:00:00.000001' WHERE id = 1;`)
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := agentneotest.Exec(empty, agentneotest.Schema); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		same       bool
	}{
		{"grown copy", grown, true},
		{"another file", other, false},
		{"same first project, another first trace", sameProject, false},
		{"no rows", empty, false},
	} {
		got, err := FileSource(ctx, tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if (got == source) != tc.same {
			t.Errorf("%s: source %q, the fixture's %q; want them equal: %v", tc.name, got, source, tc.same)
		}
	}
}

// TestToleratesBrokenRows damages a copy of the fixture in every way the
// importer tolerates and checks that it says what it did.
func TestToleratesBrokenRows(t *testing.T) {
	path := fixture(t, `
		UPDATE agent_call SET llm_call_ids = '"[1, 99]"' WHERE id = 1;            -- disagrees with the children
		UPDATE agent_call SET tool_call_ids = 'oops' WHERE id = 3;               -- unreadable
		UPDATE llm_call SET token_usage = 'not json', cost = '"{}"' WHERE id = 4; -- priced from the table instead
		UPDATE llm_call SET agent_id = 3 WHERE id = 5;                           -- an agent of another trace
		UPDATE traces SET start_time = NULL WHERE id = 4;                        -- falls back to its earliest time
		UPDATE errors SET error_type = 'network' WHERE id = 4;                   -- inferred from the reference
		UPDATE errors SET tool_call_id = 2 WHERE id = 5;                         -- a tool call of another trace
		UPDATE system_info SET gpu_info = '{"name": "solo", "memory_total": "8192"}' WHERE id = 2;
		UPDATE system_info SET installed_packages = '["numpy==1.26.4", "pandas==2.2.2"]' WHERE id = 3;
		INSERT INTO user_interactions VALUES (5, 1, 1, NULL, 'system', 'hi', '2024-07-15 09:00:00.000000');
		INSERT INTO llm_call VALUES (7, 1, NULL, 'lost', NULL, '', '', NULL, '2024-07-15 09:00:00', NULL, NULL, '{}', '{}', 0, 42);
		INSERT INTO traces VALUES (5, 9, '2024-07-15 09:00:00', NULL, NULL);     -- unknown project
		INSERT INTO agent_call VALUES (4, 1, 'late', '2024-07-15 10:00:00', '2024-07-15 09:00:00', 1, NULL, NULL, NULL);
	`)
	traces, _, sum, out := dryRun(t, path, Options{Location: zone(t), LegacyKeys: true})
	for _, want := range []string{
		"agent_call 1: llm_call_ids lists [1 99] but the llm_call rows with agent_id 1 are [1 2]",
		"agent_call 3: unreadable tool_call_ids",
		"llm_call 4: unreadable token_usage",
		"llm_call 5: agent_call 3 is not in trace 2; imported outside any agent",
		"trace 4: no start_time; using its earliest recorded time",
		`errors 4: error_type "network" is not LLM, Tool or Agent; imported as LLM`,
		"errors 5: tool_call 2 is not in trace 3; reference dropped",
		`user_interactions 5: interaction_type "system" is neither input nor output; skipped`,
		"trace 5: project_info 9 not found; trace skipped",
		"llm_call: 1 rows without an existing trace skipped",
		"agent_call 4: end_time before start_time; end left empty",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	for table, want := range map[string]TableCount{
		TableTraces:       {Table: TableTraces, Read: 5, Imported: 4, Skipped: 1},
		TableLLMCalls:     {Table: TableLLMCalls, Read: 7, Imported: 6, Skipped: 1},
		TableInteractions: {Table: TableInteractions, Read: 5, Imported: 4, Skipped: 1},
		TableAgentCalls:   {Table: TableAgentCalls, Read: 4, Imported: 4},
	} {
		if got := sum.Count(table); got != want {
			t.Errorf("summary of %s = %+v, want %+v", table, got, want)
		}
	}
	t1, t2, t3, t4 := traces[0], traces[1], traces[2], traces[3]
	if c := t1.LLMCalls[0]; c.ExternalID != "agentneo:llm_call:4" || c.Cost != nil || c.Tokens != (ingest.TokenUsage{}) {
		t.Errorf("llm call 4 = %+v, want no tokens and no cost", c)
	}
	if len(t2.LLMCalls) != 1 || t2.LLMCalls[0].AgentRef != "" {
		t.Errorf("llm call 5 should stay in trace 2 outside agents: %+v", t2.LLMCalls)
	}
	if e := t3.Errors[0]; e.Type != "LLM" {
		t.Errorf("error 4 type = %q", e.Type)
	}
	if e := t3.Errors[1]; e.ToolCallRef != "" || e.AgentRef != "agentneo:agent_call:3" {
		t.Errorf("error 5 refs = %+v", e)
	}
	if want := time.Date(2024, 11, 6, 13, 0, 0, 500e6, time.UTC); !t4.StartTime.Equal(want) {
		t.Errorf("trace 4 start = %v, want its error's time %v", t4.StartTime, want)
	}
	if g := t2.SystemInfo.GPUs; len(g) != 1 || g[0].Name != "solo" || *g[0].Memory != 8192 {
		t.Errorf("single GPU object = %+v", g)
	}
	if p := t3.SystemInfo.InstalledPackages; p["numpy"] != "1.26.4" || p["pandas"] != "2.2.2" {
		t.Errorf("packages from a list = %v", p)
	}
	if a := t1.Agents[2]; a.Name != "late" || a.EndTime != nil {
		t.Errorf("agent 4 = %+v, want no end", a)
	}
}

// TestOlderAgentNeo reads a database of AgentNeo's first release (1.0):
// no user_interactions or metrics tables, no agent_id, model, tool_call,
// network_calls, gpu_info or disk_info columns, no id lists on agent_call
// but columns since dropped.
func TestOlderAgentNeo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	err := agentneotest.Exec(path, `
		CREATE TABLE project_info (id INTEGER NOT NULL, project_name VARCHAR NOT NULL, start_time DATETIME, end_time DATETIME,
			duration FLOAT, total_cost FLOAT, total_tokens INTEGER, PRIMARY KEY (id));
		CREATE TABLE traces (id INTEGER NOT NULL, project_id INTEGER NOT NULL, start_time DATETIME, end_time DATETIME,
			duration FLOAT, PRIMARY KEY (id));
		CREATE TABLE system_info (id INTEGER NOT NULL, project_id INTEGER NOT NULL, os_name VARCHAR NOT NULL, os_version VARCHAR NOT NULL,
			python_version VARCHAR NOT NULL, cpu_info VARCHAR NOT NULL, memory_total FLOAT NOT NULL, installed_packages VARCHAR NOT NULL,
			trace_id INTEGER NOT NULL, PRIMARY KEY (id));
		CREATE TABLE errors (id INTEGER NOT NULL, project_id INTEGER NOT NULL, error_type VARCHAR NOT NULL, error_message VARCHAR NOT NULL,
			timestamp DATETIME, trace_id INTEGER NOT NULL, PRIMARY KEY (id));
		CREATE TABLE llm_call (id INTEGER NOT NULL, project_id INTEGER NOT NULL, name VARCHAR NOT NULL, input_prompt VARCHAR NOT NULL,
			output VARCHAR NOT NULL, start_time DATETIME, end_time DATETIME, duration FLOAT, token_usage VARCHAR NOT NULL,
			cost VARCHAR NOT NULL, memory_used INTEGER NOT NULL, trace_id INTEGER NOT NULL, PRIMARY KEY (id));
		CREATE TABLE tool_call (id INTEGER NOT NULL, project_id INTEGER NOT NULL, name VARCHAR NOT NULL, input_parameters VARCHAR NOT NULL,
			output VARCHAR NOT NULL, start_time DATETIME, end_time DATETIME, duration FLOAT, memory_used INTEGER NOT NULL,
			trace_id INTEGER NOT NULL, PRIMARY KEY (id));
		CREATE TABLE agent_call (id INTEGER NOT NULL, project_id INTEGER NOT NULL, name VARCHAR NOT NULL, input_parameters VARCHAR NOT NULL,
			output VARCHAR NOT NULL, start_time DATETIME, end_time DATETIME, duration FLOAT, tool_calls VARCHAR NOT NULL,
			llm_calls VARCHAR NOT NULL, memory_used INTEGER NOT NULL, trace_id INTEGER NOT NULL, PRIMARY KEY (id));
		INSERT INTO project_info VALUES (1, 'old', '2024-01-01 10:00:00.000000', NULL, NULL, NULL, NULL);
		INSERT INTO traces VALUES (1, 1, '2024-01-01 10:00:00.000000', NULL, NULL);
		INSERT INTO llm_call VALUES (1, 1, 'ask', 'hi', 'hello', '2024-01-01 10:00:01.000000', NULL, NULL,
			'{"input": 3, "completion": 4, "reasoning": 0}', '{"input": 0.1, "output": 0.2, "reasoning": 0}', 0, 1);
		INSERT INTO agent_call VALUES (1, 1, 'agent', '{}', '', '2024-01-01 10:00:00.500000', NULL, NULL, '[]', '[1]', 0, 1);
		INSERT INTO errors VALUES (1, 1, 'llm', 'boom', '2024-01-01 10:00:02.000000', 1);
	`)
	if err != nil {
		t.Fatal(err)
	}
	traces, _, sum, out := dryRun(t, path, Options{Location: time.UTC})
	if strings.Contains(out, "warning") {
		t.Errorf("warnings on an older but sound database:\n%s", out)
	}
	if !strings.Contains(out, "table metrics not found") || !strings.Contains(out, "table llm_call has no column agent_id") {
		t.Errorf("progress does not say what is missing:\n%s", out)
	}
	if len(traces) != 1 || len(traces[0].LLMCalls) != 1 || traces[0].LLMCalls[0].Tokens.Completion != 4 || len(traces[0].Errors) != 1 {
		t.Errorf("traces = %+v", traces)
	}
	if c := sum.Count(TableMetrics); c.Read != 0 {
		t.Errorf("metrics = %+v", c)
	}
}

func storeCounts(t *testing.T, store *db.DB) map[string]int64 {
	t.Helper()
	counts := map[string]int64{}
	for _, table := range Tables {
		var n int64
		if err := store.Gorm().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// TestImportIsIdempotent imports into a real store on every backend, twice.
func TestImportIsIdempotent(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		// Trace 5 is out of the store's range: it is skipped, the others are not.
		path := fixture(t, `INSERT INTO traces VALUES (5, 2, '1960-01-01 00:00:00.000000', NULL, NULL);`)
		store := dbtest.MustOpen(t, b)
		svc := ingest.New(store, ingest.Options{})
		var out bytes.Buffer
		sum, err := Import(ctx, path, svc, &out, Options{Location: zone(t), BatchSize: 2})
		if err != nil {
			t.Fatalf("import: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "trace 5 skipped") {
			t.Errorf("no warning about the invalid trace:\n%s", out.String())
		}
		if c := sum.Count(TableTraces); c.Imported != 4 || c.Skipped != 1 {
			t.Errorf("traces %+v, want 4 imported and 1 skipped", c)
		}
		first := storeCounts(t, store)
		for table, n := range agentneotest.Counts {
			if first[table] != int64(n) {
				t.Errorf("%s: %d rows in the store, want %d", table, first[table], n)
			}
		}

		out.Reset()
		if _, err := Import(ctx, path, svc, &out, Options{Location: zone(t)}); err != nil {
			t.Fatalf("second import: %v\n%s", err, out.String())
		}
		if second := storeCounts(t, store); !mapsEqual(first, second) {
			t.Errorf("the second import changed the row counts: %v, then %v", first, second)
		}

		source, err := FileSource(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var trace db.Trace
		if err := store.Gorm().Where("external_id = ?", ExternalID(source, TableTraces, 3)).First(&trace).Error; err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2024, 11, 5, 19, 15, 16, 123456000, time.UTC); !trace.StartTime.Equal(want) {
			t.Errorf("trace 3 starts at %v, want %v", trace.StartTime, want)
		}
	})
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
