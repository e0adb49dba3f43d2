package load

import (
	"context"
	"encoding/json"

	"github.com/agentgraph/agentgraph/graph/model"
	"github.com/agentgraph/agentgraph/internal/apperr"
	"github.com/agentgraph/agentgraph/internal/db"
)

// ErrorGroups serves the error groups of sibling projects, one statement
// for the projects' cohort.
func ErrorGroups(ctx context.Context, projects []*db.Project, first *int, after *string, last *int, before *string, filter *model.ErrorGroupFilter) ([]*model.Connection[db.ErrorGroup], error) {
	args, err := pageOf(first, after, last, before)
	if err != nil {
		return nil, err
	}
	if args.Filter, err = canonical[model.ErrorGroupFilter](filter, nil); err != nil {
		return nil, apperr.Invalid("filter", "malformed")
	}
	if _, err := args.dbPage(db.ErrorGroupOrder); err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	slot := &l.ErrorGroupsByProjectID
	rows := batch(l, &slot.rows, "errorGroupsByProjectID", groupedBatch(
		func(k pageKey) (pageArgs, int64) { return k.args, k.parentID },
		func(ctx context.Context, a pageArgs, ids []int64) ([]db.PageResult[db.ErrorGroup], error) {
			page, err := a.dbPage(db.ErrorGroupOrder)
			if err != nil {
				return nil, err
			}
			f, err := errorGroupFilter(a.Filter)
			if err != nil {
				return nil, err
			}
			return l.store.ErrorGroupsFor(ctx, ids, f, page)
		}))
	cohort := Of(&l.cohorts, projects)
	pageKeys := func(ps []*db.Project) []pageKey {
		out := make([]pageKey, len(ps))
		for i, p := range ps {
			out[i] = pageKey{parentID: p.ID, args: args}
		}
		return out
	}
	res, err := rows.LoadFor(ctx, pageKeys(cohort), pageKeys(projects))
	if err != nil {
		return nil, err
	}
	counts := batch(l, &slot.counts, "errorGroupCountByProjectID", groupedBatch(
		func(k countKey) (string, int64) { return k.filter, k.parentID },
		func(ctx context.Context, filter string, ids []int64) ([]int64, error) {
			f, err := errorGroupFilter(filter)
			if err != nil {
				return nil, err
			}
			return l.store.CountErrorGroupsFor(ctx, ids, f)
		}))
	countKeys := make([]countKey, len(cohort))
	for i, p := range cohort {
		countKeys[i] = countKey{parentID: p.ID, filter: args.Filter}
	}
	out := make([]*model.Connection[db.ErrorGroup], len(projects))
	for i, page := range res {
		key := countKey{parentID: projects[i].ID, filter: args.Filter}
		out[i] = &model.Connection[db.ErrorGroup]{
			Nodes:           page.Rows,
			HasNextPage:     page.HasNextPage,
			HasPreviousPage: page.HasPreviousPage,
			Count: func(ctx context.Context) (int, error) {
				n, err := counts.LoadFor(ctx, countKeys, []countKey{key})
				if err != nil {
					return 0, err
				}
				return int(n[0]), nil
			},
			CursorOf: func(g *db.ErrorGroup) (string, error) { return db.CursorOfGroup(g).Encode(), nil },
		}
	}
	return out, nil
}

// errorGroupFilter decodes a canonical error group filter.
func errorGroupFilter(canonical string) (db.ErrorGroupFilter, error) {
	var f model.ErrorGroupFilter
	if canonical != "" {
		if err := json.Unmarshal([]byte(canonical), &f); err != nil {
			return db.ErrorGroupFilter{}, apperr.Invalid("filter", "malformed")
		}
	}
	if err := db.CheckSearch("filter.search", f.Search); err != nil {
		return db.ErrorGroupFilter{}, err
	}
	return db.ErrorGroupFilter{ErrorType: f.ErrorType, Time: timeRange(f.Timestamp), Search: f.Search}, nil
}
