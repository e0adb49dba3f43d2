package load

import (
	"strings"

	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Page sizes of every connection.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// pageArgs are a connection's arguments as the client sent them. They are
// comparable, so loaders can batch every parent asking for the same page.
type pageArgs struct {
	First, Last   int
	HasLast       bool
	After, Before string
	// Filter and Sort are the canonical forms of the filter and orderBy
	// arguments (see listKind), empty when absent.
	Filter, Sort string
	// Omit lists the optional columns the selection does not read (omitFor).
	Omit string
}

// pageOf collects the four Relay arguments.
func pageOf(first *int, after *string, last *int, before *string) (pageArgs, error) {
	var a pageArgs
	if first != nil && last != nil {
		return a, apperr.Invalid("first", "give either first or last, not both")
	}
	a.First = DefaultPageSize
	if first != nil {
		if *first < 0 || *first > MaxPageSize {
			return a, apperr.Invalid("first", "must be between 0 and %d, got %d", MaxPageSize, *first)
		}
		a.First = *first
	}
	if last != nil {
		if *last < 0 || *last > MaxPageSize {
			return a, apperr.Invalid("last", "must be between 0 and %d, got %d", MaxPageSize, *last)
		}
		a.First, a.Last, a.HasLast = 0, *last, true
	}
	if after != nil {
		a.After = *after
	}
	if before != nil {
		a.Before = *before
	}
	return a, nil
}

// withListArgs adds a list's filter and orderBy arguments, typed or raw.
func (a pageArgs) withListArgs(kind *listKind, filter, orderBy any) (pageArgs, error) {
	var err error
	if a.Filter, err = kind.canonFilter(filter); err != nil {
		return a, apperr.Invalid("filter", "malformed")
	}
	if a.Sort, err = kind.canonSort(orderBy); err != nil {
		return a, apperr.Invalid("orderBy", "malformed")
	}
	return a, nil
}

// spec turns the arguments into SQL for a list of kind.
func (a pageArgs) spec(d *db.DB, kind *listKind) (db.Cond, db.Order, db.Page, error) {
	where, order, err := kind.spec(d, a.Filter, a.Sort)
	if err != nil {
		return where, order, db.Page{}, err
	}
	page, err := a.dbPage(order)
	return where, order, page, err
}

// dbPage turns the arguments into a storage page for a list in order.
func (a pageArgs) dbPage(order db.Order) (db.Page, error) {
	p := db.Page{Limit: a.First}
	if a.HasLast {
		p = db.Page{Limit: a.Last, Backward: true}
	}
	if a.Omit != "" {
		p.Omit = strings.Split(a.Omit, ",")
	}
	var err error
	if a.After != "" {
		if p.After, err = db.DecodeCursor("after", a.After, order); err != nil {
			return p, err
		}
	}
	if a.Before != "" {
		if p.Before, err = db.DecodeCursor("before", a.Before, order); err != nil {
			return p, err
		}
	}
	return p, nil
}
