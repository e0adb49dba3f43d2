package db

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/agentgraph/agentgraph/internal/settings"
)

// DefaultStatementTimeout is the server's statement timeout unless
// configured otherwise.
const DefaultStatementTimeout = 30 * time.Second

// Options tunes Open. Their zero values are valid: the default pool and
// the PostgreSQL server's own statement timeout.
type Options struct {
	// SkipMigrations leaves the schema as it is; tests use it to build old versions.
	SkipMigrations bool
	// MaxOpenConns caps the pool; zero picks a default per dialect.
	MaxOpenConns int
	// StatementTimeout makes PostgreSQL cancel any statement running
	// longer (its statement_timeout); zero leaves the server's setting.
	StatementTimeout time.Duration
}

// DefaultOptions are the options the server opens its store with.
func DefaultOptions() Options { return Options{StatementTimeout: DefaultStatementTimeout} }

// Settings are the flags of o.
func (o *Options) Settings() []settings.Setting {
	return []settings.Setting{
		settings.Duration(&o.StatementTimeout, "statement-timeout", "PostgreSQL cancels statements running longer (0: the server's setting)", settings.NotNegative[time.Duration]()),
	}
}

// Validate refuses a negative pool size or statement timeout.
func (o Options) Validate() error {
	var pool error
	if o.MaxOpenConns < 0 {
		pool = fmt.Errorf("db.Options.MaxOpenConns: must not be negative, got %d", o.MaxOpenConns)
	}
	return errors.Join(settings.Check(o.Settings()...), pool)
}

// URLSetting is the --database-url flag (DATABASE_URL) of every command
// that opens the store, bound to *p; its value is refused at start-up when
// it names no store Open could open.
func URLSetting(p *string) settings.Setting {
	return settings.String(p, "database-url", "postgres://... (or postgresql://...), sqlite:PATH, or a bare file path (SQLite)",
		settings.Valid(CheckURL)).Twin("DATABASE_URL")
}

// CheckURL refuses a database URL Open could not open, touching nothing;
// empty means DefaultURL.
func CheckURL(raw string) error {
	if raw == "" {
		return nil
	}
	_, err := urlDialect(raw)
	return err
}

// urlDialect is the dialect of a database URL, or why it names none.
func urlDialect(raw string) (Dialect, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", fmt.Errorf("database url: %w", err)
		}
		return Postgres, nil
	case strings.Contains(raw, "://"):
		return "", fmt.Errorf("database url: unsupported scheme in %q (use postgres://, sqlite: or a file path)", redact(raw))
	}
	if path, _ := sqliteFile(raw); path == "" {
		return "", fmt.Errorf("database url: sqlite needs a file path")
	}
	return SQLite, nil
}
