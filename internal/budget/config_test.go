package budget

import (
	"strings"
	"testing"
)

func TestConfigRefusesSmallBudgets(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
	for _, n := range []int64{-1, 0, MinBytes - 1} {
		err := Config{RequestBytes: n}.Validate()
		if err == nil || !strings.Contains(err.Error(), "--request-memory-bytes (API_REQUEST_MEMORY_BYTES): must be at least 1048576") {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}
