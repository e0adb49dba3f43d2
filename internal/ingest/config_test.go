package ingest_test

import (
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/ingest"
)

// mustPanic runs f and returns what it panicked with, failing if nothing.
func mustPanic(t *testing.T, what string, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Errorf("%s did not panic", what)
		}
		msg, _ = r.(string)
	}()
	f()
	return ""
}

// TestOptionsRefuseBadValues: zero values mean the defaults, negative and
// oversized ones are refused instead of silently replaced.
func TestOptionsRefuseBadValues(t *testing.T) {
	ingest.New(nil, ingest.Options{}) // the defaults
	if err := ingest.DefaultOptions().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	for _, tc := range []struct {
		opts ingest.Options
		want string
	}{
		{ingest.Options{MaxTextBytes: -1}, "MaxTextBytes"},
		{ingest.Options{MaxTextBytes: ingest.MaxTextBytesLimit + 1}, "MaxTextBytes"},
		{ingest.Options{MaxTraces: -1}, "MaxTraces"},
	} {
		msg := mustPanic(t, "New", func() { ingest.New(nil, tc.opts) })
		if !strings.Contains(msg, tc.want) {
			t.Errorf("New(%+v) panicked with %q, want it to name %s", tc.opts, msg, tc.want)
		}
	}
}

func TestConfigRefusesEveryBadValue(t *testing.T) {
	if err := ingest.DefaultConfig().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	err := ingest.Config{MaxTextBytes: 100}.Validate()
	for _, want := range []string{
		"--max-text-bytes (API_MAX_TEXT_BYTES): must be between 1024 and 67108864, got 100",
		"--retention-interval (API_RETENTION_INTERVAL): must be at least 1s, got 0s",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, err := (ingest.Config{MaxTextBytes: 4096, PricesFile: "no-such-file.json"}).Service(nil); err == nil {
		t.Error("a missing price table was accepted")
	}
}
