package bench

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
)

// The read workloads' GraphQL queries. Each takes $n, its main page size,
// so that a probe can show that the number of SQL statements a request
// costs does not depend on it.
const (
	// (a) the project list: projects with their first 20 traces.
	queryProjects = `query A($n: Int) {
  projects(first: 10) {
    nodes {
      id projectName startTime endTime duration totalCost totalTokens
      traces(first: $n) { nodes { id startTime endTime duration } }
    }
  }
}`

	// (b) a project's page: its 50 newest traces with all their calls,
	// errors and metrics (no prompt or output texts).
	queryProjectTraces = `query B($project: String!, $n: Int) {
  projectByName(name: $project) {
    id projectName
    traces(first: $n) {
      nodes {
        id startTime endTime duration
        agentCalls(first: 100) { nodes { id name startTime endTime } }
        llmCalls(first: 100) { nodes { id name model startTime endTime duration tokenUsage { input completion total } cost { total } } }
        toolCalls(first: 100) { nodes { id name startTime endTime duration } }
        errors(first: 100) { nodes { id errorType errorMessage timestamp } }
        metrics(first: 100) { nodes { id metricName score timestamp } }
      }
    }
  }
}`

	// (c) one trace with everything in it, full texts included.
	queryTrace = `query C($id: ID!, $n: Int) {
  trace(id: $id) {
    id externalId startTime endTime duration
    project { id projectName }
    systemInfo {
      id osName osVersion pythonVersion cpuInfo memoryTotal
      gpuInfo { name memoryTotal } diskInfo { total available } installedPackages { name version }
    }
    agentCalls(first: $n) { nodes { id externalId name startTime endTime llmCallIds toolCallIds userInteractionIds } }
    llmCalls(first: $n) {
      nodes {
        id externalId name model inputPrompt output toolCall startTime endTime duration memoryUsed
        tokenUsage { input completion reasoning total } cost { input output reasoning total }
      }
    }
    toolCalls(first: $n) {
      nodes {
        id externalId name inputParameters output startTime endTime duration memoryUsed
        networkCalls {
          method url statusCode error startTime endTime duration
          requestHeaders { name value } requestBody responseHeaders { name value } responseBody
        }
      }
    }
    userInteractions(first: $n) { nodes { id externalId interactionType content timestamp } }
    errors(first: $n) { nodes { id externalId errorType errorMessage timestamp } }
    metrics(first: $n) { nodes { id externalId metricName score reason resultDetail config startTime endTime duration timestamp } }
  }
}`

	// analyticsQuery is workload (d), the analytics query over a day:
	// Query.analytics of one project's LLM calls over its newest day, by
	// model and hour, with counts, tokens, cost and latency quantiles.
	// Every request carries the variables $project (name), $projectId
	// (global id), $from and $to (the project's newest day) and $n (its
	// number of traces); the query uses those it declares. Its bound is
	// boundServer.analytics: change both together.
	analyticsQuery = `query D($projectId: ID!, $from: DateTime, $to: DateTime) {
  analytics(projectId: $projectId, source: LLM_CALLS, timeRange: {from: $from, to: $to}, groupBy: [MODEL], bin: HOUR) {
    bucket model count tokens { input completion total } cost { total } value { avg p50 p99 }
  }
}`
)

// vars are the variables of every read workload; the bound handlers read
// the same request bodies as the API. Variables a query does not declare
// are ignored by GraphQL.
type vars struct {
	Project   string     `json:"project,omitempty"`
	ProjectID string     `json:"projectId,omitempty"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	ID        string     `json:"id,omitempty"`
	N         int        `json:"n"`
}

// projectRef is a loaded project and its newest day of traces.
type projectRef struct {
	Name     string
	ID       string // global id
	From, To time.Time
}

// traceRef names a loaded trace.
type traceRef struct {
	ID         string // global id
	DatabaseID int64
}

// readWorkload is a read workload: its query and how a client picks the
// variables of its next request.
type readWorkload struct {
	key, title string
	query      string
	// pageSize is the default $n; probeSize a smaller one for the
	// statement-count probe.
	pageSize, probeSize int
	vars                func(r *rand.Rand) vars
}

// readWorkloads returns (a) to (d) over the loaded data.
func readWorkloads(projects []projectRef, traces []traceRef, tracesPerDay int) map[string]*readWorkload {
	project := func(r *rand.Rand) string { return projects[r.IntN(len(projects))].Name }
	return map[string]*readWorkload{
		"a": {key: "a", title: "projects + first 20 traces", query: queryProjects, pageSize: 20, probeSize: 2,
			vars: func(*rand.Rand) vars { return vars{N: 20} }},
		"b": {key: "b", title: "project -> 50 traces -> calls, errors, metrics", query: queryProjectTraces, pageSize: 50, probeSize: 5,
			vars: func(r *rand.Rand) vars { return vars{Project: project(r), N: 50} }},
		"c": {key: "c", title: "one trace, everything, full texts", query: queryTrace, pageSize: 100, probeSize: 2,
			vars: func(r *rand.Rand) vars { return vars{ID: traces[r.IntN(len(traces))].ID, N: 100} }},
		"d": {key: "d", title: "analytics over a day (Query.analytics)", query: analyticsQuery, pageSize: tracesPerDay, probeSize: 2,
			vars: func(r *rand.Rand) vars {
				p := projects[r.IntN(len(projects))]
				return vars{Project: p.Name, ProjectID: p.ID, From: &p.From, To: &p.To, N: tracesPerDay}
			}},
	}
}

// body encodes one request of w.
func (w *readWorkload) body(buf []byte, v vars) []byte {
	buf = append(buf[:0], `{"query":`...)
	buf = strconv.AppendQuote(buf, w.query)
	buf = append(buf, `,"variables":`...)
	vb, _ := json.Marshal(v)
	buf = append(buf, vb...)
	return append(buf, '}')
}

// countNodes counts, by field name, the items of every "nodes" list (and
// of the "analytics" list) in a GraphQL-shaped JSON document, to check that
// the API and a bound return the same rows.
func countNodes(doc []byte) (map[string]int, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, err
	}
	out := map[string]int{}
	var walk func(name string, v any)
	walk = func(name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if k == "nodes" || k == "analytics" {
					if list, ok := child.([]any); ok {
						out[name] += len(list)
					}
				}
				walk(k, child)
			}
		case []any:
			for _, child := range x {
				walk(name, child)
			}
		}
	}
	walk("", v)
	return out, nil
}

// randFor is a deterministic source for one-off choices.
func randFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x62656e6368)) }
