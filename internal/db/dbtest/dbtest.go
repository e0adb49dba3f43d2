// Package dbtest runs one test suite against every storage backend: a fresh
// SQLite file and a fresh PostgreSQL database per test, dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agentgraph/agentgraph/internal/db"
)

// PostgresURLEnv names the variable holding the server tests create their
// databases on; it defaults to the local trust-auth server.
const PostgresURLEnv = "TEST_POSTGRES_URL"

// RequirePostgres reports whether a missing PostgreSQL server fails the tests
// instead of skipping them: set REQUIRE_POSTGRES=1, or run in CI.
func RequirePostgres() bool {
	return os.Getenv("REQUIRE_POSTGRES") == "1" || os.Getenv("CI") == "true"
}

// Backend is a database engine the suite runs on.
type Backend struct {
	Name string
	// NewURL returns the URL of a new, empty database that is dropped when tb ends.
	NewURL func(tb testing.TB) string
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{Name: "sqlite", NewURL: sqliteURL}, {Name: "postgres", NewURL: postgresURL}}
}

// Run runs fn once per backend as a subtest named after the backend.
func Run(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// MustOpen returns a migrated store on a new database of backend b.
func MustOpen(tb testing.TB, b Backend) *db.DB {
	tb.Helper()
	return MustOpenURL(tb, b.NewURL(tb), db.Options{})
}

// MustOpenURL opens rawURL and closes it when tb ends.
func MustOpenURL(tb testing.TB, rawURL string, opts db.Options) *db.DB {
	tb.Helper()
	store, err := db.Open(context.Background(), rawURL, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", db.Redacted(rawURL), err)
	}
	tb.Cleanup(func() { _ = store.Close() })
	return store
}

func sqliteURL(tb testing.TB) string {
	return "sqlite:" + filepath.Join(tb.TempDir(), "test.db")
}

// postgresURL creates a uniquely named database and drops it at cleanup, so
// concurrent runs on a shared server never see each other's rows.
func postgresURL(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(PostgresURLEnv)
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	adminDB, err := db.Open(ctx, admin, db.Options{SkipMigrations: true, MaxOpenConns: 1})
	if err != nil {
		if RequirePostgres() {
			tb.Fatalf("PostgreSQL is required (CI=true or REQUIRE_POSTGRES=1) but unreachable: %v", err)
		}
		tb.Skipf("PostgreSQL unreachable (%v); set %s or start it to run this backend", err, PostgresURLEnv)
	}
	defer adminDB.Close()

	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "agentgraph_test_" + hex.EncodeToString(suffix)
	if err := adminDB.Gorm().Exec("CREATE DATABASE " + name).Error; err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cleanup, err := db.Open(ctx, admin, db.Options{SkipMigrations: true, MaxOpenConns: 1})
		if err != nil {
			tb.Errorf("drop database %s: %v", name, err)
			return
		}
		defer cleanup.Close()
		if err := cleanup.Gorm().WithContext(ctx).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error; err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	return fmt.Sprint(u)
}
