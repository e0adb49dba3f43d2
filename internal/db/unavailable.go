package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsUnavailable reports whether err means the database cannot be reached or
// is not accepting work right now, as opposed to a problem with the request:
// callers answer "retry later" (HTTP 503) instead of failing for good.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, context.DeadlineExceeded),
		// The server went away in the middle of a message (an immediate shutdown or a crash).
		errors.Is(err, io.ErrUnexpectedEOF),
		// pgconn marks failures that happened before anything reached the server.
		pgconn.SafeToRetry(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exceptions; 57P01-03: shutting down or starting
		// up; 53300: too many connections.
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	}
	msg := err.Error()
	return strings.Contains(msg, "database is closed") || strings.Contains(msg, "database is locked") ||
		strings.Contains(msg, "conn closed") || strings.Contains(msg, "SQLITE_BUSY")
}
