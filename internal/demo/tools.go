package demo

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// toolSpec is a tool's latency range and whether it calls out over HTTP.
type toolSpec struct {
	minMs, maxMs int
	network      bool
}

var toolSpecs = map[string]toolSpec{
	"web_search":    {300, 2500, true},
	"fetch_url":     {150, 1800, true},
	"vector_search": {40, 450, true},
	"send_email":    {120, 900, true},
	"get_weather":   {90, 700, true},
	"sql_query":     {15, 1600, false},
	"calculator":    {1, 8, false},
	"read_file":     {1, 40, false},
	"git_diff":      {20, 300, false},
	"run_tests":     {4000, 45000, false},
	"python_exec":   {30, 2500, false},
}

var (
	sqlQueries = []string{
		"SELECT region, SUM(amount) AS revenue FROM orders WHERE created_at >= '2025-10-01' GROUP BY region ORDER BY revenue DESC",
		"SELECT status, COUNT(*) FROM tickets WHERE customer_id = 48213 GROUP BY status",
		"SELECT category, AVG(returned::int) AS return_rate FROM order_items GROUP BY category ORDER BY 2 DESC LIMIT 5",
		"SELECT date_trunc('week', ts) AS week, COUNT(DISTINCT user_id) FROM events GROUP BY 1 ORDER BY 1 DESC LIMIT 8",
		"SELECT id, name, amount, last_activity FROM opportunities WHERE amount > 50000 AND last_activity < now() - interval '14 days'",
	}
	filePaths = []string{
		"docs/policies/returns.md", "src/payment/client.go", "reports/2025-q4/summary.csv",
		"contracts/msa-northwind.pdf", "notes/2026-01-05-product-sync.txt", "config/alerts.yaml",
	}
	pythonSnippets = []string{
		"df.groupby('region')['revenue'].sum().sort_values(ascending=False)",
		"np.percentile(latencies_ms, [50, 95, 99])",
		"len([c for c in clauses if 'indemnif' in c.lower()])",
		"pd.read_csv('payouts.csv').merge(bank, on='ref', how='left').query('amount_y.isna()')",
	}
	cities = []string{"Lisbon", "Kyoto", "Milan", "Denver", "Zurich"}
)

// pendingTool is a tool call chosen before it runs, so that the LLM call
// preceding it can record the request.
type pendingTool struct {
	name, params string
	result       string // what the tool computes from params, when it does
}

// chooseTool picks one of the app's tools and its input parameters.
func (g *gen) chooseTool() *pendingTool {
	name := pick(g.r, g.app.tools)
	var params any
	result := ""
	switch name {
	case "web_search":
		params = map[string]any{"query": g.question, "max_results": 5}
	case "fetch_url":
		params = map[string]any{"url": fmt.Sprintf("https://docs.example.org/articles/%d", between(g.r, 100, 999))}
	case "vector_search":
		params = map[string]any{"query": g.question, "top_k": 4, "index": g.app.name}
	case "send_email":
		params = map[string]any{"to": "team@example.com", "subject": "Re: " + g.question}
	case "get_weather":
		params = map[string]any{"city": pick(g.r, cities), "days": 3}
	case "sql_query":
		params = map[string]any{"query": pick(g.r, sqlQueries)}
	case "calculator":
		a, b, c, d := between(g.r, 2, 999), between(g.r, 0, 9), between(g.r, 0, 99), between(g.r, 0, 500)
		params = map[string]any{"expression": fmt.Sprintf("%d * %d.%02d + %d", a, b, c, d)}
		cents := a*(b*100+c) + d*100
		result = fmt.Sprintf("%d.%02d", cents/100, cents%100)
	case "read_file":
		params = map[string]any{"path": pick(g.r, filePaths)}
	case "git_diff":
		params = map[string]any{"base": "main", "head": fmt.Sprintf("pr-%d", between(g.r, 1280, 1320))}
	case "run_tests":
		params = map[string]any{"target": "./...", "flags": []string{"-race", "-count=1"}}
	default: // python_exec
		params = map[string]any{"code": pick(g.r, pythonSnippets)}
	}
	b, _ := json.Marshal(params)
	return &pendingTool{name: name, params: string(b), result: result}
}

// toolCall runs the tool t starting now.
func (g *gen) toolCall(t *pendingTool) ingest.ToolCall {
	spec := toolSpecs[t.name]
	ms := int64(between(g.r, spec.minMs, spec.maxMs))
	start := g.now
	g.now += ms
	mem := int64(between(g.r, 0, 6_000_000))
	if g.r.IntN(10) == 0 {
		mem = -int64(between(g.r, 4096, 2_000_000))
	}
	output := g.toolOutput(t)
	c := ingest.ToolCall{
		ExternalID:      g.childKey("tool", g.nTool),
		Name:            t.name,
		InputParameters: ptr(t.params),
		Output:          &output,
		StartTime:       at(start),
		EndTime:         ptr(at(g.now)),
		MemoryUsed:      &mem,
	}
	g.nTool++
	if spec.network {
		c.NetworkCalls = g.networkCalls(t, start, g.now, output)
	}
	return c
}

// toolOutput is what the tool t returned.
func (g *gen) toolOutput(t *pendingTool) string {
	switch t.name {
	case "web_search":
		var b strings.Builder
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(&b, "%d. %s (https://www.example.com/news/%d)\n", i, pick(g.r, g.app.facts), between(g.r, 1000, 9999))
		}
		return b.String()
	case "fetch_url", "read_file":
		var b strings.Builder
		b.WriteString(pick(g.r, g.app.facts))
		g.fill(&b, g.s.PromptChars/2, g.app.facts)
		return b.String()
	case "vector_search":
		return fmt.Sprintf(`[{"score": 0.%d, "text": %q}, {"score": 0.%d, "text": %q}]`,
			between(g.r, 80, 95), pick(g.r, g.app.facts), between(g.r, 60, 79), pick(g.r, g.app.facts))
	case "send_email":
		return "Message queued with id msg_" + g.hex(16)
	case "get_weather":
		return fmt.Sprintf("Forecast: %d C to %d C, %d%% chance of rain.", between(g.r, -5, 12), between(g.r, 13, 28), between(g.r, 0, 90))
	case "sql_query":
		return fmt.Sprintf("%d rows\n%s", between(g.r, 1, 40), pick(g.r, g.app.facts))
	case "calculator":
		return t.result
	case "git_diff":
		return fmt.Sprintf("diff --git a/src/payment/client.go b/src/payment/client.go\n@@ -41,7 +41,%d @@ func (c *Client) Do(req *Request) error {\n-\treturn c.send(req)\n+\treturn retry.Do(ctx, c.backoff, func() error { return c.send(req) })", between(g.r, 8, 30))
	case "run_tests":
		return fmt.Sprintf("%d passed, %d failed, %d skipped in %d.%ds", between(g.r, 380, 412), g.r.IntN(3), g.r.IntN(5), between(g.r, 4, 45), g.r.IntN(10))
	default: // python_exec
		return pick(g.r, g.app.facts)
	}
}

// networkCalls are the HTTP requests of a tool call that ran from start to
// end; body is the tool's output, which the last response carried.
func (g *gen) networkCalls(t *pendingTool, start, end int64, body string) []db.NetworkCall {
	method, target, reqBody := "GET", "", ""
	switch t.name {
	case "web_search":
		target = "https://search.example.com/v1/search?count=5&q=" + url.QueryEscape(g.question)
	case "fetch_url":
		var p struct{ URL string }
		_ = json.Unmarshal([]byte(t.params), &p)
		target = p.URL
	case "vector_search":
		method, target, reqBody = "POST", "https://vectors.example.net/v1/indexes/"+g.app.name+"/query", t.params
	case "send_email":
		method, target, reqBody = "POST", "https://mail.example.com/v3/messages", t.params
	default: // get_weather
		var p struct{ City string }
		_ = json.Unmarshal([]byte(t.params), &p)
		target = "https://weather.example.com/v1/forecast?days=3&city=" + url.QueryEscape(p.City)
	}
	from, to := start+int64(between(g.r, 1, 5)), end-int64(between(g.r, 0, 3))
	if to < from {
		to = from
	}
	var calls []db.NetworkCall
	if t.name == "web_search" && g.r.IntN(12) == 0 {
		// Rate limited first, retried after the advertised delay.
		mid := from + (to-from)/4
		calls = append(calls, g.httpCall(method, target, reqBody, 429, `{"error":"rate_limited"}`, from, mid))
		calls[0].Error = ptr("HTTP 429 Too Many Requests")
		calls[0].ResponseHeaders["Retry-After"] = "1"
		from = mid + 1
		if to < from {
			to = from
		}
	}
	status := 200
	if t.name == "send_email" {
		status = 202
	}
	return append(calls, g.httpCall(method, target, reqBody, status, body, from, to))
}

// httpCall is one HTTP request from ms from to ms to.
func (g *gen) httpCall(method, target, reqBody string, status int, respBody string, from, to int64) db.NetworkCall {
	c := db.NetworkCall{
		Method:     method,
		URL:        target,
		StatusCode: &status,
		StartTime:  ptr(at(from)),
		EndTime:    ptr(at(to)),
		Duration:   seconds(to - from),
		RequestHeaders: map[string]string{
			"Accept":     "application/json",
			"User-Agent": "python-httpx/0.27.2",
		},
		ResponseHeaders: map[string]string{
			"Content-Length": strconv.Itoa(len(respBody)),
			"Content-Type":   contentType(respBody),
			"X-Request-Id":   "req_" + g.hex(12),
		},
		ResponseBody: &respBody,
	}
	if reqBody != "" {
		c.RequestHeaders["Content-Type"] = "application/json"
		c.RequestBody = &reqBody
	}
	return c
}

// contentType is the media type of an HTTP response body.
func contentType(body string) string {
	if strings.HasPrefix(body, "{") || strings.HasPrefix(body, "[") {
		return "application/json; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}
