package otlp_test

import (
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/ingest"
	"github.com/agentgraph/agentgraph/internal/otlp"
)

// TestOptionsRefuseBadValues: zero values mean the defaults, bad ones are
// refused instead of silently replaced.
func TestOptionsRefuseBadValues(t *testing.T) {
	svc := ingest.New(nil, ingest.Options{})
	otlp.NewHandler(svc, otlp.Options{}) // the defaults
	if err := otlp.DefaultOptions().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
	for _, tc := range []struct {
		opts otlp.Options
		want string
	}{
		{otlp.Options{MaxBodyBytes: -1}, "--otlp-max-body-bytes (API_OTLP_MAX_BODY_BYTES): must be at least 1024, got -1"},
		{otlp.Options{MaxBodyBytes: 100}, "--otlp-max-body-bytes"},
		{otlp.Options{RetryAfter: -1}, "RetryAfter: must be positive"},
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("NewHandler(%+v) panicked with %q, want %q", tc.opts, msg, tc.want)
				}
			}()
			otlp.NewHandler(svc, tc.opts)
		}()
	}
	if err := (otlp.Options{}).Validate(); err == nil {
		t.Error("zero options validate: their defaults are NewHandler's to fill")
	}
}
