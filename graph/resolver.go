// Package graph serves the storage graph over GraphQL: thin resolvers on top
// of per-request dataloaders, plus the HTTP transports and error presenter.
package graph

//go:generate sh -c "cd .. && go run ./internal/tools/generate"

import (
	"github.com/agentgraph/agentgraph/internal/db"
	"github.com/agentgraph/agentgraph/internal/ingest"
)

// Resolver holds the dependencies of every resolver; it keeps no request state.
type Resolver struct {
	Store  *db.DB
	Ingest *ingest.Service
}
