package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Every way a restarting PostgreSQL fails a resolver is UNAVAILABLE with a
// message that names no SQL, SQLSTATE or table.
func TestPresentUnavailable(t *testing.T) {
	for _, cause := range []error{
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		io.ErrUnexpectedEOF,
		&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"},
		&pgconn.PgError{Code: "57P03", Message: "the database system is starting up"},
		errors.New("conn closed"),
	} {
		err := fmt.Errorf("input[0]: upsert llm_call: %w", cause)
		got := presentError(context.Background(), err)
		if code := got.Extensions["code"]; code != "UNAVAILABLE" {
			t.Errorf("%v: code %v, want UNAVAILABLE", cause, code)
		}
		for _, bad := range []string{"SQLSTATE", "57P0", "llm_call", "upsert", "EOF", "conn"} {
			if strings.Contains(got.Message, bad) {
				t.Errorf("%v: message %q reveals %q", cause, got.Message, bad)
			}
		}
	}
}
