// Package db stores the observability graph with GORM on PostgreSQL or on an
// embedded SQLite file. It owns every SQL statement of the project; it never
// imports the GraphQL layer.
package db

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/agentgraph/agentgraph/internal/fair"
)

// DefaultURL is the store used when no database URL is configured.
const DefaultURL = "sqlite:data/agentgraph.db"

// Dialect names the SQL engine behind a DB.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a migrated store.
type DB struct {
	gorm    *gorm.DB
	dialect dialect
	// direct is nil in transactions, whose reads go through GORM.
	direct *directReads
	// gate shares the pool between clients (gate.go); nil in
	// transactions, which hold their turn.
	gate *fair.Limiter
	// writer takes SQLite's writing transactions in turns between clients;
	// nil on PostgreSQL and in transactions.
	writer *fair.Limiter
}

// Open connects to the database named by rawURL and migrates it to the latest
// schema version. rawURL is "postgres://..." (or "postgresql://..."),
// "sqlite:PATH", or a bare file path meaning SQLite; empty means DefaultURL.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	name, dsn, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	dl := dialectOf(name)
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	g, err := gorm.Open(dl.open(dsn, opts), cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", name, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	maxConns := opts.MaxOpenConns
	if maxConns == 0 {
		maxConns = dl.defaultMaxConns()
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)

	if err := refuseOverBudget(g); err != nil {
		return nil, err
	}
	d := &DB{gorm: g, dialect: dl, direct: &directReads{}, gate: fair.NewUnqueued(maxConns)}
	if dl.writesInTurns() {
		d.writer = fair.NewUnqueued(1)
	}
	if err := d.registerGate(); err != nil {
		_ = d.Close()
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	if !opts.SkipMigrations {
		if err := d.Migrate(ctx, LatestVersion()); err != nil {
			_ = d.Close()
			return nil, err
		}
	}
	return d, nil
}

// parseURL turns a database URL into a dialect and a driver DSN, creating
// a SQLite file's directory.
func parseURL(raw string) (Dialect, string, error) {
	dialect, err := urlDialect(raw)
	if err != nil || dialect == Postgres {
		return dialect, raw, err
	}
	path, query := sqliteFile(raw)
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", "", fmt.Errorf("database directory: %w", err)
		}
	}
	// Foreign keys are off by default in SQLite; WAL lets readers run beside
	// the writer; the busy timeout makes writers queue instead of failing,
	// and immediate transactions take the write lock at BEGIN, so two
	// writers never deadlock upgrading a read lock.
	pragmas := "_txlock=immediate&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	if query != "" {
		pragmas += "&" + query
	}
	return SQLite, "file:" + path + "?" + pragmas, nil
}

// sqliteFile splits a SQLite database URL into its file path and query.
func sqliteFile(raw string) (path, query string) {
	path = strings.TrimPrefix(raw, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	return path, query
}

// SQLitePath returns the file a database URL names when it is a SQLite one
// (empty meaning DefaultURL), and false for PostgreSQL, an in-memory
// database or a malformed URL. It touches nothing.
func SQLitePath(rawURL string) (string, bool) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	if strings.Contains(rawURL, "://") {
		return "", false
	}
	path, _ := sqliteFile(rawURL)
	if path == "" || path == ":memory:" {
		return "", false
	}
	return path, true
}

// withRuntimeParam adds a server setting to a postgres:// URL unless the URL
// sets it already (pgx sends unknown URL parameters as settings).
func withRuntimeParam(dsn, name, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Has(name) {
		return dsn
	}
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// redact hides a password in a URL for error messages and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable url)"
	}
	return u.Redacted()
}

// Redacted returns rawURL with any password masked, for logs.
func Redacted(rawURL string) string {
	if rawURL == "" {
		return DefaultURL
	}
	if strings.Contains(rawURL, "://") {
		return redact(rawURL)
	}
	return rawURL
}

// Dialect reports which engine this store runs on.
func (d *DB) Dialect() Dialect { return d.dialect.name() }

// Gorm exposes the underlying handle, for instrumentation such as statement counting.
func (d *DB) Gorm() *gorm.DB { return d.gorm }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the connection pool.
func (d *DB) Close() error {
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Transaction runs fn in one database transaction: all of its writes or none.
func (d *DB) Transaction(ctx context.Context, fn func(tx *DB) error) error {
	if d.writer != nil {
		// SQLite lets one transaction write at a time and hands its lock to
		// whichever waiter polls first: turns taken in order between clients
		// keep a flood of one client's writes from starving another's.
		if name := fair.Client(ctx); name != "" {
			if err := d.writer.Acquire(ctx, name, 0); err != nil {
				return err
			}
			defer d.writer.Release(name)
		}
	}
	held, release, err := d.hold(ctx)
	if err != nil {
		return err
	}
	defer release()
	return d.gorm.WithContext(held).Transaction(func(tx *gorm.DB) error {
		return fn(&DB{gorm: tx, dialect: d.dialect})
	})
}

// conn returns a session bound to ctx.
func (d *DB) conn(ctx context.Context) *gorm.DB {
	return d.gorm.WithContext(ctx)
}

// LockExclusive serializes transactions across processes that lock the same
// name, until the transaction ends: an advisory lock on PostgreSQL. SQLite
// needs none, as it allows one writing transaction at a time.
func (d *DB) LockExclusive(ctx context.Context, name string) error {
	return d.dialect.lockExclusive(d.conn(ctx), name)
}
