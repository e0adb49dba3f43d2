package db

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"
)

// errKeyInUse is why a round of new traces gave up its plain inserts: an
// external id of one of its rows is stored already (or sent twice). The
// batch is then written again the general way, which names the trace.
var errKeyInUse = errors.New("an external id of a new trace is in use")

// Kept for speed beside upsertRows: the only write of rows known new, on
// PostgreSQL's fast path for new traces (upsert_new.go).
//
// insertNewRows inserts rows whose ids are assigned already, with no
// conflict clause: the rows belong to traces this transaction created, so
// nothing may be stored under their keys. A key that is (a unique
// violation) is errKeyInUse. PostgreSQL only: one statement whatever the
// number of rows, each column sent as one binary array and unnested, so
// the statement's text never changes (it stays prepared) and no row costs
// a parameter of its own.
func insertNewRows[T any](g *gorm.DB, rows []*T) error {
	if len(rows) == 0 {
		return nil
	}
	plan, err := planFor[T](g)
	if err != nil {
		return err
	}
	query, err := unnestInsert(g, plan)
	if err != nil {
		return err
	}
	args := make([]any, len(plan.columns))
	for i, c := range plan.columns {
		if args[i], err = columnArray(plan.fields[c], rows); err != nil {
			return fmt.Errorf("insert %s.%s: %w", plan.table, c, err)
		}
	}
	if err := g.Exec(query, args...).Error; err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return fmt.Errorf("insert %s: %w (%s)", plan.table, errKeyInUse, pgErr.ConstraintName)
		}
		return fmt.Errorf("insert %s: %w", plan.table, err)
	}
	return nil
}

// unnestInserts caches each table's statement; every database this
// program opens has the same schema.
var unnestInserts sync.Map // table -> string

// unnestInsert is "INSERT INTO table (columns) SELECT * FROM unnest(...)"
// with one array parameter per column, cast to the column's type as the
// catalog gives it.
func unnestInsert(g *gorm.DB, plan *rowPlan) (string, error) {
	if q, ok := unnestInserts.Load(plan.table); ok {
		return q.(string), nil
	}
	var cols []struct {
		Name, Type string
	}
	err := g.Raw(`SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
		WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped`, plan.table).Scan(&cols).Error
	if err != nil {
		return "", fmt.Errorf("column types of %s: %w", plan.table, err)
	}
	types := make(map[string]string, len(cols))
	for _, c := range cols {
		types[c.Name] = c.Type
	}
	params := make([]string, len(plan.columns))
	for i, c := range plan.columns {
		typ, ok := types[c]
		if !ok {
			return "", fmt.Errorf("insert %s: no column %s", plan.table, c)
		}
		params[i] = "?::" + typ + "[]"
	}
	q := "INSERT INTO " + plan.table + " (" + strings.Join(plan.columns, ", ") + ") SELECT * FROM unnest(" + strings.Join(params, ", ") + ")"
	unnestInserts.Store(plan.table, q)
	return q, nil
}

// columnArray gathers one field of every row into a one-dimensional array
// that pgx encodes in binary; nil pointers become NULL elements. Other
// types (JSON documents) go as their driver values' text.
func columnArray[T any](f fieldPlan, rows []*T) (any, error) {
	at := func(i int) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(rows[i]), f.offset) }
	switch f.typ {
	case int64Type:
		return gather(rows, func(i int) int64 { return *(*int64)(at(i)) }), nil
	case int64Ptr:
		return gather(rows, func(i int) *int64 { return *(**int64)(at(i)) }), nil
	case float64Type:
		return gather(rows, func(i int) float64 { return *(*float64)(at(i)) }), nil
	case float64Ptr:
		return gather(rows, func(i int) *float64 { return *(**float64)(at(i)) }), nil
	case timeType:
		return gather(rows, func(i int) time.Time { return *(*time.Time)(at(i)) }), nil
	case timePtrType:
		return gather(rows, func(i int) *time.Time { return *(**time.Time)(at(i)) }), nil
	case stringType:
		return gather(rows, func(i int) string { return *(*string)(at(i)) }), nil
	case stringPtr:
		return gather(rows, func(i int) *string { return *(**string)(at(i)) }), nil
	}
	texts := make([]*string, len(rows))
	for i := range rows {
		v := f.valueAt(unsafe.Pointer(rows[i]))
		if valuer, ok := v.(driver.Valuer); ok {
			var err error
			if v, err = valuer.Value(); err != nil {
				return nil, err
			}
		}
		switch x := v.(type) {
		case nil:
		case string:
			texts[i] = &x
		case []byte:
			s := string(x)
			texts[i] = &s
		default:
			return nil, fmt.Errorf("no array encoding for %T", v)
		}
	}
	return array(texts), nil
}

func gather[T, E any](rows []*T, get func(i int) E) pgtype.Array[E] {
	out := make([]E, len(rows))
	for i := range rows {
		out[i] = get(i)
	}
	return array(out)
}

// array wraps elements for pgx; as a struct, GORM passes it on whole
// instead of expanding it into a list of parameters.
func array[E any](elements []E) pgtype.Array[E] {
	return pgtype.Array[E]{Elements: elements, Dims: []pgtype.ArrayDimension{{Length: int32(len(elements)), LowerBound: 1}}, Valid: true}
}
