package ingestapi

import (
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/ingestapi/fixture"
)

// TestDecodeAcceptsWhatGraphQLAccepts decodes bodies that use the JSON
// syntax in every way and bodies that break it, and bodies neither side is
// sure about, which must only not crash the decoder. What accepted bodies
// store is compared with the mutation's in graph's tests
// (TestIngestEndpointStoresWhatTheMutationStores).
func TestDecodeAcceptsWhatGraphQLAccepts(t *testing.T) {
	trace := func(fields string) string {
		return `{"traces": [{"project": "p", "externalId": "t", "startTime": "2026-02-01T10:00:00Z"` + fields + `}]}`
	}
	valid := map[string]string{
		"empty list": `{"traces": []}`,
		"whitespace": " \n\t{ \"traces\" : [ ] } \r\n",
		"rich":       fixture.Body(20),
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
	for name, body := range valid {
		if _, err := decode([]byte(body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, body := range refused {
		if _, err := decode([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, body := range either {
		_, _ = decode([]byte(body))
	}
}
