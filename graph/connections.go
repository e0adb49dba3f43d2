package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// children serves one parent's page of e through the request's loaders;
// filter and orderBy are the connection's typed arguments (nil when absent).
func children[T any](ctx context.Context, e edge[T], parentID int64, first *int, after *string, last *int, before *string, filter, orderBy any) (*model.Connection[T], error) {
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
	res, err := pageLoader(l, e).Load(ctx, pageKey{parentID: parentID, args: args})()
	if err != nil {
		return nil, err
	}
	return connectionOf(ctx, l.store, res, order, func(ctx context.Context) (int64, error) {
		return countLoader(l, e).Load(ctx, countKey{parentID: parentID, filter: args.Filter})()
	})
}

// child serves the first row of e for one parent, or nil.
func child[T any](ctx context.Context, e edge[T], parentID int64) (*T, error) {
	res, err := pageLoader(loadersFrom(ctx), e).Load(ctx, pageKey{parentID: parentID, args: pageArgs{First: 1}})()
	if err != nil || len(res.Rows) == 0 {
		return nil, err
	}
	return res.Rows[0], nil
}

// rootList serves a page of every row of T of a list kind.
func rootList[T any](ctx context.Context, store *db.DB, kind *listKind, first *int, after *string, last *int, before *string, filter, orderBy any) (*model.Connection[T], error) {
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
	prefetchBelow(ctx, res.Rows, true)
	return connectionOf(ctx, store, res, order, func(ctx context.Context) (int64, error) {
		return db.Count[T](ctx, store, where)
	})
}

// connectionOf wraps a page of rows as a Relay connection; cursors are
// computed only if edges or pageInfo are selected.
func connectionOf[T any](ctx context.Context, store *db.DB, res db.PageResult[T], order db.Order, count func(context.Context) (int64, error)) (*model.Connection[T], error) {
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
	}, nil
}

// parent serves the row a child points to; a missing row breaks a foreign
// key and is an internal error.
func parent[T any](ctx context.Context, ent entity[T], id int64) (*T, error) {
	row, err := byIDLoader(loadersFrom(ctx), ent).Load(ctx, id)()
	if err == nil && row == nil {
		err = apperr.New(apperr.Internal, "internal error: dangling reference to %s %d", ent.typeName, id)
	}
	return row, err
}

// optionalParent serves the row a nullable reference points to, or nil.
func optionalParent[T any](ctx context.Context, ent entity[T], id *int64) (*T, error) {
	if id == nil {
		return nil, nil
	}
	return byIDLoader(loadersFrom(ctx), ent).Load(ctx, *id)()
}

// lookup serves a row by global id for a root query, NOT_FOUND when missing.
func lookup[T any](ctx context.Context, ent entity[T], id string) (*T, error) {
	rowID, err := parseTypedID("id", id, ent.typeName)
	if err != nil {
		return nil, err
	}
	row, err := byIDLoader(loadersFrom(ctx), ent).Load(ctx, rowID)()
	if err == nil && row == nil {
		err = apperr.NotFoundf("no %s with id %q", ent.typeName, id)
	}
	if err != nil {
		return nil, err
	}
	prefetchBelow(ctx, []*T{row}, false)
	return row, nil
}

// projectByName serves a project by name for a root query.
func projectByName(ctx context.Context, store *db.DB, name string) (*db.Project, error) {
	p, err := store.FindProjectByName(ctx, name)
	if err != nil {
		return nil, err
	}
	prefetchBelow(ctx, []*db.Project{p}, false)
	return p, nil
}
