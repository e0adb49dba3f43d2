package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db"
)

// TestOpenRefusesBadOptions: a negative pool or statement timeout is
// refused, not silently made unbounded or ignored, before anything is opened.
func TestOpenRefusesBadOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.db")
	_, err := db.Open(context.Background(), "sqlite:"+path, db.Options{MaxOpenConns: -1, StatementTimeout: -1})
	for _, want := range []string{"db.Options.MaxOpenConns: must not be negative", "--statement-timeout (API_STATEMENT_TIMEOUT): must not be negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Dir(path)); err == nil {
		t.Error("refused options created the store's directory")
	}
	if err := db.DefaultOptions().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "never")
	for raw, ok := range map[string]bool{
		"": true, "postgres://u@h/db": true, "postgresql://h/db": true, "sqlite:" + dir + "/x.db": true, dir + "/y.db": true,
		"mysql://h/db": false, "sqlite:": false, "postgres://h/%zz": false,
	} {
		if err := db.CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", raw, err)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("CheckURL created a directory")
	}
}
