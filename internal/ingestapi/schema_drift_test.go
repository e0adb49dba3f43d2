package ingestapi

import (
	"os"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestFieldsFollowTheSchema checks the decoder's field lists against the
// input types of schema.graphqls, in order: a field added to the schema and
// not here (or the other way round) fails.
func TestFieldsFollowTheSchema(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	lists := map[string][]string{
		"TraceInput": traceFields, "AgentCallInput": agentFields, "LLMCallInput": llmCallFields,
		"TokenUsageInput": countFields, "CostInput": costFields, "ToolCallInput": toolCallFields,
		"NetworkCallInput": networkCallFields, "HttpHeaderInput": headerFields, "InstalledPackageInput": packageFields,
		"UserInteractionInput": interactionFields, "TraceErrorInput": errorFields, "MetricInput": metricFields,
		"SystemInfoInput": systemInfoFields, "GpuInfoInput": gpuFields, "DiskInfoInput": diskFields,
	}
	// Every input type a trace holds has its list.
	var walk func(name string)
	seen := map[string]bool{}
	walk = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if _, ok := lists[name]; !ok {
			t.Errorf("the decoder has no field list for %s", name)
		}
		for _, f := range schema.Types[name].Fields {
			if d := schema.Types[f.Type.Name()]; d != nil && d.Kind == ast.InputObject {
				walk(d.Name)
			}
		}
	}
	walk("TraceInput")
	for input, fields := range lists {
		def := schema.Types[input]
		if def == nil {
			t.Errorf("the schema has no input %s", input)
			continue
		}
		var want []string
		for _, f := range def.Fields {
			want = append(want, f.Name)
		}
		if !slices.Equal(fields, want) {
			t.Errorf("%s: the decoder reads %v, the schema has %v", input, fields, want)
		}
	}
}
