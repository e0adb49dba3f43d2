package ingestapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// TestDecodeErrorOrder holds the order in which a body's errors are found,
// which is the order encoding/json with the input types would find them
// in: syntax, then the first bad value in the document, then what follows
// the object, then keys right but for case, then missing values in the
// order the mutation's conversion checks them.
func TestDecodeErrorOrder(t *testing.T) {
	const start = `"startTime": "2026-01-01T00:00:00Z"`
	for _, c := range []struct {
		name, body, field, message string
	}{
		{"syntax before a bad value", `{"traces": [{"project": 5, "startTime": }]}`, "traces[0].startTime", "is not valid JSON"},
		{"syntax at the end", `{"traces": [{"project": 5}`, "traces", "ends before the JSON does"},
		{"a bad value before what follows", `{"traces": [{"project": 5}]} x`, "traces[0].project", "must be a string, not number"},
		{"what follows before a key's case", `{"Traces": []} x`, "", "more after its JSON object"},
		{"a key's case before missing values", `{"traces": [{"Project": "p"}]}`, "traces[0].Project", "unknown field"},
		{"a key's case before a later bad value", `{"traces": [{"Project": "p", "startTime": 5}]}`, "traces[0].Project", "unknown field"},
		{"a bad value inside a key right but for case", `{"traces": [{"Project": 5}]}`, "traces[0].Project", "unknown field"},
		{"own fields before those of children", `{"traces": [{"agentCalls": [{}], "project": "p"}]}`, "traces[0].startTime", "is required"},
		{"children in the schema's order", `{"traces": [{"project": "p", ` + start + `, "metrics": [{}], "llmCalls": [{}]}]}`, "traces[0].llmCalls[0].name", "is required"},
		{"elements in order", `{"traces": [{"project": "p", ` + start + `, "llmCalls": [{` + start + `}, null]}]}`, "traces[0].llmCalls[0].name", "is required"},
		{"a null element", `{"traces": [{"project": "p", ` + start + `, "llmCalls": [null, {}]}]}`, "traces[0].llmCalls[0]", "must not be null"},
		{"a null trace", `{"traces": [null]}`, "traces[0]", "must not be null"},
		{"not an object", `[]`, "", "the body must be an object, not array"},
		{"null", `null`, "traces", "is required"},
		{"a bad time", `{"traces": [{"project": "p", "startTime": true}]}`, "traces[0].startTime", "DateTime must be an RFC 3339 string"},
		{"a bad BigInt", `{"traces": [{"project": "p", ` + start + `, "llmCalls": [{"name": "x", ` + start + `, "memoryUsed": [1]}]}]}`, "traces[0].llmCalls[0].memoryUsed", "BigInt must be an integer"},
		{"a float for an integer", `{"traces": [{"project": "p", ` + start + `, "llmCalls": [{"name": "x", ` + start + `, "tokenUsage": {"input": 1.5}}]}]}`, "traces[0].llmCalls[0].tokenUsage.input", "must be an integer, not number 1.5"},
		{"an object for a list", `{"traces": {}}`, "traces", "must be a list, not object"},
		{"a header without its value", `{"traces": [{"project": "p", ` + start + `, "toolCalls": [{"name": "t", ` + start + `, "networkCalls": [{"url": "u", "requestHeaders": [{"name": "a"}]}]}]}]}`,
			"traces[0].toolCalls[0].networkCalls[0].requestHeaders[0].value", "is required"},
	} {
		_, err := decode([]byte(c.body))
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.InvalidArgument || e.Field != c.field || !strings.Contains(e.Message, c.message) {
			t.Errorf("%s: %v, want %s: ...%s...", c.name, err, c.field, c.message)
		}
	}
}

// TestDecodeValues checks what accepted bodies decode to where the JSON
// allows more than one reading: strings as encoding/json reads them, later
// duplicate keys winning (objects merged), empty lists.
func TestDecodeValues(t *testing.T) {
	name := `"a\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t` + "\xff" + ` \ud800 z"`
	traces, err := decode([]byte(`{"traces": [{"project": "a", "project": ` + name + `, "startTime": "2026-01-01T02:00:00+02:00",
		"systemInfo": {"osName": "x"}, "systemInfo": {"osVersion": "y", "installedPackages": [], "gpuInfo": []},
		"agentCalls": [], "metrics": [{"metricName": "m", "timestamp": "2026-01-01T00:00:00Z", "resultDetail": {"z": 1.50, "a": null}, "config": null}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var want string
	_ = json.Unmarshal([]byte(name), &want)
	tr := traces[0]
	si := tr.SystemInfo
	switch {
	case tr.Project != want:
		t.Errorf("project %q, want %q", tr.Project, want)
	case tr.StartTime.Location().String() != "UTC" || tr.StartTime.Hour() != 0:
		t.Errorf("start %v, want it in UTC", tr.StartTime)
	case si == nil || si.OsName == nil || si.OsVersion == nil || si.InstalledPackages == nil || si.GPUs != nil:
		t.Errorf("system info %+v: want both names, an empty map of packages and no GPUs", si)
	case tr.Agents != nil:
		t.Errorf("agents %v, want nil", tr.Agents)
	case string(tr.Metrics[0].ResultDetail) != `{"a":null,"z":1.50}` || tr.Metrics[0].Config != nil:
		t.Errorf("JSON values %s and %s", tr.Metrics[0].ResultDetail, tr.Metrics[0].Config)
	}
}
