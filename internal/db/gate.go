package db

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"github.com/agentgraph/agentgraph/internal/fair"
)

// The pool's connections are shared fairly between clients (fair.Client of
// a statement's context): one client's statements hold at most three
// quarters of them at once, so however many statements its requests run
// concurrently (dataloader batches, aliased root fields), other clients'
// statements find a connection. Statements without a client (start-up,
// retention, the CLI) do not wait for a turn. Each statement takes a turn
// while it runs, a cursor (lists, aggregates, exports) while it is read, and
// a transaction from its BEGIN to its end, for the statements in it.

// heldKey marks a context whose statements run under a turn already held.
type heldKey struct{}

// statementKey marks the GORM statement that took a turn in gateBefore.
type statementKey struct{ *gorm.Statement }

// hold takes a turn of the pool for ctx's client, unless ctx has one
// already or has no client; the returned context carries the turn.
func (d *DB) hold(ctx context.Context) (context.Context, func(), error) {
	name := fair.Client(ctx)
	if d.gate == nil || name == "" || ctx.Value(heldKey{}) != nil {
		return ctx, func() {}, nil
	}
	if err := d.gate.Acquire(ctx, name, 0); err != nil {
		return ctx, nil, err
	}
	return context.WithValue(ctx, heldKey{}, true), func() { d.gate.Release(name) }, nil
}

// holdSession is hold for a session: the session on the held context.
func (d *DB) holdSession(g *gorm.DB) (*gorm.DB, func(), error) {
	if _, pooled := g.Statement.ConnPool.(*sql.DB); !pooled || g.Statement.Context == nil {
		return g, func() {}, nil // in a transaction, which holds the turn
	}
	ctx, release, err := d.hold(g.Statement.Context)
	if err != nil || ctx == g.Statement.Context {
		return g, release, err
	}
	return g.WithContext(ctx), release, nil
}

// registerGate makes every statement outside a transaction and outside a
// held context take a turn while it runs.
func (d *DB) registerGate() error {
	before := func(tx *gorm.DB) {
		if _, pooled := tx.Statement.ConnPool.(*sql.DB); !pooled || tx.Statement.Context == nil {
			return
		}
		ctx := tx.Statement.Context
		name := fair.Client(ctx)
		if name == "" || ctx.Value(heldKey{}) != nil {
			return
		}
		if err := d.gate.Acquire(ctx, name, 0); err != nil {
			_ = tx.AddError(err)
			return
		}
		tx.Statement.Settings.Store(statementKey{tx.Statement}, name)
	}
	after := func(tx *gorm.DB) {
		if name, ok := tx.Statement.Settings.LoadAndDelete(statementKey{tx.Statement}); ok {
			d.gate.Release(name.(string))
		}
	}
	cb := d.gorm.Callback()
	for _, register := range []func() error{
		func() error { return cb.Query().Before("gorm:query").Register("fair:before", before) },
		func() error { return cb.Query().After("gorm:query").Register("fair:after", after) },
		func() error { return cb.Row().Before("gorm:row").Register("fair:before", before) },
		func() error { return cb.Row().After("gorm:row").Register("fair:after", after) },
		func() error { return cb.Raw().Before("gorm:raw").Register("fair:before", before) },
		func() error { return cb.Raw().After("gorm:raw").Register("fair:after", after) },
		func() error { return cb.Create().Before("gorm:create").Register("fair:before", before) },
		func() error { return cb.Create().After("gorm:create").Register("fair:after", after) },
		func() error { return cb.Update().Before("gorm:update").Register("fair:before", before) },
		func() error { return cb.Update().After("gorm:update").Register("fair:after", after) },
		func() error { return cb.Delete().Before("gorm:delete").Register("fair:before", before) },
		func() error { return cb.Delete().After("gorm:delete").Register("fair:after", after) },
	} {
		if err := register(); err != nil {
			return err
		}
	}
	return nil
}
