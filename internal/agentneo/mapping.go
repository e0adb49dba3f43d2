package agentneo

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// ExternalID is the idempotency key an AgentNeo row is imported under:
// "agentneo:<source>:<table>:<id>", or "agentneo:<table>:<id>" for an empty
// source (the keys of imports made before sources were derived from the
// file). Importing the same row again updates what was imported the first
// time instead of adding a copy.
func ExternalID(source, table string, id int64) string {
	return key(source, table, strconv.FormatInt(id, 10))
}

func key(source, table, id string) string {
	if source == "" {
		return "agentneo:" + table + ":" + id
	}
	return "agentneo:" + source + ":" + table + ":" + id
}

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

func (m *mapper) llmCall(r row, traceStart time.Time) ingest.LLMCall {
	start, end := m.span(r, traceStart)
	call := ingest.LLMCall{
		ExternalID:  m.ext(TableLLMCalls, r.id()),
		Name:        m.name(r, "name", ""),
		Model:       m.short(r, "model"),
		InputPrompt: str(r.get("input_prompt")),
		Output:      str(r.get("output")),
		ToolCall:    str(r.get("tool_call")),
		StartTime:   start,
		EndTime:     end,
		MemoryUsed:  integer(r.get("memory_used")),
	}
	if call.Name == "" {
		call.Name = "llm_call"
		if call.Model != nil && *call.Model != "" {
			call.Name = *call.Model
		}
	}

	var usage map[string]any
	if present, ok := decodeInto(r.get("token_usage"), &usage); !ok {
		m.warn("json", "llm_call %d: unreadable token_usage %q; tokens left at 0", r.id(), text(r.get("token_usage")))
	} else if present {
		count := func(what string, keys ...string) int64 {
			f, ok := firstNumber(usage, keys...)
			if !ok {
				return 0
			}
			if f < 0 {
				m.warn("json", "llm_call %d: negative %s tokens %v; imported as 0", r.id(), what, f)
				return 0
			}
			return int64(f)
		}
		call.Tokens.Input = count("input", "input", "prompt", "input_tokens", "prompt_tokens")
		call.Tokens.Completion = count("completion", "completion", "output", "completion_tokens", "output_tokens")
		call.Tokens.Reasoning = count("reasoning", "reasoning", "reasoning_tokens")
		if _, ok := firstNumber(usage, "total", "total_tokens"); ok {
			total := count("total", "total", "total_tokens")
			call.Tokens.Total = &total
		}
	}

	// A recorded cost is kept as recorded; only a call without one is
	// priced from the model price table.
	var cost map[string]any
	if present, ok := decodeInto(r.get("cost"), &cost); !ok {
		m.warn("json", "llm_call %d: unreadable cost %q; computed from the price table", r.id(), text(r.get("cost")))
	} else if present {
		var c ingest.Cost
		var found bool
		if f, ok := firstNumber(cost, "input", "prompt", "input_cost", "prompt_cost"); ok {
			c.Input, found = f, true
		}
		if f, ok := firstNumber(cost, "output", "completion", "output_cost", "completion_cost"); ok {
			c.Output, found = f, true
		}
		if f, ok := firstNumber(cost, "reasoning", "reasoning_cost"); ok {
			c.Reasoning, found = f, true
		}
		if f, ok := firstNumber(cost, "total", "total_cost"); ok {
			c.Total, found = &f, true
		}
		if found {
			call.Cost = &c
		}
	}
	return call
}

func (m *mapper) toolCall(r row, traceStart time.Time) ingest.ToolCall {
	start, end := m.span(r, traceStart)
	call := ingest.ToolCall{
		ExternalID:      m.ext(TableToolCalls, r.id()),
		Name:            m.name(r, "name", "tool_call"),
		InputParameters: str(r.get("input_parameters")),
		Output:          str(r.get("output")),
		StartTime:       start,
		EndTime:         end,
		MemoryUsed:      integer(r.get("memory_used")),
	}
	var calls []any
	present, ok := decodeInto(r.get("network_calls"), &calls)
	if !ok {
		var one map[string]any
		if p, ok1 := decodeInto(r.get("network_calls"), &one); p && ok1 {
			calls, ok = []any{one}, true
		}
	}
	if !ok {
		m.warn("json", "tool_call %d: unreadable network_calls; left empty", r.id())
	} else if present {
		call.NetworkCalls = make([]db.NetworkCall, 0, len(calls))
		for _, c := range calls {
			obj, isObj := c.(map[string]any)
			if !isObj {
				continue
			}
			n := m.networkCall(obj)
			if strings.TrimSpace(n.URL) == "" {
				m.warn("json", "tool_call %d: a network call without url; left out", r.id())
				continue
			}
			call.NetworkCalls = append(call.NetworkCalls, n)
		}
	}
	return call
}

// networkCall maps one recorded HTTP call; its times are naive local time
// too (Python's datetime.isoformat of datetime.now()).
func (m *mapper) networkCall(o map[string]any) db.NetworkCall {
	n := db.NetworkCall{Method: jsonText(o["method"]), URL: jsonText(o["url"])}
	if f, ok := firstNumber(o, "status_code", "status"); ok {
		code := int(f)
		n.StatusCode = &code
	}
	if e := jsonText(o["error"]); e != "" {
		n.Error = &e
	}
	if t, _ := parseTime(o["start_time"], m.loc); t != nil {
		n.StartTime = t
	}
	if t, _ := parseTime(o["end_time"], m.loc); t != nil && (n.StartTime == nil || !t.Before(*n.StartTime)) {
		n.EndTime = t
	}
	if f, ok := firstNumber(o, "duration"); ok {
		n.Duration = &f
	}
	n.RequestHeaders = jsonHeaders(o["request_headers"])
	n.ResponseHeaders = jsonHeaders(o["response_headers"])
	if o["request_body"] != nil {
		b := jsonText(o["request_body"])
		n.RequestBody = &b
	}
	if o["response_body"] != nil {
		b := jsonText(o["response_body"])
		n.ResponseBody = &b
	}
	return n
}

// jsonText renders a decoded JSON value as text: strings as they are,
// anything else as JSON.
func jsonText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonHeaders(v any) map[string]string {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		out[k] = jsonText(val)
	}
	return out
}

// interaction maps a user_interactions row; one whose interaction_type is
// neither "input" nor "output" is skipped with a warning.
func (m *mapper) interaction(r row, traceStart time.Time) (ingest.Interaction, bool) {
	ts := m.time(r, "timestamp")
	if ts == nil {
		ts = &traceStart
	}
	typ := strings.ToLower(strings.TrimSpace(text(r.get("interaction_type"))))
	if typ != "input" && typ != "output" {
		m.warn("interaction", "user_interactions %d: interaction_type %q is neither input nor output; skipped", r.id(), typ)
		return ingest.Interaction{}, false
	}
	return ingest.Interaction{
		ExternalID: m.ext(TableInteractions, r.id()),
		Type:       typ,
		Content:    str(r.get("content")),
		Timestamp:  *ts,
	}, true
}

// error maps an errors row; its references to an agent, LLM call or tool
// call become external-id refs when the referenced row is in the same trace.
func (m *mapper) error(r row, traceStart time.Time, agents map[int64]int, llmCalls, toolCalls map[int64]bool, traceID int64) ingest.Error {
	ts := m.time(r, "timestamp")
	if ts == nil {
		ts = &traceStart
	}
	e := ingest.Error{
		ExternalID: m.ext(TableErrors, r.id()),
		Type:       normalizeErrorType(text(r.get("error_type"))),
		Message:    str(r.get("error_message")),
		Timestamp:  *ts,
	}
	if a := r.ref("agent_id"); a != nil {
		if _, ok := agents[*a]; ok {
			e.AgentRef = m.ext(TableAgentCalls, *a)
		} else {
			m.warn("ref", "errors %d: agent_call %d is not in trace %d; reference dropped", r.id(), *a, traceID)
		}
	}
	if l := r.ref("llm_call_id"); l != nil {
		if llmCalls[*l] {
			e.LLMCallRef = m.ext(TableLLMCalls, *l)
		} else {
			m.warn("ref", "errors %d: llm_call %d is not in trace %d; reference dropped", r.id(), *l, traceID)
		}
	}
	if t := r.ref("tool_call_id"); t != nil {
		if toolCalls[*t] {
			e.ToolCallRef = m.ext(TableToolCalls, *t)
		} else {
			m.warn("ref", "errors %d: tool_call %d is not in trace %d; reference dropped", r.id(), *t, traceID)
		}
	}
	if e.Type != "LLM" && e.Type != "Tool" && e.Type != "Agent" {
		// Say where it happened, most specific first.
		recorded := e.Type
		switch {
		case e.LLMCallRef != "":
			e.Type = "LLM"
		case e.ToolCallRef != "":
			e.Type = "Tool"
		default:
			e.Type = "Agent"
		}
		m.warn("ref", "errors %d: error_type %q is not LLM, Tool or Agent; imported as %s", r.id(), recorded, e.Type)
	}
	return e
}

func (m *mapper) metric(r row, traceStart time.Time) ingest.Metric {
	start := m.time(r, "start_time")
	end := m.time(r, "end_time")
	if start != nil && end != nil && end.Before(*start) {
		m.warn("time", "metrics %d: end_time before start_time; end left empty", r.id())
		end = nil
	}
	if start == nil && end != nil {
		m.warn("time", "metrics %d: end_time without start_time; used as its timestamp only", r.id())
	}
	ts := m.time(r, "timestamp")
	switch {
	case ts != nil:
	case end != nil:
		ts = end
	case start != nil:
		ts = start
	default:
		ts = &traceStart
	}
	name := m.name(r, "metric_name", "metric")
	return ingest.Metric{
		ExternalID:   m.ext(TableMetrics, r.id()),
		Name:         name,
		Score:        float(r.get("score")),
		Reason:       str(r.get("reason")),
		ResultDetail: m.document(r, "result_detail"),
		Config:       m.document(r, "config"),
		StartTime:    start,
		EndTime:      endIf(start, end),
		Timestamp:    *ts,
	}
}

// document reads a free-form JSON column; text that is not JSON is kept as a JSON string.
func (m *mapper) document(r row, col string) json.RawMessage {
	doc, ok := decodeJSON(r.get(col))
	if ok {
		return doc
	}
	m.warn("json", "%s %d: %s is not JSON; kept as a string", r.table, r.id(), col)
	b, _ := json.Marshal(text(r.get(col)))
	return b
}

func (m *mapper) systemInfo(r row) *ingest.SystemInfo {
	si := &ingest.SystemInfo{
		OsName:        m.short(r, "os_name"),
		OsVersion:     m.short(r, "os_version"),
		PythonVersion: m.short(r, "python_version"),
		CPUInfo:       m.short(r, "cpu_info"),
		MemoryTotal:   float(r.get("memory_total")),
	}

	var gpus []any
	present, ok := decodeInto(r.get("gpu_info"), &gpus)
	if !ok {
		var one map[string]any
		if p, ok1 := decodeInto(r.get("gpu_info"), &one); p && ok1 {
			gpus, ok = []any{one}, true
		}
	}
	switch {
	case !ok:
		m.warn("json", "system_info %d: unreadable gpu_info %q; left empty", r.id(), text(r.get("gpu_info")))
	case present:
		si.GPUs = make([]db.GPU, 0, len(gpus))
		for _, g := range gpus {
			obj, isObj := g.(map[string]any)
			if !isObj {
				continue
			}
			gpu := db.GPU{Name: clip(strings.TrimSpace(jsonText(obj["name"])))}
			if gpu.Name == "" {
				gpu.Name = "unknown"
			}
			if f, ok := firstNumber(obj, "memory_total", "memory", "memoryTotal"); ok {
				gpu.Memory = &f // MB, as GPUtil reports it
			}
			si.GPUs = append(si.GPUs, gpu)
		}
	}

	var disk map[string]any
	if present, ok := decodeInto(r.get("disk_info"), &disk); !ok {
		m.warn("json", "system_info %d: unreadable disk_info %q; left empty", r.id(), text(r.get("disk_info")))
	} else if present {
		d := &db.Disk{}
		if f, ok := firstNumber(disk, "total"); ok {
			d.Total = &f
		}
		if f, ok := firstNumber(disk, "available", "free"); ok {
			d.Available = &f
		}
		si.Disk = d
	}

	si.InstalledPackages = m.packages(r)
	return si
}

// packages reads installed_packages: a JSON object of name to version, or
// (tolerated) a list of "name==version" strings or {name, version} objects.
func (m *mapper) packages(r row) map[string]string {
	var doc any
	present, ok := decodeInto(r.get("installed_packages"), &doc)
	if !ok {
		m.warn("json", "system_info %d: unreadable installed_packages; left empty", r.id())
		return nil
	}
	if !present {
		return nil
	}
	out := map[string]string{}
	switch x := doc.(type) {
	case map[string]any:
		for name, v := range x {
			out[name] = jsonText(v)
		}
	case string:
		// pip freeze output: one "name==version" a line.
		for _, line := range strings.Split(x, "\n") {
			name, version, _ := strings.Cut(line, "==")
			out[name] = version
		}
	case []any:
		for _, item := range x {
			switch it := item.(type) {
			case string:
				name, version, _ := strings.Cut(it, "==")
				out[strings.TrimSpace(name)] = strings.TrimSpace(version)
			case map[string]any:
				out[jsonText(it["name"])] = jsonText(it["version"])
			}
		}
	default:
		m.warn("json", "system_info %d: installed_packages is not an object; left empty", r.id())
		return nil
	}
	clean := make(map[string]string, len(out))
	for name, version := range out {
		name = clip(strings.TrimSpace(name))
		if name != "" {
			clean[name] = clip(strings.TrimSpace(version))
		}
	}
	return clean
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
