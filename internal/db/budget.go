package db

import (
	"context"
	"database/sql"
	"reflect"
	"unsafe"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/budget"
)

// Reads charge the memory budget of their request (internal/budget) row by
// row, as rows are scanned: a row weighs rowAllowance plus its size in
// memory plus the bytes of its text and JSON columns. That is what the rows
// hold while the request lasts (loaders keep them to the end); the answer
// written from them is charged where it is built (graph's answer buffer).
// Once the budget is spent a scan stops at once and no new statement of the
// request starts, so a request asking for too much fails early instead of
// taking the server's memory.

// rowAllowance is what a row costs beyond its struct and its texts: the
// pointers and boxes the drivers and the executor make for its fields.
const rowAllowance = 256

// textKind says how a field's bytes are measured.
type textKind uint8

const (
	notText       textKind = iota
	textString             // string
	textStringPtr          // *string
	textBytes              // RawJSON and other byte slices
	textScanned            // a type that decodes itself (JSON[V]): the bytes it was decoded from
)

var scannerType = reflect.TypeFor[sql.Scanner]()

// textKindOf classifies a model field's type.
func textKindOf(t reflect.Type) textKind {
	switch {
	case t == stringType:
		return textString
	case t == stringPtr:
		return textStringPtr
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return textBytes
	case t != timeType && t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(scannerType):
		return textScanned
	}
	return notText
}

// rowCharger charges the rows of one statement to a budget. Its slices are
// made once per statement, so charging allocates nothing per row.
type rowCharger struct {
	b     *budget.Budget
	base  int64
	texts []textColumn
	sized []sizedScan // by column, for textScanned columns
}

type textColumn struct {
	col    int
	offset uintptr
	kind   textKind
}

// newRowCharger prepares the charging of rows of p whose columns are plan
// (known: the column has a field). With no budget it charges nothing.
func newRowCharger(b *budget.Budget, p *rowPlan, plan []fieldPlan, known []bool) rowCharger {
	if b == nil || b.Limit() <= 0 {
		return rowCharger{}
	}
	c := rowCharger{b: b, base: p.rowBytes}
	for i, f := range plan {
		if !known[i] {
			continue
		}
		if f.text != notText {
			c.texts = append(c.texts, textColumn{col: i, offset: f.offset, kind: f.text})
			if f.text == textScanned && c.sized == nil {
				c.sized = make([]sizedScan, len(plan))
			}
		}
	}
	return c
}

// dest returns where column i scans to: dst itself, or a wrapper measuring
// what a self-decoding column is decoded from.
func (c *rowCharger) dest(i int, f fieldPlan, dst any) any {
	if c.sized == nil || f.text != textScanned {
		return dst
	}
	s, ok := dst.(sql.Scanner)
	if !ok {
		return dst
	}
	c.sized[i] = sizedScan{dst: s}
	return &c.sized[i]
}

// charge charges the row at base, scanned; it fails once the budget is spent.
func (c *rowCharger) charge(base unsafe.Pointer) error {
	if c.b == nil {
		return nil
	}
	n := c.base
	for _, t := range c.texts {
		ptr := unsafe.Add(base, t.offset)
		switch t.kind {
		case textString:
			n += int64(len(*(*string)(ptr)))
		case textStringPtr:
			if s := *(**string)(ptr); s != nil {
				n += int64(len(*s))
			}
		case textBytes:
			n += int64(len(*(*[]byte)(ptr)))
		case textScanned:
			// Decoded values hold about what they were decoded from.
			n += int64(c.sized[t.col].n)
		}
	}
	return c.b.Charge(n)
}

// sizedScan records the size of what its destination scans.
type sizedScan struct {
	dst sql.Scanner
	n   int
}

func (s *sizedScan) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		s.n = len(v)
	case string:
		s.n = len(v)
	default:
		s.n = 0
	}
	return s.dst.Scan(src)
}

// overBudget returns the budget error of a request that has spent its
// budget, so that it starts no new statement; nil otherwise.
func overBudget(g *gorm.DB) error {
	if g.Statement.Context == nil {
		return nil
	}
	return budget.Charge(g.Statement.Context, 0)
}

// refuseOverBudget makes GORM's reads fail, before they run, for requests
// that have spent their memory budget.
func refuseOverBudget(g *gorm.DB) error {
	refuse := func(tx *gorm.DB) {
		if tx.Error == nil {
			if err := overBudget(tx); err != nil {
				_ = tx.AddError(err)
			}
		}
	}
	cb := g.Callback()
	if err := cb.Query().Before("gorm:query").Register("budget:refuse", refuse); err != nil {
		return err
	}
	return cb.Row().Before("gorm:row").Register("budget:refuse", refuse)
}

// scanCharged reads the rows of q one at a time into Ts through GORM,
// charging each to ctx's budget (its struct, rowAllowance and the bytes
// texts counts in it), for reads that do not go through a row plan.
func scanCharged[T any](ctx context.Context, d *DB, q *gorm.DB, texts func(*T) int) ([]T, error) {
	if err := overBudget(q); err != nil {
		return nil, err
	}
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := budget.From(ctx)
	var out []T
	for rows.Next() {
		var row T
		if err := d.conn(ctx).ScanRows(rows, &row); err != nil {
			return nil, err
		}
		if err := b.Charge(int64(unsafe.Sizeof(row)) + rowAllowance + int64(texts(&row))); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// lenOf is the length of an optional text.
func lenOf(s *string) int {
	if s == nil {
		return 0
	}
	return len(*s)
}
