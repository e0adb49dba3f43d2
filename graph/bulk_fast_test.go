package graph

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// POST /v1/ingest decodes with goccy/go-json and falls back to
// encoding/json for whatever that refuses. A body the fast decoder accepts
// must decode exactly as encoding/json decodes it; one encoding/json
// refuses must never be accepted by it.
func TestBulkDecodersAgree(t *testing.T) {
	trace := func(fields string) string {
		return `{"traces": [{"project": "p", "externalId": "t", "startTime": "2026-02-01T10:00:00Z"` + fields + `}]}`
	}
	valid := map[string]string{
		"empty list":  `{"traces": []}`,
		"whitespace":  " \n\t{ \"traces\" : [ ] } \r\n",
		"null traces": `{"traces": null}`,
		"rich":        richBulkBody(20),
		"escapes in keys and values": trace(`, "llmCalls": [{"na\u006de": "chat \u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t",
			"startTime": "2026-02-01T10:00:00.123456789+02:00", "inputPrompt": "<&> \u2028"}]`),
		"numbers": trace(`, "metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:00Z", "score": -0.1e-7,
			"resultDetail": {"a": [1.50, 2e3, 1E+2, -0, 12345678901234567890123]}, "config": 1.7976931348623157e308}],
			"llmCalls": [{"name": "x", "startTime": "2026-02-01T10:00:00Z", "memoryUsed": "9223372036854775807",
			"tokenUsage": {"input": 0, "completion": 9007199254740993}, "cost": {"input": 0.1, "output": 5e-324}}]`),
		"duplicate keys": `{"traces": [{"project": "a", "project": "b", "startTime": "2026-02-01T10:00:00Z"}]}`,
		"nulls":          trace(`, "endTime": null, "systemInfo": null, "agentCalls": null, "errors": [], "metrics": null`),
		"deep json":      trace(`, "metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:00Z", "resultDetail": ` + strings.Repeat(`{"a":[`, 29) + `null` + strings.Repeat(`]}`, 29) + `}]`),
	}
	refused := map[string]string{
		"empty":              ``,
		"trailing value":     `{"traces": []} {"traces": []}`,
		"trailing garbage":   `{"traces": []} x`,
		"unknown field":      `{"traces": [], "extra": 1}`,
		"inexact key":        `{"Traces": []}`,
		"inexact nested key": trace(`, "LLMCalls": []`),
		"not an object":      `[]`,
		"unclosed":           `{"traces": [`,
		"bad time":           trace(`, "endTime": "yesterday"`),
		"float for int":      trace(`, "llmCalls": [{"name": "x", "startTime": "2026-02-01T10:00:00Z", "memoryUsed": 1.5}]`),
		"overflow":           trace(`, "metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:00Z", "score": 1e400}]`),
		"string for number":  trace(`, "metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:00Z", "score": "1"}]`),
		"bad escape":         trace(`, "llmCalls": [{"name": "\x", "startTime": "2026-02-01T10:00:00Z"}]`),
		"raw control char":   trace(`, "llmCalls": [{"name": "a` + "\x01" + `b", "startTime": "2026-02-01T10:00:00Z"}]`),
		"byte order mark":    "\xef\xbb\xbf" + `{"traces": []}`,
		"bare word":          trace(`, "endTime": nope`),
	}
	// Bodies neither side is sure about: they only must not disagree.
	either := map[string]string{
		"invalid utf-8":   trace(`, "llmCalls": [{"name": "a` + "\xff\xfe" + `b", "startTime": "2026-02-01T10:00:00Z"}]`),
		"lone surrogate":  trace(`, "llmCalls": [{"name": "\ud800 x \udc00", "startTime": "2026-02-01T10:00:00Z"}]`),
		"overlong number": trace(`, "metrics": [{"metricName": "m", "timestamp": "2026-02-01T10:00:00Z", "score": 0.` + strings.Repeat("1", 400) + `}]`),
	}
	check := func(name, body string, wantFast, wantStd *bool) {
		std, stdErr := decodeStd([]byte(body))
		fast, ok := decodeFast([]byte(body))
		if wantStd != nil && (stdErr == nil) != *wantStd {
			t.Errorf("%s: encoding/json accepted=%v (%v)", name, stdErr == nil, stdErr)
		}
		if wantFast != nil && ok != *wantFast {
			t.Errorf("%s: fast decoder accepted=%v", name, ok)
		}
		if !ok {
			return
		}
		if stdErr != nil {
			t.Errorf("%s: the fast decoder accepted a body encoding/json refuses: %v", name, stdErr)
			return
		}
		if !reflect.DeepEqual(fast, std) {
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(std)
			t.Errorf("%s: the decoders disagree:\nfast %s\nstd  %s", name, a, b)
		}
	}
	yes, no := true, false
	for name, body := range valid {
		check(name, body, &yes, &yes)
	}
	for name, body := range refused {
		check(name, body, &no, &no)
	}
	for name, body := range either {
		check(name, body, nil, nil)
	}
}

// richBulkBody is a body of n traces with every kind of entity and field.
func richBulkBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"traces": [`)
	at := func(s int) string { return time.Date(2026, 2, 1, 10, 0, s, 1000*s, time.UTC).Format(time.RFC3339Nano) }
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"project": "p-%d", "externalId": "t-%d", "startTime": %q, "endTime": %q,
			"systemInfo": {"osName": "Linux", "osVersion": "6.8", "pythonVersion": "3.12", "cpuInfo": "x86", "memoryTotal": 64.5,
				"gpuInfo": [{"name": "A100", "memoryTotal": 40960}], "diskInfo": {"total": 512, "available": 1.25},
				"installedPackages": [{"name": "openai", "version": "1.57"}]},
			"agentCalls": [{"externalId": "a-%d", "name": "planner", "startTime": %q, "endTime": %q,
				"llmCalls": [{"externalId": "l-%d", "name": "chat", "model": "gpt-4o", "inputPrompt": "find shoes, size %d", "output": "ok",
					"toolCall": "{\"fn\": 1}", "startTime": %q, "endTime": %q, "memoryUsed": 123456789012,
					"tokenUsage": {"input": 1000, "completion": 200, "reasoning": 5, "total": 1205}, "cost": {"input": 0.25, "output": 1.5, "reasoning": 0}}],
				"toolCalls": [{"externalId": "tc-%d", "name": "search", "inputParameters": "{}", "output": "[]", "startTime": %q,
					"networkCalls": [{"method": "GET", "url": "https://x.example/?q=%d", "statusCode": 200, "startTime": %q, "endTime": %q,
						"requestHeaders": [{"name": "Accept", "value": "*/*"}], "requestBody": "", "responseBody": "{}"}]}],
				"userInteractions": [{"externalId": "u-%d", "interactionType": "input", "content": "hi", "timestamp": %q}]}],
			"llmCalls": [{"name": "top", "agentCallExternalId": "a-%d", "startTime": %q, "memoryUsed": "77"}],
			"toolCalls": [{"name": "noop", "startTime": %q}],
			"userInteractions": [{"interactionType": "output", "content": null, "timestamp": %q}],
			"errors": [{"externalId": "e-%d", "errorType": "tool", "errorMessage": "503", "timestamp": %q, "toolCallExternalId": "tc-%d", "agentCallExternalId": "a-%d", "llmCallExternalId": "l-%d"}],
			"metrics": [{"externalId": "m-%d", "metricName": "faithfulness", "score": 0.9, "reason": "ok", "resultDetail": {"z": [1, "x"], "a": {}},
				"config": "judge", "startTime": %q, "endTime": %q, "timestamp": %q}]}`,
			i%3, i, at(0), at(9), i, at(1), at(8), i, i, at(2), at(3), i, at(4), i, at(4), at(5), i, at(1), i, at(6), at(7), at(8),
			i, at(5), i, i, i, i, at(9), at(10), at(10))
	}
	b.WriteString(`]}`)
	return b.String()
}
