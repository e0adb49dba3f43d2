package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/budget"
)

// Kept for speed, measured: model reads through database/sql instead cost
// (b) 15-20% more CPU per request; a sql.Tx has no Raw, so transactions
// read through GORM.
//
// Page reads on PostgreSQL outside transactions skip database/sql: they
// run on the pgx connection under a pooled one (sql.Conn.Raw) and scan
// straight into the models' fields, without boxing every value into a
// driver.Value and converting it back (a sixth of the CPU of (b)).
// GORM's callbacks do not see them, so the store tells its own observers.

// DirectStatement is a statement the store ran without GORM.
type DirectStatement struct {
	SQL   string
	Table string
	Rows  int
	Took  time.Duration
}

// directReads holds what the root DB and its sessions share.
type directReads struct {
	mu        sync.RWMutex
	names     []string
	observers []func(ctx context.Context, s DirectStatement)
}

// OnDirectStatement registers fn under name (replacing one registered
// under it) to run after every statement the store runs without GORM, as
// GORM's callbacks run after the others: with both, an observer sees
// every statement.
func (d *DB) OnDirectStatement(name string, fn func(ctx context.Context, s DirectStatement)) {
	if d.direct == nil {
		return
	}
	d.direct.mu.Lock()
	defer d.direct.mu.Unlock()
	if i := slices.Index(d.direct.names, name); i >= 0 {
		d.direct.observers[i] = fn
		return
	}
	d.direct.names = append(d.direct.names, name)
	d.direct.observers = append(d.direct.observers, fn)
}

func (r *directReads) observed(ctx context.Context, s DirectStatement) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, fn := range r.observers {
		fn(ctx, s)
	}
}

// queryModelsDirect is queryModels through pgx. ok is false when the
// statement must go through GORM: not PostgreSQL, inside a transaction,
// or arguments and SQL it does not translate exactly (only plain values,
// no quotes, no named parameters).
func queryModelsDirect[T any](d *DB, p *rowPlan, g *gorm.DB, query string, args []any) (out []*T, ok bool, err error) {
	if d.direct == nil || !d.dialect.readsDirect() {
		return nil, false, nil
	}
	pool, isPool := g.Statement.ConnPool.(*sql.DB)
	if !isPool || strings.ContainsAny(query, `'"@$`) || !plainArgs(args) {
		return nil, false, nil
	}
	ctx := g.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	numbered := NumberPlaceholders(query)
	// A scan stopped by the request's budget cancels its statement rather
	// than drain the rest of the rows from the wire; pgx then drops the
	// connection and the pool replaces it.
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, true, err
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		sc, isPgx := driverConn.(*stdlib.Conn)
		if !isPgx {
			return errNotPgx
		}
		if sc.Conn().IsClosed() {
			return driver.ErrBadConn
		}
		rows, err := sc.Conn().Query(qctx, numbered, args...)
		if err != nil {
			if pgconn.SafeToRetry(err) {
				// Nothing reached the server (a connection that died in the
				// pool): as database/sql does, drop it and try another.
				return driver.ErrBadConn
			}
			return err
		}
		out, err = scanPgxModels[T](p, rows, budget.From(ctx), cancel)
		return err
	})
	if err == errNotPgx || errors.Is(err, driver.ErrBadConn) {
		// GORM's way, on a connection database/sql checks and replaces.
		return nil, false, nil
	}
	d.direct.observed(ctx, DirectStatement{SQL: numbered, Table: p.table, Rows: len(out), Took: time.Since(start)})
	return out, true, err
}

var errNotPgx = errors.New("the connection is not pgx's")

// plainArgs tells whether every argument reaches the statement as one
// parameter under GORM too (GORM expands slices and renders expressions).
func plainArgs(args []any) bool {
	for _, a := range args {
		switch a.(type) {
		case nil, string, int, int64, int32, float64, bool, time.Time, *string, *int64, *float64, *time.Time:
		default:
			return false
		}
	}
	return true
}

// NumberPlaceholders turns ? placeholders (GORM's, SQLite's) into
// PostgreSQL's $1, $2, ...
func NumberPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// scanPgxModels reads every row into new models T, each column straight
// into its field (times in UTC, as scanTime gives them), charging each to
// b; at the first row over the budget it calls abandon and stops.
func scanPgxModels[T any](p *rowPlan, rows pgx.Rows, b *budget.Budget, abandon func()) ([]*T, error) {
	defer rows.Close()
	fields := rows.FieldDescriptions()
	plan := make([]fieldPlan, len(fields))
	known := make([]bool, len(fields))
	for i, f := range fields {
		plan[i], known[i] = p.fields[strings.ToLower(f.Name)]
	}
	dest := make([]any, len(fields))
	charger := newRowCharger(b, p, plan, known)
	var out []*T
	for rows.Next() {
		row := new(T)
		base := unsafe.Pointer(row)
		for i, f := range plan {
			if !known[i] {
				dest[i] = nil // pgx skips the column
				continue
			}
			dest[i] = charger.dest(i, f, fieldDest(f, unsafe.Add(base, f.offset)))
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := charger.charge(base); err != nil {
			abandon()
			return nil, err
		}
		for i, f := range plan {
			if !known[i] {
				continue
			}
			ptr := unsafe.Add(base, f.offset)
			switch f.typ {
			case timeType:
				t := (*time.Time)(ptr)
				*t = t.UTC()
			case timePtrType:
				if t := *(**time.Time)(ptr); t != nil {
					*t = t.UTC()
				}
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// fieldDest is where pgx scans a column into field f of the row at ptr:
// the field itself, pointer fields taking NULL as nil.
func fieldDest(f fieldPlan, ptr unsafe.Pointer) any {
	switch f.typ {
	case timeType:
		return (*time.Time)(ptr)
	case timePtrType:
		return (**time.Time)(ptr)
	case int64Type:
		return (*int64)(ptr)
	case float64Type:
		return (*float64)(ptr)
	case int64Ptr:
		return (**int64)(ptr)
	case float64Ptr:
		return (**float64)(ptr)
	case stringPtr:
		return (**string)(ptr)
	case stringType:
		return (*string)(ptr)
	}
	return reflect.NewAt(f.typ, ptr).Interface()
}
