package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Limits on names and keys; text fields are capped by Options.MaxTextBytes.
const (
	maxNameBytes = 1024
	maxKeyBytes  = 512
)

// checker validates one trace and remembers the first problem.
type checker struct {
	maxText int
	err     error
}

func (c *checker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = apperr.Invalid(path, format, args...)
	}
}

func (c *checker) required(path, v string) {
	if strings.TrimSpace(v) == "" {
		c.fail(path, "is required")
	}
}

func (c *checker) size(path string, v string, limit int) {
	if len(v) > limit {
		c.fail(path, "is %d bytes, more than the limit of %d", len(v), limit)
	} else if err := db.CheckText(path, v); err != nil && c.err == nil {
		c.err = err
	}
}

func (c *checker) name(path, v string) {
	c.required(path, v)
	c.size(path, v, maxNameBytes)
}

func (c *checker) text(path string, v *string) {
	if v != nil {
		c.size(path, *v, c.maxText)
	}
}

func (c *checker) key(path, v string) {
	c.size(path, v, maxKeyBytes)
}

// span checks a start time and an optional end that must not precede it.
func (c *checker) span(path string, start time.Time, end *time.Time) {
	c.instant(path+".startTime", start)
	if end != nil {
		c.instant(path+".endTime", *end)
		if end.Before(start) {
			c.fail(path+".endTime", "is before startTime")
		}
	}
}

func (c *checker) instant(path string, t time.Time) {
	if t.IsZero() {
		c.fail(path, "is required")
	} else if t.Before(MinTime) || t.After(MaxTime) {
		c.fail(path, "is out of range: %s is not between %s and %s", t.Format(time.RFC3339), MinTime.Format(time.RFC3339), MaxTime.Format(time.RFC3339))
	}
}

func (c *checker) tokens(path string, v int64) { c.intIn(path, v, 0, MaxTokens) }

func (c *checker) cost(path string, v float64) { c.floatIn(path, v, 0, MaxCost) }

func (c *checker) memory(path string, v *int64) {
	if v != nil {
		c.intIn(path, *v, -MaxMemoryBytes, MaxMemoryBytes)
	}
}

func (c *checker) machineSize(path string, v *float64) {
	if v != nil {
		c.floatIn(path, *v, 0, MaxMachineSize)
	}
}

func (c *checker) document(path string, v json.RawMessage) {
	if v == nil {
		return
	}
	if len(v) > c.maxText {
		c.fail(path, "is %d bytes, more than the limit of %d", len(v), c.maxText)
	} else if !json.Valid(v) {
		c.fail(path, "is not valid JSON")
	} else if err := db.CheckJSONText(path, v); err != nil && c.err == nil {
		c.err = err
	}
}

// unique checks that external ids of one kind do not repeat within a trace.
type unique map[string]string

func (u unique) check(c *checker, path, key string) {
	if key == "" {
		return
	}
	c.key(path, key)
	if first, ok := u[key]; ok {
		c.fail(path, "repeats the externalId %q of %s", key, first)
	}
	u[key] = path
}

// ValidateTrace checks one trace, path naming it in errors (as in
// "input[3]"), and normalizes it in place: names trimmed, error and
// interaction types in their canonical spelling. It returns an
// INVALID_ARGUMENT *apperr.Error naming the first bad field.
func (s *Service) ValidateTrace(t *Trace, path string) error {
	c := &checker{maxText: s.limits.MaxTextBytes}
	t.Project = strings.TrimSpace(t.Project)
	c.name(path+".project", t.Project)
	c.key(path+".externalId", t.ExternalID)
	c.span(path, t.StartTime, t.EndTime)

	seen := map[string]unique{"agent": {}, "llm": {}, "tool": {}, "interaction": {}, "error": {}, "metric": {}}
	if si := t.SystemInfo; si != nil {
		p := path + ".systemInfo"
		for field, v := range map[string]*string{"osName": si.OsName, "osVersion": si.OsVersion, "pythonVersion": si.PythonVersion, "cpuInfo": si.CPUInfo} {
			if v != nil {
				c.size(p+"."+field, *v, maxNameBytes)
			}
		}
		c.machineSize(p+".memoryTotal", si.MemoryTotal)
		for i, g := range si.GPUs {
			c.name(fmt.Sprintf("%s.gpuInfo[%d].name", p, i), g.Name)
			c.machineSize(fmt.Sprintf("%s.gpuInfo[%d].memoryTotal", p, i), g.Memory)
		}
		if d := si.Disk; d != nil {
			c.machineSize(p+".diskInfo.total", d.Total)
			c.machineSize(p+".diskInfo.available", d.Available)
		}
		for name, version := range si.InstalledPackages {
			c.name(p+".installedPackages.name", name)
			c.size(p+".installedPackages."+name, version, maxNameBytes)
		}
	}
	for i := range t.Agents {
		a := &t.Agents[i]
		p := fmt.Sprintf("%s.agentCalls[%d]", path, i)
		seen["agent"].check(c, p+".externalId", a.ExternalID)
		a.Name = strings.TrimSpace(a.Name)
		c.name(p+".name", a.Name)
		c.span(p, a.StartTime, a.EndTime)
		s.checkCalls(c, p, seen, a.LLMCalls, a.ToolCalls, a.Interactions, false)
	}
	s.checkCalls(c, path, seen, t.LLMCalls, t.ToolCalls, t.Interactions, true)
	for i := range t.Errors {
		e := &t.Errors[i]
		p := fmt.Sprintf("%s.errors[%d]", path, i)
		seen["error"].check(c, p+".externalId", e.ExternalID)
		switch strings.ToLower(strings.TrimSpace(e.Type)) {
		case "llm":
			e.Type = "LLM"
		case "tool":
			e.Type = "Tool"
		case "agent":
			e.Type = "Agent"
		case "":
			c.fail(p+".errorType", "is required")
		default:
			c.fail(p+".errorType", "must be LLM, Tool or Agent, got %q", e.Type)
		}
		c.text(p+".errorMessage", e.Message)
		c.instant(p+".timestamp", e.Timestamp)
		c.key(p+".agentCallExternalId", e.AgentRef)
		c.key(p+".llmCallExternalId", e.LLMCallRef)
		c.key(p+".toolCallExternalId", e.ToolCallRef)
	}
	for i := range t.Metrics {
		m := &t.Metrics[i]
		p := fmt.Sprintf("%s.metrics[%d]", path, i)
		seen["metric"].check(c, p+".externalId", m.ExternalID)
		m.Name = strings.TrimSpace(m.Name)
		c.name(p+".metricName", m.Name)
		if m.Score != nil {
			c.floatIn(p+".score", *m.Score, -MaxScore, MaxScore)
		}
		c.text(p+".reason", m.Reason)
		c.document(p+".resultDetail", m.ResultDetail)
		c.document(p+".config", m.Config)
		c.instant(p+".timestamp", m.Timestamp)
		if m.StartTime != nil {
			c.span(p, *m.StartTime, m.EndTime)
		} else if m.EndTime != nil {
			c.fail(p+".startTime", "is required when endTime is given")
		}
	}
	return c.err
}

// checkCalls validates the calls and interactions of an agent or of the top level.
func (s *Service) checkCalls(c *checker, path string, seen map[string]unique, llm []LLMCall, tools []ToolCall, inters []Interaction, topLevel bool) {
	for i := range llm {
		l := &llm[i]
		p := fmt.Sprintf("%s.llmCalls[%d]", path, i)
		seen["llm"].check(c, p+".externalId", l.ExternalID)
		c.agentRef(p, l.AgentRef, topLevel)
		l.Name = strings.TrimSpace(l.Name)
		c.name(p+".name", l.Name)
		if l.Model != nil {
			c.size(p+".model", *l.Model, maxNameBytes)
		}
		c.text(p+".inputPrompt", l.InputPrompt)
		c.text(p+".output", l.Output)
		c.text(p+".toolCall", l.ToolCall)
		c.span(p, l.StartTime, l.EndTime)
		c.tokens(p+".tokenUsage.input", l.Tokens.Input)
		c.tokens(p+".tokenUsage.completion", l.Tokens.Completion)
		c.tokens(p+".tokenUsage.reasoning", l.Tokens.Reasoning)
		if l.Tokens.Total != nil {
			c.tokens(p+".tokenUsage.total", *l.Tokens.Total)
		}
		if l.Cost != nil {
			c.cost(p+".cost.input", l.Cost.Input)
			c.cost(p+".cost.output", l.Cost.Output)
			c.cost(p+".cost.reasoning", l.Cost.Reasoning)
			if l.Cost.Total != nil {
				c.cost(p+".cost.total", *l.Cost.Total)
			}
		}
		c.memory(p+".memoryUsed", l.MemoryUsed)
	}
	for i := range tools {
		tc := &tools[i]
		p := fmt.Sprintf("%s.toolCalls[%d]", path, i)
		seen["tool"].check(c, p+".externalId", tc.ExternalID)
		c.agentRef(p, tc.AgentRef, topLevel)
		tc.Name = strings.TrimSpace(tc.Name)
		c.name(p+".name", tc.Name)
		c.text(p+".inputParameters", tc.InputParameters)
		c.text(p+".output", tc.Output)
		c.span(p, tc.StartTime, tc.EndTime)
		c.memory(p+".memoryUsed", tc.MemoryUsed)
		for j, n := range tc.NetworkCalls {
			np := fmt.Sprintf("%s.networkCalls[%d]", p, j)
			c.required(np+".url", n.URL)
			c.size(np+".url", n.URL, c.maxText)
			c.size(np+".method", n.Method, maxNameBytes)
			if n.StatusCode != nil {
				c.intIn(np+".statusCode", int64(*n.StatusCode), MinStatusCode, MaxStatusCode)
			}
			c.text(np+".error", n.Error)
			c.headers(np+".requestHeaders", n.RequestHeaders)
			c.headers(np+".responseHeaders", n.ResponseHeaders)
			c.text(np+".requestBody", n.RequestBody)
			c.text(np+".responseBody", n.ResponseBody)
			if n.StartTime != nil {
				c.span(np, *n.StartTime, n.EndTime)
			}
		}
	}
	for i := range inters {
		in := &inters[i]
		p := fmt.Sprintf("%s.userInteractions[%d]", path, i)
		seen["interaction"].check(c, p+".externalId", in.ExternalID)
		c.agentRef(p, in.AgentRef, topLevel)
		switch strings.ToLower(strings.TrimSpace(in.Type)) {
		case "input":
			in.Type = "input"
		case "output":
			in.Type = "output"
		case "":
			c.fail(p+".interactionType", "is required")
		default:
			c.fail(p+".interactionType", "must be input or output, got %q", in.Type)
		}
		c.text(p+".content", in.Content)
		c.instant(p+".timestamp", in.Timestamp)
	}
}

// headers checks the names and values of HTTP headers; path names the list
// (a header's position is not kept).
func (c *checker) headers(path string, h map[string]string) {
	for name, value := range h {
		c.size(path, name, maxNameBytes)
		c.size(path, value, c.maxText)
	}
}

// agentRef allows a reference to an agent only outside any agent.
func (c *checker) agentRef(path, ref string, topLevel bool) {
	if ref == "" {
		return
	}
	if !topLevel {
		c.fail(path+".agentCallExternalId", "is only for calls outside agentCalls")
	}
	c.key(path+".agentCallExternalId", ref)
}

// ProjectName validates and trims a project name given in field.
func ProjectName(field, name string) (string, error) {
	c := &checker{}
	name = strings.TrimSpace(name)
	c.name(field, name)
	return name, c.err
}
