package auth

import (
	"context"

	"github.com/agentgraph/agentgraph/internal/db"
)

// Principal is the caller of a request. A nil Principal is the anonymous
// caller of a server without keys on loopback: it may do everything.
type Principal struct {
	KeyID  int64
	Prefix string
	Role   Role
	// AllProjects is set for keys not limited to some projects.
	AllProjects bool
	Projects    []int64
}

// CanRead reports whether the caller may read recorded data.
func (p *Principal) CanRead() bool { return p == nil || p.Role == Read || p.Role == Admin }

// CanIngest reports whether the caller may record traces and metrics.
func (p *Principal) CanIngest() bool { return p == nil || p.Role == Ingest || p.Role == Admin }

// CanAdmin reports whether the caller may delete data and change settings.
func (p *Principal) CanAdmin() bool { return p == nil || p.Role == Admin }

// CanCreateProjects reports whether the caller may create projects: only
// callers that are not limited to some projects may.
func (p *Principal) CanCreateProjects() bool { return p == nil || (p.Role == Admin && p.AllProjects) }

// CanIntrospect reports whether the caller may read the schema.
func (p *Principal) CanIntrospect() bool { return p == nil || p.Role != Ingest }

type principalKey struct{}

// With returns ctx carrying p, limited to p's projects in the store.
func With(ctx context.Context, p *Principal) context.Context {
	ctx = context.WithValue(ctx, principalKey{}, p)
	if p != nil && !p.AllProjects {
		ctx = db.WithProjectScope(ctx, p.Projects)
	}
	return ctx
}

// From returns the caller of the request ctx belongs to (nil: anonymous).
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
