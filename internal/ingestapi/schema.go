package ingestapi

import (
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// The body's types, as the input types of schema.graphqls name their
// fields, read straight into ingest's types. Each type lists its fields in
// the schema's order, which is also the order the GraphQL mutation's
// conversion checks them in (so decoder.require can rank missing values);
// required ones are checked once their object is read.

// freeKeys are the fields whose values are free-form JSON.
var freeKeys = map[string]bool{"resultDetail": true, "config": true}

// required records a missing value for each of the required fields
// (indexes into fields, in order) not seen.
func (d *decoder) required(fields []string, seen *has, required ...int) {
	for _, f := range required {
		if !seen[f] {
			d.enter(step{key: fields[f], order: f})
			d.require("is required")
			d.leave()
		}
	}
}

// has is the presence of required fields, by their index.
type has [12]bool

// add appends a zero element to *list and returns it. Lists grow by
// doubling, so that a list costs at most about twice its elements (append
// grows large slices by a quarter, which costs five times them in all).
func add[T any](list *[]T) *T {
	if len(*list) == cap(*list) {
		grown := make([]T, len(*list), max(2*cap(*list), 4))
		copy(grown, *list)
		*list = grown
	}
	*list = (*list)[:len(*list)+1]
	return &(*list)[len(*list)-1]
}

var traceFields = []string{"project", "externalId", "startTime", "endTime", "systemInfo", "agentCalls",
	"llmCalls", "toolCalls", "userInteractions", "errors", "metrics"}

// body reads {"traces": [...]}; traces is nil when the body has none.
func (d *decoder) body() (traces []ingest.Trace, ok bool) {
	if d.null() {
		return nil, false
	}
	d.object([]string{"traces"}, func(int) {
		traces = nil
		ok = d.list(func(int) {
			d.trace(add(&traces))
		})
	})
	if ok && traces == nil {
		traces = []ingest.Trace{}
	}
	return traces, ok
}

func (d *decoder) trace(t *ingest.Trace) {
	var h has
	if !d.object(traceFields, func(f int) {
		switch f {
		case 0:
			h[f] = d.text(&t.Project)
		case 1:
			t.ExternalID = ""
			d.text(&t.ExternalID)
		case 2:
			h[f] = d.dateTime(&t.StartTime)
		case 3:
			d.optDateTime(&t.EndTime)
		case 4:
			d.systemInfo(&t.SystemInfo)
		case 5:
			t.Agents = nil
			d.list(func(int) {
				d.agent(add(&t.Agents))
			})
		case 6:
			t.LLMCalls = d.llmCalls()
		case 7:
			t.ToolCalls = d.toolCalls()
		case 8:
			t.Interactions = d.interactions()
		case 9:
			t.Errors = nil
			d.list(func(int) {
				d.traceError(add(&t.Errors))
			})
		case 10:
			t.Metrics = nil
			d.list(func(int) {
				d.metric(add(&t.Metrics))
			})
		}
	}) {
		return
	}
	d.required(traceFields, &h, 0, 2)
}

var agentFields = []string{"externalId", "name", "startTime", "endTime", "llmCalls", "toolCalls", "userInteractions"}

func (d *decoder) agent(a *ingest.Agent) {
	var h has
	if !d.object(agentFields, func(f int) {
		switch f {
		case 0:
			a.ExternalID = ""
			d.text(&a.ExternalID)
		case 1:
			h[f] = d.text(&a.Name)
		case 2:
			h[f] = d.dateTime(&a.StartTime)
		case 3:
			d.optDateTime(&a.EndTime)
		case 4:
			a.LLMCalls = d.llmCalls()
		case 5:
			a.ToolCalls = d.toolCalls()
		case 6:
			a.Interactions = d.interactions()
		}
	}) {
		return
	}
	d.required(agentFields, &h, 1, 2)
}

var llmCallFields = []string{"externalId", "agentCallExternalId", "name", "model", "inputPrompt", "output",
	"toolCall", "startTime", "endTime", "tokenUsage", "cost", "memoryUsed"}

func (d *decoder) llmCalls() []ingest.LLMCall {
	var out []ingest.LLMCall
	d.list(func(int) {
		d.llmCall(add(&out))
	})
	return out
}

func (d *decoder) llmCall(c *ingest.LLMCall) {
	var h has
	if !d.object(llmCallFields, func(f int) {
		switch f {
		case 0:
			c.ExternalID = ""
			d.text(&c.ExternalID)
		case 1:
			c.AgentRef = ""
			d.text(&c.AgentRef)
		case 2:
			h[f] = d.text(&c.Name)
		case 3:
			d.optText(&c.Model)
		case 4:
			d.optText(&c.InputPrompt)
		case 5:
			d.optText(&c.Output)
		case 6:
			d.optText(&c.ToolCall)
		case 7:
			h[f] = d.dateTime(&c.StartTime)
		case 8:
			d.optDateTime(&c.EndTime)
		case 9:
			d.tokenUsage(&c.Tokens)
		case 10:
			d.cost(&c.Cost)
		case 11:
			d.bigInt(&c.MemoryUsed)
		}
	}) {
		return
	}
	d.required(llmCallFields, &h, 2, 7)
}

var countFields = []string{"input", "completion", "reasoning", "total"}

// tokenUsage reads counts of tokens; null, or any one null, counts none.
func (d *decoder) tokenUsage(u *ingest.TokenUsage) {
	if d.null() {
		*u = ingest.TokenUsage{}
		return
	}
	d.object(countFields, func(f int) {
		var n *int64
		d.integer(&n)
		if f == 3 {
			u.Total = n
			return
		}
		v := int64(0)
		if n != nil {
			v = *n
		}
		switch f {
		case 0:
			u.Input = v
		case 1:
			u.Completion = v
		case 2:
			u.Reasoning = v
		}
	})
}

var costFields = []string{"input", "output", "reasoning", "total"}

func (d *decoder) cost(dst **ingest.Cost) {
	if d.null() {
		*dst = nil
		return
	}
	c := *dst
	if c == nil {
		c = &ingest.Cost{}
	}
	if d.object(costFields, func(f int) {
		var x *float64
		d.float(&x)
		if f == 3 {
			c.Total = x
			return
		}
		v := 0.0
		if x != nil {
			v = *x
		}
		switch f {
		case 0:
			c.Input = v
		case 1:
			c.Output = v
		case 2:
			c.Reasoning = v
		}
	}) {
		*dst = c
	}
}

var toolCallFields = []string{"externalId", "agentCallExternalId", "name", "inputParameters", "output",
	"startTime", "endTime", "memoryUsed", "networkCalls"}

func (d *decoder) toolCalls() []ingest.ToolCall {
	var out []ingest.ToolCall
	d.list(func(int) {
		d.toolCall(add(&out))
	})
	return out
}

func (d *decoder) toolCall(c *ingest.ToolCall) {
	var h has
	if !d.object(toolCallFields, func(f int) {
		switch f {
		case 0:
			c.ExternalID = ""
			d.text(&c.ExternalID)
		case 1:
			c.AgentRef = ""
			d.text(&c.AgentRef)
		case 2:
			h[f] = d.text(&c.Name)
		case 3:
			d.optText(&c.InputParameters)
		case 4:
			d.optText(&c.Output)
		case 5:
			h[f] = d.dateTime(&c.StartTime)
		case 6:
			d.optDateTime(&c.EndTime)
		case 7:
			d.bigInt(&c.MemoryUsed)
		case 8:
			c.NetworkCalls = nil
			d.list(func(int) {
				d.networkCall(add(&c.NetworkCalls))
			})
		}
	}) {
		return
	}
	d.required(toolCallFields, &h, 2, 5)
}

var networkCallFields = []string{"method", "url", "statusCode", "error", "startTime", "endTime",
	"requestHeaders", "requestBody", "responseHeaders", "responseBody"}

func (d *decoder) networkCall(n *db.NetworkCall) {
	var h has
	if !d.object(networkCallFields, func(f int) {
		switch f {
		case 0:
			n.Method = ""
			d.text(&n.Method)
		case 1:
			h[f] = d.text(&n.URL)
		case 2:
			var code *int64
			d.integer(&code)
			n.StatusCode = nil
			if code != nil {
				c := int(*code)
				n.StatusCode = &c
			}
		case 3:
			d.optText(&n.Error)
		case 4:
			d.optDateTime(&n.StartTime)
		case 5:
			d.optDateTime(&n.EndTime)
		case 6:
			n.RequestHeaders = d.pairs(headerFields, false)
		case 7:
			d.optText(&n.RequestBody)
		case 8:
			n.ResponseHeaders = d.pairs(headerFields, false)
		case 9:
			d.optText(&n.ResponseBody)
		}
	}) {
		return
	}
	n.Duration = nil
	if n.StartTime != nil {
		n.Duration = db.SecondsBetween(*n.StartTime, n.EndTime)
	}
	d.required(networkCallFields, &h, 1)
}

var (
	headerFields  = []string{"name", "value"}
	packageFields = []string{"name", "version"}
)

// pairs reads a list of objects of two required strings (a header's name
// and value, a package's) into a map, the last of a name winning. An empty
// list is nil, unless keepEmpty.
func (d *decoder) pairs(fields []string, keepEmpty bool) map[string]string {
	var out map[string]string
	listed := d.list(func(int) {
		var h has
		var kv [2]string
		if !d.object(fields, func(f int) { h[f] = d.text(&kv[f]) }) {
			return
		}
		d.required(fields, &h, 0, 1)
		if out == nil {
			out = map[string]string{}
		}
		out[kv[0]] = kv[1]
	})
	if listed && keepEmpty && out == nil {
		out = map[string]string{}
	}
	return out
}

var interactionFields = []string{"externalId", "agentCallExternalId", "interactionType", "content", "timestamp"}

func (d *decoder) interactions() []ingest.Interaction {
	var out []ingest.Interaction
	d.list(func(int) {
		d.interaction(add(&out))
	})
	return out
}

func (d *decoder) interaction(u *ingest.Interaction) {
	var h has
	if !d.object(interactionFields, func(f int) {
		switch f {
		case 0:
			u.ExternalID = ""
			d.text(&u.ExternalID)
		case 1:
			u.AgentRef = ""
			d.text(&u.AgentRef)
		case 2:
			h[f] = d.text(&u.Type)
		case 3:
			d.optText(&u.Content)
		case 4:
			h[f] = d.dateTime(&u.Timestamp)
		}
	}) {
		return
	}
	d.required(interactionFields, &h, 2, 4)
}

var errorFields = []string{"externalId", "errorType", "errorMessage", "timestamp",
	"agentCallExternalId", "llmCallExternalId", "toolCallExternalId"}

func (d *decoder) traceError(e *ingest.Error) {
	var h has
	if !d.object(errorFields, func(f int) {
		switch f {
		case 0:
			e.ExternalID = ""
			d.text(&e.ExternalID)
		case 1:
			h[f] = d.text(&e.Type)
		case 2:
			d.optText(&e.Message)
		case 3:
			h[f] = d.dateTime(&e.Timestamp)
		case 4:
			e.AgentRef = ""
			d.text(&e.AgentRef)
		case 5:
			e.LLMCallRef = ""
			d.text(&e.LLMCallRef)
		case 6:
			e.ToolCallRef = ""
			d.text(&e.ToolCallRef)
		}
	}) {
		return
	}
	d.required(errorFields, &h, 1, 3)
}

var metricFields = []string{"externalId", "metricName", "score", "reason", "resultDetail", "config",
	"startTime", "endTime", "timestamp"}

func (d *decoder) metric(m *ingest.Metric) {
	var h has
	if !d.object(metricFields, func(f int) {
		switch f {
		case 0:
			m.ExternalID = ""
			d.text(&m.ExternalID)
		case 1:
			h[f] = d.text(&m.Name)
		case 2:
			d.float(&m.Score)
		case 3:
			d.optText(&m.Reason)
		case 4:
			d.freeJSON(&m.ResultDetail)
		case 5:
			d.freeJSON(&m.Config)
		case 6:
			d.optDateTime(&m.StartTime)
		case 7:
			d.optDateTime(&m.EndTime)
		case 8:
			h[f] = d.dateTime(&m.Timestamp)
		}
	}) {
		return
	}
	d.required(metricFields, &h, 1, 8)
}

var systemInfoFields = []string{"osName", "osVersion", "pythonVersion", "cpuInfo", "gpuInfo", "diskInfo",
	"memoryTotal", "installedPackages"}

func (d *decoder) systemInfo(dst **ingest.SystemInfo) {
	if d.null() {
		*dst = nil
		return
	}
	s := *dst
	if s == nil {
		s = &ingest.SystemInfo{}
	}
	if !d.object(systemInfoFields, func(f int) {
		switch f {
		case 0:
			d.optText(&s.OsName)
		case 1:
			d.optText(&s.OsVersion)
		case 2:
			d.optText(&s.PythonVersion)
		case 3:
			d.optText(&s.CPUInfo)
		case 4:
			s.GPUs = nil
			d.list(func(int) {
				d.gpu(add(&s.GPUs))
			})
		case 5:
			d.disk(&s.Disk)
		case 6:
			d.float(&s.MemoryTotal)
		case 7:
			// Even an empty list: the machine has no packages.
			s.InstalledPackages = d.pairs(packageFields, true)
		}
	}) {
		return
	}
	*dst = s
}

var gpuFields = []string{"name", "memoryTotal"}

func (d *decoder) gpu(g *db.GPU) {
	var h has
	if !d.object(gpuFields, func(f int) {
		if f == 0 {
			h[f] = d.text(&g.Name)
		} else {
			d.float(&g.Memory)
		}
	}) {
		return
	}
	d.required(gpuFields, &h, 0)
}

var diskFields = []string{"total", "available"}

func (d *decoder) disk(dst **db.Disk) {
	if d.null() {
		*dst = nil
		return
	}
	disk := *dst
	if disk == nil {
		disk = &db.Disk{}
	}
	if d.object(diskFields, func(f int) {
		if f == 0 {
			d.float(&disk.Total)
		} else {
			d.float(&disk.Available)
		}
	}) {
		*dst = disk
	}
}
