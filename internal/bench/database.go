package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite": the same engine the
	// store runs on, for the hand-written bound.
	_ "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentgraph/agentgraph/internal/db"
)

// ourTables are the tables the store creates; a database holding only these,
// with no project, counts as empty.
var ourTables = map[string]bool{
	"schema_migrations": true, "project_info": true, "traces": true, "system_info": true, "agent_call": true,
	"llm_call": true, "tool_call": true, "user_interactions": true, "errors": true, "metrics": true,
	"sqlite_sequence": true,
}

// target is the database a run uses.
type target struct {
	url     string // what db.Open and the raw bound connect to
	dialect db.Dialect
	// about says in one line which database this is and what happens to it.
	about   string
	cleanup func() error
}

// prepareTarget picks the database of a run: a temporary SQLite file by
// default; for PostgreSQL a fresh database created on the server and dropped
// at the end, or with inPlace the given database itself, which must be
// empty unless reuse. A SQLite path given explicitly is used in place.
func prepareTarget(ctx context.Context, cfg Config) (*target, error) {
	raw := cfg.DatabaseURL
	isPG := strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://")
	switch {
	case raw == "":
		dir, err := os.MkdirTemp("", "agentgraph-bench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bench.db")
		t := &target{url: "sqlite:" + path, dialect: db.SQLite,
			about: fmt.Sprintf("sqlite, temporary file %s (removed at the end)", path)}
		t.cleanup = func() error { return os.RemoveAll(dir) }
		if cfg.Keep {
			t.about = fmt.Sprintf("sqlite, temporary file %s (kept: --keep)", path)
			t.cleanup = func() error { return nil }
		}
		return t, nil
	case !isPG:
		if strings.Contains(raw, "://") {
			return nil, fmt.Errorf("--database-url: use postgres://..., sqlite:PATH or a file path")
		}
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if err := checkSQLiteEmpty(ctx, path, cfg.Reuse); err != nil {
			return nil, err
		}
		return &target{url: raw, dialect: db.SQLite, cleanup: func() error { return nil },
			about: fmt.Sprintf("sqlite, file %s used in place (kept)", path)}, nil
	case cfg.InPlace || cfg.Reuse:
		if err := checkPostgresEmpty(ctx, raw, cfg.Reuse); err != nil {
			return nil, err
		}
		return &target{url: raw, dialect: db.Postgres, cleanup: func() error { return nil },
			about: fmt.Sprintf("postgres, database %s used in place (kept)", db.Redacted(raw))}, nil
	default:
		return freshPostgres(ctx, raw, cfg.Keep)
	}
}

// freshPostgres creates bench_<random> on the server of adminURL.
func freshPostgres(ctx context.Context, adminURL string, keep bool) (*target, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("--database-url: %w", err)
	}
	suffix := make([]byte, 5)
	_, _ = rand.Read(suffix)
	name := "bench_" + hex.EncodeToString(suffix)
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", db.Redacted(adminURL), err)
	}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	_ = admin.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	t := &target{url: u.String(), dialect: db.Postgres,
		about: fmt.Sprintf("postgres, fresh database %s on %s (dropped at the end)", name, u.Host)}
	t.cleanup = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	if keep {
		t.about = fmt.Sprintf("postgres, fresh database %s on %s (kept: --keep)", name, u.Host)
		t.cleanup = func() error { return nil }
	}
	return t, nil
}

// errNotEmpty explains how to run on a database that holds data.
func errNotEmpty(what string) error {
	return fmt.Errorf("%s is not empty; the benchmark writes into it, so it refuses: pass --reuse to run on it anyway, or leave out --in-place (PostgreSQL: a fresh database is created and dropped)", what)
}

// checkPostgresEmpty fails when the database holds other tables or projects.
func checkPostgresEmpty(ctx context.Context, rawURL string, reuse bool) error {
	if reuse {
		return nil
	}
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", db.Redacted(rawURL), err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return judgeEmpty(db.Redacted(rawURL), tables, func() (int64, error) {
		var n int64
		err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM project_info`).Scan(&n)
		return n, err
	})
}

// checkSQLiteEmpty fails when the file holds other tables or projects.
func checkSQLiteEmpty(ctx context.Context, path string, reuse bool) error {
	if reuse {
		return nil
	}
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && info.Size() == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	return judgeEmpty(path, tables, func() (int64, error) {
		var n int64
		err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM project_info`).Scan(&n)
		return n, err
	})
}

// judgeEmpty: empty means no table but ours, and no project.
func judgeEmpty(what string, tables []string, projects func() (int64, error)) error {
	hasProjects := false
	for _, t := range tables {
		if !ourTables[t] {
			return errNotEmpty(fmt.Sprintf("%s (it has the table %s)", what, t))
		}
		if t == "project_info" {
			hasProjects = true
		}
	}
	if !hasProjects {
		return nil
	}
	n, err := projects()
	if err != nil {
		return err
	}
	if n > 0 {
		return errNotEmpty(fmt.Sprintf("%s (it has %d projects)", what, n))
	}
	return nil
}

// rawDB runs the hand-written SQL of the bounds: pgx straight on
// PostgreSQL, database/sql with the pure-Go driver on SQLite. It counts the
// statements it sends (BEGIN and COMMIT excepted, as for the store).
type rawDB struct {
	dialect db.Dialect
	pg      *pgxpool.Pool
	sqlite  *sql.DB
	stmts   atomic.Int64
}

// rawRows is what both drivers' result sets have in common.
type rawRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

// openRaw connects the bound to the database at rawURL with a pool as large
// as the store's (16 connections on PostgreSQL, 4 on SQLite).
func openRaw(ctx context.Context, rawURL string, dialect db.Dialect) (*rawDB, error) {
	if dialect == db.Postgres {
		pcfg, err := pgxpool.ParseConfig(rawURL)
		if err != nil {
			return nil, err
		}
		pcfg.MaxConns = 16
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return nil, err
		}
		return &rawDB{dialect: dialect, pg: pool}, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	// The store's pragmas (internal/db): WAL, immediate write transactions.
	dsn := "file:" + path + "?_txlock=immediate&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(4)
	conn.SetMaxIdleConns(4)
	if err := conn.PingContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return &rawDB{dialect: dialect, sqlite: conn}, nil
}

func (r *rawDB) Close() {
	if r.pg != nil {
		r.pg.Close()
	}
	if r.sqlite != nil {
		_ = r.sqlite.Close()
	}
}

// sql adapts a query written with ? placeholders to the dialect.
func (r *rawDB) sql(q string) string {
	if r.dialect != db.Postgres {
		return q
	}
	return db.NumberPlaceholders(q)
}

// query runs a statement already adapted by sql.
func (r *rawDB) query(ctx context.Context, q string, args ...any) (rawRows, error) {
	r.stmts.Add(1)
	if r.pg != nil {
		return r.pg.Query(ctx, q, args...)
	}
	rows, err := r.sqlite.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// inIDs renders "column is one of ids" as one parameter, as the store does.
func (r *rawDB) inIDs(column string) string {
	if r.dialect == db.Postgres {
		return column + " = ANY(?)"
	}
	return column + " IN (SELECT value FROM json_each(?))"
}

// idsArg is the parameter of inIDs.
func (r *rawDB) idsArg(ids []int64) any {
	if r.dialect == db.Postgres {
		return ids
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte(']')
	return b.String()
}

// count returns the number of rows of a table.
func (r *rawDB) count(ctx context.Context, table string) (int64, error) {
	rows, err := r.query(ctx, "SELECT COUNT(*) FROM "+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

// anyTime scans a time from either driver: PostgreSQL gives time.Time,
// SQLite text where a column's declared type is lost (as in aggregates).
type anyTime struct{ T time.Time }

func (a *anyTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		a.T = v
		return nil
	case []byte:
		return a.Scan(string(v))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				a.T = t
				return nil
			}
		}
		return fmt.Errorf("cannot read %q as a time", v)
	}
	return fmt.Errorf("cannot read %T as a time", src)
}
