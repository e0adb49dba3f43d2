package observe_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/observe"
)

func TestConfigRefusesEveryBadValue(t *testing.T) {
	err := observe.Config{LogLevel: "loud", LogFormat: "xml", SlowQuery: -1}.Validate()
	for _, want := range []string{"--log-level (LOG_LEVEL)", "--log-format (LOG_FORMAT)", "--slow-query (API_SLOW_QUERY)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %s", err, want)
		}
	}
	cfg := observe.DefaultConfig()
	cfg.LogLevel, cfg.LogFormat = "warn", "json"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	log := cfg.Logger(&out)
	log.Info("hidden")
	log.Warn("shown")
	if s := out.String(); strings.Contains(s, "hidden") || !strings.Contains(s, `"msg":"shown"`) {
		t.Errorf("warn-level JSON logger wrote %q", s)
	}
}
