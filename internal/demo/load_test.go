package demo_test

import (
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
