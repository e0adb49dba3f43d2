package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// The shapes in which pgx, database/sql and SQLite report a database that is
// down, restarting or going away; a restart of PostgreSQL produces each.
func TestIsUnavailable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("upsert llm calls: %w", err) }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"connection reset", wrap(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), true},
		{"dead connection mid-message", wrap(io.ErrUnexpectedEOF), true},
		{"bad connection", wrap(driver.ErrBadConn), true},
		{"admin shutdown", wrap(&pgconn.PgError{Code: "57P01"}), true},
		{"crash shutdown", wrap(&pgconn.PgError{Code: "57P02"}), true},
		{"starting up", wrap(&pgconn.PgError{Code: "57P03"}), true},
		{"too many connections", wrap(&pgconn.PgError{Code: "53300"}), true},
		{"connection failure", wrap(&pgconn.PgError{Code: "08006"}), true},
		{"pgx closed connection", wrap(errors.New("conn closed")), true},
		{"sqlite closed", wrap(errors.New("sql: database is closed")), true},
		{"sqlite busy", wrap(errors.New("database is locked (5) (SQLITE_BUSY)")), true},
		{"deadline", wrap(context.DeadlineExceeded), true},
		{"unique violation", wrap(&pgconn.PgError{Code: "23505"}), false},
		{"syntax error", wrap(&pgconn.PgError{Code: "42601"}), false},
		{"cancelled", wrap(context.Canceled), false},
		{"plain", errors.New("no such row"), false},
		{"nil", nil, false},
	} {
		if got := IsUnavailable(tc.err); got != tc.want {
			t.Errorf("%s: IsUnavailable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
