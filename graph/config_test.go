package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/graph"
)

// TestOptionsRefuseBadValues: zero limits mean the defaults; negative ones
// and loader waits out of range are refused instead of silently replaced,
// every problem in one message.
func TestOptionsRefuseBadValues(t *testing.T) {
	if err := graph.DefaultOptions().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	if n := (graph.Limits{}).InFlight(); n < graph.InFlightPerCPU {
		t.Errorf("default in-flight turns %d", n)
	}
	if n := (graph.Limits{MaxInFlight: -1}).InFlight(); n != -1 {
		t.Errorf("negative MaxInFlight (no cap) became %d", n)
	}
	bad := graph.Options{LoaderWait: 2 * time.Second, Limits: graph.Limits{MaxDepth: -1, Timeout: -time.Second, MaxBodyBytes: -5}}
	err := bad.Validate()
	for _, want := range []string{
		"--loader-wait (API_LOADER_WAIT): must be between 0s and 1s, got 2s",
		"--request-timeout (API_REQUEST_TIMEOUT): must be positive, got -1s",
		"graph.Limits.MaxDepth: must be positive, got -1",
		"graph.Limits.MaxBodyBytes: must be positive, got -5",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	for name, f := range map[string]func(){
		"NewHandler": func() { graph.NewHandler(nil, bad) },
		"InFlight":   func() { bad.Limits.InFlight() },
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "graph.Limits.MaxDepth") {
					t.Errorf("%s panicked with %q, want the problems", name, msg)
				}
			}()
			f()
		}()
	}
}
