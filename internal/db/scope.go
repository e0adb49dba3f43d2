package db

import (
	"context"
	"slices"

	"github.com/agentgraph/agentgraph/internal/apperr"
)

// A project scope travels in the context of a request made with an API key:
// every read of this package keeps only rows of the scope's projects, and
// every write by id checks the row's project first. Rows outside the scope
// look exactly like rows that do not exist, so ids cannot be probed.

type scopeKey struct{}

// WithProjectScope limits the store calls made with ctx to the given
// projects; an empty list allows none.
func WithProjectScope(ctx context.Context, projectIDs []int64) context.Context {
	ids := slices.Clone(projectIDs)
	if ids == nil {
		ids = []int64{}
	}
	return context.WithValue(ctx, scopeKey{}, ids)
}

// ProjectScope returns the projects ctx is limited to; ok is false when ctx
// may see every project.
func ProjectScope(ctx context.Context) (ids []int64, ok bool) {
	ids, ok = ctx.Value(scopeKey{}).([]int64)
	return ids, ok
}

// ProjectVisible reports whether ctx may see the project with id.
func ProjectVisible(ctx context.Context, id int64) bool {
	ids, scoped := ProjectScope(ctx)
	return !scoped || slices.Contains(ids, id)
}

// requireProject returns NOT_FOUND unless ctx may see the project.
func requireProject(ctx context.Context, id int64) error {
	if !ProjectVisible(ctx, id) {
		return apperr.NotFoundf("no project with id %d", id)
	}
	return nil
}

// scopeCond keeps the rows of table (alias t) inside ctx's scope; the zero
// Cond when ctx is not scoped.
func (d *DB) scopeCond(ctx context.Context, table string) Cond {
	ids, scoped := ProjectScope(ctx)
	if !scoped {
		return Cond{}
	}
	column := "t.project_id"
	if table == "project_info" {
		column = "t.id"
	}
	in, arg := d.inSet(column, ids)
	return Cond{SQL: in, Args: []any{arg}}
}

// visibleProjects returns ids without those outside ctx's scope, for
// statements keyed by project ids (their results stay in ids' order).
func visibleProjects(ctx context.Context, ids []int64) []int64 {
	if _, scoped := ProjectScope(ctx); !scoped {
		return ids
	}
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if ProjectVisible(ctx, id) {
			out = append(out, id)
		}
	}
	return out
}
