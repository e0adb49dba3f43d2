// Package model holds the GraphQL types that are not storage rows: Relay
// connections and the custom scalars.
package model

import (
	"context"
	"sync"

	"github.com/agentgraph/agentgraph/internal/db"
)

// PageInfo says where a page sits in its list.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Edge is one item of a page with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   *T
}

// Connection is a page of a list, Relay style. Count computes the size of the
// whole list lazily, so it costs nothing unless totalCount is asked for; the
// edges and their cursors are likewise made only when edges or pageInfo are.
type Connection[T any] struct {
	Nodes []*T
	// HasNextPage and HasPreviousPage are the page's flags.
	HasNextPage, HasPreviousPage bool
	Count                        func(ctx context.Context) (int, error)
	// CursorOf encodes the position of one of Nodes.
	CursorOf func(node *T) (string, error)

	once  sync.Once
	edges []*Edge[T]
	info  PageInfo
	err   error
}

func (c *Connection[T]) build() {
	c.once.Do(func() {
		c.info = PageInfo{HasNextPage: c.HasNextPage, HasPreviousPage: c.HasPreviousPage}
		c.edges = make([]*Edge[T], len(c.Nodes))
		for i, n := range c.Nodes {
			cursor, err := c.CursorOf(n)
			if err != nil {
				c.edges, c.err = nil, err
				return
			}
			c.edges[i] = &Edge[T]{Cursor: cursor, Node: n}
		}
		if n := len(c.edges); n > 0 {
			c.info.StartCursor, c.info.EndCursor = &c.edges[0].Cursor, &c.edges[n-1].Cursor
		}
	})
}

// Edges are the page's items with their cursors.
func (c *Connection[T]) Edges() ([]*Edge[T], error) {
	c.build()
	return c.edges, c.err
}

// PageInfo says where the page sits in its list.
func (c *Connection[T]) PageInfo() (*PageInfo, error) {
	c.build()
	return &c.info, c.err
}

// TotalCount is the number of items in the whole list.
func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) {
	return c.Count(ctx)
}

// Connection and edge types of each entity, as the schema names them.
type (
	ProjectConnection         = Connection[db.Project]
	ProjectEdge               = Edge[db.Project]
	TraceConnection           = Connection[db.Trace]
	TraceEdge                 = Edge[db.Trace]
	AgentCallConnection       = Connection[db.AgentCall]
	AgentCallEdge             = Edge[db.AgentCall]
	LLMCallConnection         = Connection[db.LLMCall]
	LLMCallEdge               = Edge[db.LLMCall]
	ToolCallConnection        = Connection[db.ToolCall]
	ToolCallEdge              = Edge[db.ToolCall]
	UserInteractionConnection = Connection[db.UserInteraction]
	UserInteractionEdge       = Edge[db.UserInteraction]
	TraceErrorConnection      = Connection[db.TraceError]
	TraceErrorEdge            = Edge[db.TraceError]
	MetricConnection          = Connection[db.Metric]
	MetricEdge                = Edge[db.Metric]
)

// Node is any object with a global id; the storage rows are bound to it
// as they are, so it asks for no methods.
type Node interface{}

// Error groups are listed like the entities, by their newest error.
type (
	ErrorGroupConnection = Connection[db.ErrorGroup]
	ErrorGroupEdge       = Edge[db.ErrorGroup]
)
