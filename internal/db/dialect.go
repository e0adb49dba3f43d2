package db

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// dialect is everything the store does differently per engine, so that
// the statements' other text is written once: dialect_postgres.go and
// dialect_sqlite.go hold one implementation each.
type dialect interface {
	name() Dialect

	// open returns the driver for dsn, tuned by opts.
	open(dsn string, opts Options) gorm.Dialector
	// defaultMaxConns is the pool's size when Options leave it.
	defaultMaxConns() int
	// writesInTurns tells whether one writing transaction runs at a time,
	// so that clients take turns at it (fair.Limiter).
	writesInTurns() bool
	// readsDirect tells whether page reads outside transactions may skip
	// database/sql (direct.go).
	readsDirect() bool
	// keepsSearchIndex tells whether the engine keeps the full-text index
	// itself (SQLite's FTS5 triggers); otherwise UpsertTraces writes the
	// per-trace documents (search_write.go).
	keepsSearchIndex() bool
	// tellsInserted tells whether the trace upsert can tell a row it
	// inserted from one it merged (insertedColumn), which the fast path of
	// new traces builds on (upsert_new.go).
	tellsInserted() bool

	// lockExclusive takes a transaction-scoped lock on name across
	// processes, if the engine needs one to serialize writers.
	lockExclusive(tx *gorm.DB, name string) error
	// lockMigrations serializes migrations across processes.
	lockMigrations(tx *gorm.DB) error
	// forUpdate is the clause locking the rows a SELECT reads.
	forUpdate() string
	// reserveIDs takes n ids of each table (see (*DB).reserveIDs).
	reserveIDs(ctx context.Context, g *gorm.DB, reqs []idRequest) ([][]int64, error)

	// inSet renders "column is one of ids" as one bound parameter.
	inSet(column string, ids []int64) (string, any)
	// inStrings renders "column is one of values" as one bound parameter.
	inStrings(column string, values []string) (string, any)
	// param is a statement parameter of SQL type typ.
	param(typ string) string
	// nullReal is a NULL floating-point value.
	nullReal() string
	// insertedColumn is the trace upsert's RETURNING column "inserted".
	insertedColumn() string
	// idList is the JSON array of the ids of table's rows of an agent call
	// (alias agent_call), in id order.
	idList(table string) string
	// addTotal, sumInt and sumOf render saturating integer rollups (saturate.go).
	addTotal(total, delta string) string
	sumInt(expr string) string
	sumOf(expr string) string
	// secondsBetween is end - start in seconds, as a float.
	secondsBetween(start, end string) string
	// timeBin is the start, in seconds since the epoch, of the bin of
	// binSeconds holding column's time, bins starting shift seconds
	// before a multiple of binSeconds.
	timeBin(column string, shift, binSeconds int64) string
	// ilike is the case-insensitive LIKE operator.
	ilike() string
	// textSearch keeps traces with a word starting with each of words.
	textSearch(words []string) Cond
	// pagesByParent is the statement of ListByParent.
	pagesByParent(q parentPages) (string, []any)
	// percentiles are the aggregate columns from which quantiles reads the
	// Percentiles of qx; percentileBase wraps the statement they read from.
	percentiles() []string
	percentileBase(inner, partition string) string
	quantiles(cols []sql.NullFloat64, count int64) []*float64
}

// dialectOf returns the implementation of an engine.
func dialectOf(name Dialect) dialect {
	if name == Postgres {
		return postgresDialect{}
	}
	return sqliteDialect{}
}

// parentPages is one ListByParent statement's parts: for each of parents
// in order, the first limit rows of table (alias t) with column equal to
// it, satisfying own, in orderBy.
type parentPages struct {
	table, column, cols, orderBy string
	parents                      []int64
	own                          Cond
	limit                        int
}
