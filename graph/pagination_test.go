package graph_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/agentgraph/agentgraph/internal/db/dbtest"
	"github.com/agentgraph/agentgraph/internal/demo"
)

type pageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       *string
}

type idPage struct {
	TotalCount int
	PageInfo   pageInfo
	Edges      []struct {
		Cursor string
		Node   struct{ DatabaseID int64 }
	}
}

// walkConnection pages through a connection with pages of size, forward with
// first/after or backward with last/before, and returns the database ids in
// list order. get runs the query for one page.
func walkConnection(t *testing.T, size int, backward bool, get func(args string) idPage) []int64 {
	t.Helper()
	var ids []int64
	cursor := ""
	for range 200 {
		args := fmt.Sprintf("first: %d", size)
		if backward {
			args = fmt.Sprintf("last: %d", size)
		}
		if cursor != "" && backward {
			args += fmt.Sprintf(", before: %q", cursor)
		} else if cursor != "" {
			args += fmt.Sprintf(", after: %q", cursor)
		}
		p := get(args)
		page := make([]int64, len(p.Edges))
		for i, e := range p.Edges {
			page[i] = e.Node.DatabaseID
		}
		if len(p.Edges) > 0 && (*p.PageInfo.StartCursor != p.Edges[0].Cursor || *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor) {
			t.Fatalf("pageInfo cursors do not match the edges")
		}
		more := p.PageInfo.HasNextPage
		if backward {
			ids = append(page, ids...)
			more = p.PageInfo.HasPreviousPage
			if len(page) > 0 {
				cursor = *p.PageInfo.StartCursor
			}
		} else {
			ids = append(ids, page...)
			if len(page) > 0 {
				cursor = *p.PageInfo.EndCursor
			}
		}
		if len(page) > size {
			t.Fatalf("page of %d rows for size %d", len(page), size)
		}
		if !more {
			return ids
		}
	}
	t.Fatal("paging did not end")
	return nil
}

// TestConnectionsPageThroughEveryRowOnce pages through root and nested
// connections in both directions and compares with the order computed in SQL.
func TestConnectionsPageThroughEveryRowOnce(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		e := newEnv(t, b, demo.DefaultScale())
		sqlIDs := func(query string, args ...any) []int64 {
			var ids []int64
			if err := e.store.Gorm().WithContext(context.Background()).Raw(query, args...).Scan(&ids).Error; err != nil {
				t.Fatal(err)
			}
			return ids
		}
		cases := []struct {
			name  string
			want  []int64
			query string // %s is the page arguments
			pick  func(data map[string]idPage) idPage
		}{
			{
				name:  "root traces, newest first",
				want:  sqlIDs(`SELECT id FROM traces ORDER BY start_time DESC, id DESC`),
				query: `{ list: traces(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`,
			},
			{
				name:  "projects, oldest first",
				want:  sqlIDs(`SELECT id FROM project_info ORDER BY id`),
				query: `{ list: projects(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } }`,
			},
			{
				name:  "llm calls of a project, in start order",
				want:  sqlIDs(`SELECT id FROM llm_call WHERE project_id = 2 ORDER BY start_time, id`),
				query: `{ project(id: "UHJvamVjdDoy") { list: llmCalls(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } } }`,
			},
			{
				name:  "errors of a project, oldest first",
				want:  sqlIDs(`SELECT id FROM errors WHERE project_id = 1 ORDER BY timestamp, id`),
				query: `{ project(id: "UHJvamVjdDox") { list: errors(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { databaseId } } } } }`,
			},
		}
		for _, c := range cases {
			if len(c.want) < 3 {
				t.Fatalf("%s: too few rows (%d) to test paging", c.name, len(c.want))
			}
			for _, size := range []int{1, 2, 7, 100} {
				for _, backward := range []bool{false, true} {
					got := walkConnection(t, size, backward, func(args string) idPage {
						var data struct {
							List    *idPage
							Project *struct{ List idPage }
						}
						e.mustData(t, fmt.Sprintf(c.query, args), nil, &data)
						p := data.List
						if data.Project != nil {
							p = &data.Project.List
						}
						if p.TotalCount != len(c.want) {
							t.Fatalf("%s: totalCount %d, want %d", c.name, p.TotalCount, len(c.want))
						}
						return *p
					})
					if !slices.Equal(got, c.want) {
						t.Errorf("%s, size %d, backward %v:\n got %v\nwant %v", c.name, size, backward, got, c.want)
					}
				}
			}
		}
	})
}

// TestPageSizes checks the default page size and that first: 0 still counts.
func TestPageSizes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, b dbtest.Backend) {
		scale := demo.DefaultScale()
		scale.Projects, scale.TracesPerProject = 1, 25
		e := newEnv(t, b, scale)
		var data struct {
			Default struct{ Nodes []struct{ ID string } }
			Max     struct{ Nodes []struct{ ID string } }
			None    struct {
				TotalCount int
				Nodes      []struct{ ID string }
				PageInfo   pageInfo
			}
		}
		e.mustData(t, `{
			default: traces { nodes { id } }
			max: traces(first: 100) { nodes { id } }
			none: traces(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } }
		}`, nil, &data)
		if len(data.Default.Nodes) != 20 || len(data.Max.Nodes) != 25 {
			t.Errorf("default page %d rows (want 20), first: 100 gave %d (want 25)", len(data.Default.Nodes), len(data.Max.Nodes))
		}
		if data.None.TotalCount != 25 || len(data.None.Nodes) != 0 || !data.None.PageInfo.HasNextPage {
			t.Errorf("first: 0 = %+v", data.None)
		}
	})
}
