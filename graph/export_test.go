package graph

import (
	"github.com/agentgraph/agentgraph/graph/fastlist"
	"github.com/agentgraph/agentgraph/graph/load"
)

// SetFastLists turns the fast list writer on or off; it returns how to
// restore the previous setting.
func SetFastLists(on bool) (restore func()) { return fastlist.SetEnabled(on) }

// FastListsWritten counts the lists the fast writer has written.
func FastListsWritten() int64 { return fastlist.Written() }

// OptionalFields lists, per GraphQL type, the fields whose columns lists
// read only when they are selected.
func OptionalFields() map[string][]string { return load.OptionalFields() }
