package db

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/agentgraph/agentgraph/internal/budget"
)

// The read path of model rows (queryModels, and List, ListByParent,
// FindByIDs and findRows on it) scans rows into the models itself rather
// than through GORM's Scan, which reflects over every field of every row:
// a plan per model, built once from GORM's schema, maps each column to the
// offset and type of its field, and a row is scanned straight into a new
// model, charged to the request's budget. On PostgreSQL outside
// transactions the rows come from pgx directly (direct.go). Aggregates and
// scalars (counts, stats, RETURNING of writes) go through GORM's Scan.

// rowPlan is how rows of one model are read.
type rowPlan struct {
	table   string
	columns []string // every column of the model, in field order
	fields  map[string]fieldPlan
	id      fieldPlan
	// rowBytes is what a row weighs in a request's budget before its texts.
	rowBytes int64
}

// fieldPlan locates a column's field in the model.
type fieldPlan struct {
	offset uintptr
	typ    reflect.Type
	text   textKind // how its bytes count against a request's budget
}

var plans sync.Map // reflect.Type -> *rowPlan

var (
	timeType    = reflect.TypeFor[time.Time]()
	timePtrType = reflect.TypeFor[*time.Time]()
	int64Type   = reflect.TypeFor[int64]()
	int64Ptr    = reflect.TypeFor[*int64]()
	float64Type = reflect.TypeFor[float64]()
	float64Ptr  = reflect.TypeFor[*float64]()
	stringType  = reflect.TypeFor[string]()
	stringPtr   = reflect.TypeFor[*string]()
)

// planOf returns the plan of model T, parsed with GORM's naming once.
func planOf[T any](d *DB) (*rowPlan, error) { return planFor[T](d.gorm) }

func planFor[T any](g *gorm.DB) (*rowPlan, error) {
	rt := reflect.TypeFor[T]()
	if p, ok := plans.Load(rt); ok {
		return p.(*rowPlan), nil
	}
	stmt := &gorm.Statement{DB: g}
	if err := stmt.Parse(new(T)); err != nil {
		return nil, err
	}
	p, err := buildPlan(rt, stmt.Schema)
	if err != nil {
		return nil, err
	}
	plans.Store(rt, p)
	return p, nil
}

func buildPlan(rt reflect.Type, sch *schema.Schema) (*rowPlan, error) {
	p := &rowPlan{table: sch.Table, fields: map[string]fieldPlan{}, rowBytes: int64(rt.Size()) + rowAllowance}
	for _, f := range sch.Fields {
		if f.DBName == "" {
			continue
		}
		// The field's offset through embedded structs (never pointers here).
		var off uintptr
		t := rt
		for _, i := range f.StructField.Index {
			sf := t.Field(i)
			if sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct && sf.Type != timePtrType {
				return nil, fmt.Errorf("scan plan %s: field %s is behind a pointer", sch.Table, f.Name)
			}
			off += sf.Offset
			t = sf.Type
		}
		fp := fieldPlan{offset: off, typ: t, text: textKindOf(t)}
		if _, dup := p.fields[f.DBName]; dup {
			continue
		}
		p.fields[f.DBName] = fp
		p.columns = append(p.columns, f.DBName)
	}
	id, ok := p.fields["id"]
	if !ok || id.typ != int64Type {
		return nil, fmt.Errorf("scan plan %s: no int64 id", sch.Table)
	}
	p.id = id
	return p, nil
}

// selectList renders the columns of alias t to read, every column but
// those in omit (which stay zero in the rows read).
func (p *rowPlan) selectList(omit []string) string {
	if len(omit) == 0 {
		return "t.*"
	}
	var b strings.Builder
	for _, c := range p.columns {
		skip := false
		for _, o := range omit {
			if o == c {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString("t.")
		b.WriteString(c)
	}
	return b.String()
}

// int64At reads the int64 column of a row.
func (p *rowPlan) int64At(row unsafe.Pointer, column string) (int64, bool) {
	f, ok := p.fields[column]
	if !ok {
		return 0, false
	}
	switch f.typ {
	case int64Type:
		return *(*int64)(unsafe.Add(row, f.offset)), true
	case int64Ptr:
		if v := *(**int64)(unsafe.Add(row, f.offset)); v != nil {
			return *v, true
		}
		return 0, true
	}
	return 0, false
}

// timeScan reads a time column into a time.Time field: a time.Time from
// PostgreSQL, text from SQLite where it cannot see the column's type.
type timeScan struct{ dst *time.Time }

func (s *timeScan) Scan(src any) error {
	var t scanTime
	if err := t.Scan(src); err != nil {
		return err
	}
	if !t.Valid {
		return fmt.Errorf("time column: NULL in a NOT NULL field")
	}
	*s.dst = t.Time
	return nil
}

// nullTimeScan reads a nullable time column into a *time.Time field.
type nullTimeScan struct{ dst **time.Time }

func (s *nullTimeScan) Scan(src any) error {
	var t scanTime
	if err := t.Scan(src); err != nil {
		return err
	}
	*s.dst = t.ptr()
	return nil
}

// discard takes a column the model has no field for.
type discard struct{}

func (discard) Scan(any) error { return nil }

// scanModels reads every row of rows into new models T, charging each to
// b; it stops at the first row over the budget.
func scanModels[T any](p *rowPlan, rows *sql.Rows, b *budget.Budget) ([]*T, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	plan := make([]fieldPlan, len(cols))
	known := make([]bool, len(cols))
	for i, c := range cols {
		plan[i], known[i] = p.fields[strings.ToLower(c)]
	}
	dest := make([]any, len(cols))
	times := make([]timeScan, len(cols))
	nullTimes := make([]nullTimeScan, len(cols))
	nullStrings := make([]nullStringScan, len(cols))
	nullInts := make([]nullInt64Scan, len(cols))
	nullFloats := make([]nullFloat64Scan, len(cols))
	charger := newRowCharger(b, p, plan, known)
	var out []*T
	for rows.Next() {
		row := new(T)
		base := unsafe.Pointer(row)
		for i, f := range plan {
			if !known[i] {
				dest[i] = discard{}
				continue
			}
			ptr := unsafe.Add(base, f.offset)
			switch f.typ {
			case timeType:
				times[i].dst = (*time.Time)(ptr)
				dest[i] = &times[i]
			case timePtrType:
				nullTimes[i].dst = (**time.Time)(ptr)
				dest[i] = &nullTimes[i]
			case int64Ptr:
				nullInts[i].dst = (**int64)(ptr)
				dest[i] = &nullInts[i]
			case float64Ptr:
				nullFloats[i].dst = (**float64)(ptr)
				dest[i] = &nullFloats[i]
			case stringPtr:
				nullStrings[i].dst = (**string)(ptr)
				dest[i] = &nullStrings[i]
			default:
				// Plain values, and types that scan themselves.
				dest[i] = charger.dest(i, f, fieldDest(f, ptr))
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if err := charger.charge(base); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// queryModels runs query and scans its rows into models T.
// A request over its memory budget runs no more statements.
func queryModels[T any](d *DB, p *rowPlan, ctxDB *gorm.DB, query string, args ...any) ([]*T, error) {
	if err := overBudget(ctxDB); err != nil {
		return nil, err
	}
	ctxDB, release, err := d.holdSession(ctxDB) // for the whole read of the rows
	if err != nil {
		return nil, err
	}
	defer release()
	if out, ok, err := queryModelsDirect[T](d, p, ctxDB, query, args); ok {
		return out, err
	}
	rows, err := ctxDB.Raw(query, args...).Rows()
	if err != nil {
		return nil, err
	}
	return scanModels[T](p, rows, budget.From(ctxDB.Statement.Context))
}

// valueAt returns the value of a row's field for a statement argument:
// plain values, nil for nil pointers, driver.Valuers as they are.
func (f fieldPlan) valueAt(row unsafe.Pointer) any {
	ptr := unsafe.Add(row, f.offset)
	switch f.typ {
	case int64Type:
		return *(*int64)(ptr)
	case float64Type:
		return *(*float64)(ptr)
	case timeType:
		return *(*time.Time)(ptr)
	case stringType:
		return *(*string)(ptr)
	case int64Ptr:
		if v := *(**int64)(ptr); v != nil {
			return *v
		}
		return nil
	case float64Ptr:
		if v := *(**float64)(ptr); v != nil {
			return *v
		}
		return nil
	case timePtrType:
		if v := *(**time.Time)(ptr); v != nil {
			return *v
		}
		return nil
	case stringPtr:
		if v := *(**string)(ptr); v != nil {
			return *v
		}
		return nil
	}
	return reflect.NewAt(f.typ, ptr).Elem().Interface()
}
