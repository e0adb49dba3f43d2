package db

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// Order is the sort of a list: a column, with the row id as tie-breaker in the
// same direction, so every position in the list is a unique keyset. A column
// that may be NULL sorts as if NULL were NullsAs. Kind is what the column
// holds, which its cursors must hold too.
type Order struct {
	column  string // a column of the table, from the orders below only
	Kind    SortKind
	Desc    bool
	NullsAs *float64
}

// SortKind is the kind of value a list is sorted by.
type SortKind uint8

// The kinds of sort values.
const (
	SortByID      SortKind = iota // the row id alone (Column "id")
	SortByTime                    // a time column
	SortByReal                    // a floating-point column
	SortByInteger                 // a 64-bit integer column
)

// expr is the SQL the list sorts by, over alias t.
func (o Order) expr() string {
	if o.NullsAs != nil {
		return fmt.Sprintf("COALESCE(t.%s, %v)", o.column, *o.NullsAs)
	}
	return "t." + o.column
}

// Cond is an SQL condition on the rows of a list (alias t) with its
// arguments; the zero Cond holds for every row.
type Cond struct {
	SQL  string
	Args []any
}

// And joins conditions.
func And(conds ...Cond) Cond {
	var out Cond
	for _, c := range conds {
		if c.SQL == "" {
			continue
		}
		if out.SQL != "" {
			out.SQL += " AND "
		}
		out.SQL += "(" + c.SQL + ")"
		out.Args = append(out.Args, c.Args...)
	}
	return out
}

// Page selects a window of a list, Relay style: the first Limit rows between
// After and Before, or with Backward the last Limit rows between them.
type Page struct {
	Limit    int
	Backward bool
	After    *Cursor
	Before   *Cursor
	// Omit names columns not to read (large texts nobody asked for); they
	// stay zero in the rows returned. The sort and parent columns must not
	// be among them.
	Omit []string
}

// Cursor is a position in a list: the sort column's value and the row id.
type Cursor struct {
	Column string     `json:"c"`
	Time   *time.Time `json:"t,omitempty"`
	Num    *float64   `json:"n,omitempty"`
	Key    string     `json:"k,omitempty"` // a text tie-breaker, for lists without row ids
	ID     int64      `json:"i"`
	// integer is Num as an integer, for a list sorted by an integer column.
	integer *int64
}

// value is the sort column's value, or nil when the list sorts by id alone.
func (c *Cursor) value() any {
	switch {
	case c.integer != nil:
		return *c.integer
	case c.Time != nil:
		return c.Time.UTC()
	case c.Num != nil:
		return *c.Num
	}
	return nil
}

// Encode returns the cursor as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by Encode for a list sorted by order.
// Whatever the client sends, a cursor it returns holds a value of the
// order's kind in the column's range, so it binds into SQL as that column's
// type; anything else is an INVALID_ARGUMENT error naming field.
func DecodeCursor(field, s string, order Order) (*Cursor, error) {
	malformed := apperr.Invalid(field, "malformed cursor")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, malformed
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 {
		return nil, malformed
	}
	if c.Column != order.column {
		return nil, apperr.Invalid(field, "cursor belongs to a list in another order")
	}
	if CheckText(field, c.Key) != nil {
		return nil, malformed
	}
	ok := false
	switch order.Kind {
	case SortByID:
		ok = c.Time == nil && c.Num == nil
	case SortByTime:
		ok = c.Time != nil && c.Num == nil
	case SortByReal:
		ok = c.Time == nil && c.Num != nil
	case SortByInteger:
		// Encode writes integers as JSON numbers; beyond 2^53 they are
		// rounded, and 2^63 stands for the largest.
		ok = c.Time == nil && c.Num != nil && *c.Num == math.Trunc(*c.Num) && math.Abs(*c.Num) <= 1<<63
		if ok {
			n := saturate(*c.Num)
			c.integer = &n
		}
	}
	if !ok {
		return nil, malformed
	}
	return &c, nil
}

// PageResult is one parent's page of rows, in list order.
type PageResult[T any] struct {
	Rows            []*T
	HasNextPage     bool
	HasPreviousPage bool
}
