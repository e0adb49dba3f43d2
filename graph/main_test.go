package graph_test

import (
	"io"
	"log/slog"
	"os"
	"testing"
)

// TestMain silences the server's logs (faults are injected on purpose);
// TEST_LOGS=1 shows them.
func TestMain(m *testing.M) {
	if os.Getenv("TEST_LOGS") != "1" {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	os.Exit(m.Run())
}
