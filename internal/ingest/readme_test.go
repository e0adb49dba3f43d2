package ingest_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// TestReadmeStatesTheInputRanges keeps the README's table of input ranges
// equal to the constants ingestion checks.
func TestReadmeStatesTheInputRanges(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The start of each row, and the range it must state.
	rows := map[string]string{
		"`tokenUsage.input`":        "0 … " + grouped(ingest.MaxTokens) + " each",
		"`cost.input`":              "0 … " + grouped(ingest.MaxCost) + " USD each, finite",
		"`memoryUsed`":              "−" + power(ingest.MaxMemoryBytes, 2) + " … " + power(ingest.MaxMemoryBytes, 2) + " bytes",
		"`networkCalls.statusCode`": strconv.Itoa(ingest.MinStatusCode) + " … " + strconv.Itoa(ingest.MaxStatusCode),
		"`metrics.score`":           "−" + power(ingest.MaxScore, 10) + " … " + power(ingest.MaxScore, 10) + ", finite",
		"`systemInfo.memoryTotal`":  "0 … " + power(ingest.MaxMachineSize, 10) + ", finite",
		"every `startTime`":         ingest.MinTime.Format("2006-01-02T15:04:05Z") + " … " + ingest.MaxTime.Format("2006-01-02T15:04:05.999999999Z"),
	}
	for row, want := range rows {
		i := strings.Index(string(readme), "\n| "+row)
		if i < 0 {
			t.Errorf("the README has no input range row %s", row)
			continue
		}
		line, _, _ := strings.Cut(string(readme[i+1:]), "\n")
		if !strings.Contains(line, "| "+want) {
			t.Errorf("README row %q, want the range %q", line, want)
		}
	}
}

// grouped writes n with thousands separators.
func grouped(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// power writes v as base^k, failing the test's expectations if it is not one.
func power[N int | float64](v N, base int) string {
	k, x := 0, float64(v)
	for x > 1 {
		x /= float64(base)
		k++
	}
	if x != 1 {
		return "not a power"
	}
	return strconv.Itoa(base) + "^" + strconv.Itoa(k)
}
