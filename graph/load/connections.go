package load

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/graph/relay"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// Connections serves the pages of e for sibling parents (a batch
// resolver): one statement for the parents' whole cohort, whatever the
// number of lists they sit in. filter and orderBy are the connection's
// typed arguments (nil when absent).
func Connections[P, C any](ctx context.Context, e Edge[P, C], parents []*P, first *int, after *string, last *int, before *string, filter, orderBy any) ([]*model.Connection[C], error) {
	args, err := pageOf(first, after, last, before)
	if err == nil {
		args, err = args.withListArgs(e.kind, filter, orderBy)
	}
	if err != nil {
		return nil, err
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		args.Omit = omitFor(ctx, e.kind, fc.Field.Selections)
	}
	l := loadersFrom(ctx)
	_, order, _, err := args.spec(l.store, e.kind)
	if err != nil {
		return nil, err
	}
	cohort := Of(&l.cohorts, parents)
	pageKeys := func(rows []*P) []pageKey {
		keys := make([]pageKey, len(rows))
		for i, r := range rows {
			keys[i] = pageKey{parentID: e.parentID(r), args: args}
		}
		return keys
	}
	res, err := e.pages(l).LoadFor(ctx, pageKeys(cohort), pageKeys(parents))
	if err != nil {
		return nil, err
	}
	var once sync.Once
	var countKeys []countKey // the cohort's, made on the first totalCount
	out := make([]*model.Connection[C], len(parents))
	for i, page := range res {
		key := countKey{parentID: e.parentID(parents[i]), filter: args.Filter}
		out[i] = connectionOf(ctx, l.store, page, order, func(ctx context.Context) (int64, error) {
			once.Do(func() {
				countKeys = make([]countKey, len(cohort))
				for j, r := range cohort {
					countKeys[j] = countKey{parentID: e.parentID(r), filter: args.Filter}
				}
			})
			n, err := e.counts(l).LoadFor(ctx, countKeys, []countKey{key})
			if err != nil {
				return 0, err
			}
			return n[0], nil
		})
	}
	return out, nil
}

// FirstChildren serves the first row of e for each parent, or nil.
func FirstChildren[P, C any](ctx context.Context, e Edge[P, C], parents []*P) ([]*C, error) {
	l := loadersFrom(ctx)
	pageKeys := func(rows []*P) []pageKey {
		keys := make([]pageKey, len(rows))
		for i, r := range rows {
			keys[i] = pageKey{parentID: e.parentID(r), args: pageArgs{First: 1}}
		}
		return keys
	}
	res, err := e.pages(l).LoadFor(ctx, pageKeys(Of(&l.cohorts, parents)), pageKeys(parents))
	if err != nil {
		return nil, err
	}
	out := make([]*C, len(parents))
	for i, page := range res {
		if len(page.Rows) > 0 {
			out[i] = page.Rows[0]
		}
	}
	return out, nil
}

// pages returns the request's loader of e's pages: one statement per
// distinct page arguments, whatever the number of parents.
func (e Edge[P, C]) pages(l *Loaders) *Batch[pageKey, db.PageResult[C]] {
	return batch(l, &e.slot(l).rows, e.name, groupedBatch(
		func(k pageKey) (pageArgs, int64) { return k.args, k.parentID },
		func(ctx context.Context, args pageArgs, parents []int64) ([]db.PageResult[C], error) {
			where, order, page, err := args.spec(l.store, e.kind)
			if err != nil {
				return nil, err
			}
			res, err := db.ListByParent[C](ctx, l.store, e.column, parents, where, order, page)
			if err == nil {
				var all []*C
				for _, r := range res {
					all = append(all, r.Rows...)
				}
				Add(&l.cohorts, all)
			}
			return res, err
		}))
}

// counts returns the request's loader of the sizes of e's lists.
func (e Edge[P, C]) counts(l *Loaders) *Batch[countKey, int64] {
	return batch(l, &e.slot(l).counts, e.name+"Count", groupedBatch(
		func(k countKey) (string, int64) { return k.filter, k.parentID },
		func(ctx context.Context, filter string, parents []int64) ([]int64, error) {
			where, _, err := e.kind.spec(l.store, filter, "")
			if err != nil {
				return nil, err
			}
			return db.CountByParent[C](ctx, l.store, e.column, parents, where)
		}))
}

// groupedBatch builds a fetch for keys made of a group (page arguments, a
// filter, a time range) and a parent id: one call of run per distinct
// group, its results put back in key order.
func groupedBatch[K, G comparable, V any](split func(K) (G, int64), run func(context.Context, G, []int64) ([]V, error)) Fetch[K, V] {
	return func(ctx context.Context, keys []K) ([]V, error) {
		out := make([]V, len(keys))
		groups := map[G][]int{}
		var order []G
		for i, k := range keys {
			g, _ := split(k)
			if _, seen := groups[g]; !seen {
				order = append(order, g)
			}
			groups[g] = append(groups[g], i)
		}
		for _, g := range order {
			idx := groups[g]
			parents := make([]int64, len(idx))
			for j, i := range idx {
				_, parents[j] = split(keys[i])
			}
			values, err := run(ctx, g, parents)
			if err != nil {
				return nil, err
			}
			for j, i := range idx {
				out[i] = values[j]
			}
		}
		return out, nil
	}
}

// References serves, for sibling rows, the rows their reference points to
// (nil for a nil reference); a missing row breaks a foreign key and is an
// internal error.
func References[P, T any](ctx context.Context, ent Entity[T], rows []*P, ref func(*P) *int64) ([]*T, error) {
	l := loadersFrom(ctx)
	ids := func(rows []*P) []int64 {
		out := make([]int64, 0, len(rows))
		for _, r := range rows {
			if id := ref(r); id != nil {
				out = append(out, *id)
			}
		}
		return out
	}
	want := ids(rows)
	found, err := ent.byIDs(ctx, ids(Of(&l.cohorts, rows)), want)
	if err != nil {
		return nil, err
	}
	out := make([]*T, len(rows))
	j := 0
	for i, r := range rows {
		id := ref(r)
		if id == nil {
			continue
		}
		if found[j] == nil {
			return nil, apperr.New(apperr.Internal, "internal error: dangling reference to %s %d", ent.TypeName, *id)
		}
		out[i] = found[j]
		j++
	}
	return out, nil
}

// RootList serves a page of every row of T of a list kind.
func RootList[T any](ctx context.Context, store *db.DB, kind *listKind, first *int, after *string, last *int, before *string, filter, orderBy any) (*model.Connection[T], error) {
	args, err := pageOf(first, after, last, before)
	if err == nil {
		args, err = args.withListArgs(kind, filter, orderBy)
	}
	if err != nil {
		return nil, err
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		args.Omit = omitFor(ctx, kind, fc.Field.Selections)
	}
	where, order, page, err := args.spec(store, kind)
	if err != nil {
		return nil, err
	}
	res, err := db.List[T](ctx, store, where, order, page)
	if err != nil {
		return nil, err
	}
	Add(&loadersFrom(ctx).cohorts, res.Rows)
	return connectionOf(ctx, store, res, order, func(ctx context.Context) (int64, error) {
		return db.Count[T](ctx, store, where)
	}), nil
}

// connectionOf wraps a page of rows as a Relay connection; cursors are
// computed only if edges or pageInfo are selected.
func connectionOf[T any](ctx context.Context, store *db.DB, res db.PageResult[T], order db.Order, count func(context.Context) (int64, error)) *model.Connection[T] {
	return &model.Connection[T]{
		Nodes:           res.Rows,
		HasNextPage:     res.HasNextPage,
		HasPreviousPage: res.HasPreviousPage,
		Count: func(ctx context.Context) (int, error) {
			n, err := count(ctx)
			return int(n), err
		},
		CursorOf: func(row *T) (string, error) {
			c, err := db.CursorOf(ctx, store, row, order)
			if err != nil {
				return "", err
			}
			return c.Encode(), nil
		},
	}
}

// Lookup serves a row by global id for a root query, NOT_FOUND when missing.
func Lookup[T any](ctx context.Context, ent Entity[T], id string) (*T, error) {
	rowID, err := relay.ParseTyped("id", id, ent.TypeName)
	if err != nil {
		return nil, err
	}
	rows, err := ent.atRoot(ctx, []int64{rowID})
	if err == nil && rows[0] == nil {
		err = apperr.NotFoundf("no %s with id %q", ent.TypeName, id)
	}
	if err != nil {
		return nil, err
	}
	return rows[0], nil
}

// ProjectByName serves a project by name for a root query.
func ProjectByName(ctx context.Context, store *db.DB, name string) (*db.Project, error) {
	return store.FindProjectByName(ctx, name)
}
