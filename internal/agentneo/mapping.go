package agentneo

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// children holds the rows of one batch of traces, grouped by trace id.
type children struct {
	systemInfo, agents, llmCalls, toolCalls, interactions, errors, metrics map[int64][]row
}

func groupByTrace(rows []row) map[int64][]row {
	m := map[int64][]row{}
	for _, r := range rows {
		if t := r.ref("trace_id"); t != nil {
			m[*t] = append(m[*t], r)
		}
	}
	return m
}

// project is a row of project_info.
type project struct {
	id   int64
	name string
}

// mapped is one AgentNeo trace turned into an ingest.Trace, with the number
// of rows of each table it carries.
type mapped struct {
	id        int64 // traces.id in AgentNeo
	projectID int64 // project_info.id in AgentNeo
	trace     ingest.Trace
	counts    map[string]int
}

// mapper turns AgentNeo rows into ingest traces.
type mapper struct {
	loc      *time.Location
	source   string
	projects map[int64]project
	columns  map[string]map[string]bool // the columns the database has, by table
	warn     func(kind, format string, args ...any)
}

func (m *mapper) ext(table string, id int64) string { return ExternalID(m.source, table, id) }

// time parses a datetime column, warning about unreadable values.
func (m *mapper) time(r row, col string) *time.Time {
	t, ok := parseTime(r.get(col), m.loc)
	if !ok {
		m.warn("time", "%s %d: unreadable %s %q; left empty", r.table, r.id(), col, text(r.get(col)))
	}
	return t
}

// span reads start_time and end_time, falling back to fallback for a
// missing start and dropping an end that lies before the start.
func (m *mapper) span(r row, fallback time.Time) (time.Time, *time.Time) {
	start := fallback
	if s := m.time(r, "start_time"); s != nil {
		start = *s
	} else {
		m.warn("time", "%s %d: no start_time; using the trace's start", r.table, r.id())
	}
	end := m.time(r, "end_time")
	if end != nil && end.Before(start) {
		m.warn("time", "%s %d: end_time before start_time; end left empty", r.table, r.id())
		end = nil
	}
	return start, end
}

// trace maps one trace row and its children. It returns false, after a
// warning, when the trace cannot be imported.
func (m *mapper) trace(tr row, c children) (mapped, bool) {
	id := tr.id()
	out := mapped{id: id, counts: map[string]int{}}
	var proj project
	if pid := tr.ref("project_id"); pid == nil {
		m.warn("orphan", "trace %d: no project_id; trace skipped", id)
		return out, false
	} else if p, ok := m.projects[*pid]; !ok {
		m.warn("orphan", "trace %d: project_info %d not found; trace skipped", id, *pid)
		return out, false
	} else {
		proj = p
		out.projectID = p.id
	}

	start := m.time(tr, "start_time")
	if start == nil {
		start = m.earliest(id, c)
		if start == nil {
			m.warn("time", "trace %d: no start_time and nothing recorded in it; trace skipped", id)
			return out, false
		}
		m.warn("time", "trace %d: no start_time; using its earliest recorded time", id)
	}
	end := m.time(tr, "end_time")
	if end != nil && end.Before(*start) {
		m.warn("time", "trace %d: end_time before start_time; end left empty", id)
		end = nil
	}
	t := ingest.Trace{Project: proj.name, ExternalID: m.ext(TableTraces, id), StartTime: *start, EndTime: end}
	out.counts[TableTraces] = 1

	checkProject := func(r row) {
		if p := r.ref("project_id"); p != nil && *p != proj.id {
			m.warn("project", "%s %d: project_id %d differs from its trace's project %d; imported into the trace's project",
				r.table, r.id(), *p, proj.id)
		}
	}

	// Agents first: the calls nest into them by their agent_id.
	agents := map[int64]int{} // agent_call.id -> index in t.Agents
	for _, r := range c.agents[id] {
		checkProject(r)
		s, e := m.span(r, *start)
		name := m.name(r, "name", "agent")
		agents[r.id()] = len(t.Agents)
		t.Agents = append(t.Agents, ingest.Agent{ExternalID: m.ext(TableAgentCalls, r.id()), Name: name, StartTime: s, EndTime: e})
		out.counts[TableAgentCalls]++
	}
	// agentOf returns the index of the agent a call belongs to, or -1 for
	// a call outside any agent of this trace.
	agentOf := func(r row) int {
		a := r.ref("agent_id")
		if a == nil {
			return -1
		}
		if i, ok := agents[*a]; ok {
			return i
		}
		m.warn("agent", "%s %d: agent_call %d is not in trace %d; imported outside any agent", r.table, r.id(), *a, id)
		return -1
	}
	childIDs := map[string]map[int64][]int64{ // table -> agent id -> child ids
		TableLLMCalls: {}, TableToolCalls: {}, TableInteractions: {},
	}
	note := func(table string, r row, agent int) {
		if agent >= 0 {
			aid := *r.ref("agent_id")
			childIDs[table][aid] = append(childIDs[table][aid], r.id())
		}
	}

	llmCalls := map[int64]bool{}
	for _, r := range c.llmCalls[id] {
		checkProject(r)
		call := m.llmCall(r, *start)
		llmCalls[r.id()] = true
		out.counts[TableLLMCalls]++
		a := agentOf(r)
		note(TableLLMCalls, r, a)
		if a >= 0 {
			t.Agents[a].LLMCalls = append(t.Agents[a].LLMCalls, call)
		} else {
			t.LLMCalls = append(t.LLMCalls, call)
		}
	}
	toolCalls := map[int64]bool{}
	for _, r := range c.toolCalls[id] {
		checkProject(r)
		call := m.toolCall(r, *start)
		toolCalls[r.id()] = true
		out.counts[TableToolCalls]++
		a := agentOf(r)
		note(TableToolCalls, r, a)
		if a >= 0 {
			t.Agents[a].ToolCalls = append(t.Agents[a].ToolCalls, call)
		} else {
			t.ToolCalls = append(t.ToolCalls, call)
		}
	}
	for _, r := range c.interactions[id] {
		checkProject(r)
		in, ok := m.interaction(r, *start)
		if !ok {
			continue
		}
		out.counts[TableInteractions]++
		a := agentOf(r)
		note(TableInteractions, r, a)
		if a >= 0 {
			t.Agents[a].Interactions = append(t.Agents[a].Interactions, in)
		} else {
			t.Interactions = append(t.Interactions, in)
		}
	}

	// The id lists on agent_call are redundant: the children's agent_id
	// is what is imported (the store rebuilds the lists from it). Say so
	// when the two disagree.
	for _, r := range c.agents[id] {
		for _, l := range []struct{ table, col string }{
			{TableLLMCalls, "llm_call_ids"}, {TableToolCalls, "tool_call_ids"}, {TableInteractions, "user_interaction_ids"},
		} {
			if !m.columns[TableAgentCalls][l.col] {
				continue // an older AgentNeo without the lists
			}
			listed, ok := idList(r.get(l.col))
			if !ok {
				m.warn("idlist", "agent_call %d: unreadable %s %q; using the %s rows' agent_id", r.id(), l.col, text(r.get(l.col)), l.table)
			}
			actual := childIDs[l.table][r.id()]
			if !sameIDs(listed, actual) && (ok || len(actual) > 0) {
				m.warn("idlist", "agent_call %d: %s lists %v but the %s rows with agent_id %d are %v; imported by agent_id",
					r.id(), l.col, listed, l.table, r.id(), actual)
			}
		}
	}

	for _, r := range c.errors[id] {
		checkProject(r)
		t.Errors = append(t.Errors, m.error(r, *start, agents, llmCalls, toolCalls, id))
		out.counts[TableErrors]++
	}
	for _, r := range c.metrics[id] {
		t.Metrics = append(t.Metrics, m.metric(r, *start))
		out.counts[TableMetrics]++
	}
	if infos := c.systemInfo[id]; len(infos) > 0 {
		last := infos[len(infos)-1]
		if len(infos) > 1 {
			m.warn("system", "trace %d: %d system_info rows; importing the last one (%d)", id, len(infos), last.id())
		}
		checkProject(last)
		t.SystemInfo = m.systemInfo(last)
		out.counts[TableSystemInfo] = 1
	}
	out.trace = t
	return out, true
}

// earliest returns the earliest time recorded inside trace id, for a trace
// without a start time.
func (m *mapper) earliest(id int64, c children) *time.Time {
	var first *time.Time
	consider := func(rows []row, cols ...string) {
		for _, r := range rows {
			for _, col := range cols {
				if t, _ := parseTime(r.get(col), m.loc); t != nil && (first == nil || t.Before(*first)) {
					first = t
				}
			}
		}
	}
	consider(c.agents[id], "start_time")
	consider(c.llmCalls[id], "start_time")
	consider(c.toolCalls[id], "start_time")
	consider(c.interactions[id], "timestamp")
	consider(c.errors[id], "timestamp")
	consider(c.metrics[id], "start_time", "timestamp")
	return first
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// maxNameBytes is the store's limit on names, models and other short fields.
const maxNameBytes = 1024

// clip shortens s to maxNameBytes, on a character boundary.
func clip(s string) string {
	if len(s) <= maxNameBytes {
		return s
	}
	cut := maxNameBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// name reads a required short text column: clipped to the store's limit,
// fallback when empty.
func (m *mapper) name(r row, col, fallback string) string {
	s := strings.TrimSpace(text(r.get(col)))
	if len(s) > maxNameBytes {
		m.warn("clip", "%s %d: %s longer than %d bytes; shortened", r.table, r.id(), col, maxNameBytes)
		s = clip(s)
	}
	if s == "" {
		return fallback
	}
	return s
}

// short reads an optional short text column, clipped to the store's limit.
func (m *mapper) short(r row, col string) *string {
	s := str(r.get(col))
	if s != nil && len(*s) > maxNameBytes {
		m.warn("clip", "%s %d: %s longer than %d bytes; shortened", r.table, r.id(), col, maxNameBytes)
		c := clip(*s)
		s = &c
	}
	return s
}

// endIf returns end when there is a start to measure it from.
func endIf(start, end *time.Time) *time.Time {
	if start == nil {
		return nil
	}
	return end
}
