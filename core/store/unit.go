package store

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// A unit of work is one database transaction that many service calls join:
// under the context Unit hands its function, every DB.Tx becomes a
// savepoint of the unit's transaction (with its own tenant settings, so
// row-level security still sees each call's tenant) and every DB.Read reads
// inside it. Nothing the function writes through the store is visible to
// anyone else until the unit commits, and nothing stays if it fails or the
// process dies: the demo seed writes a whole region this way.
//
// A unit holds one connection (and, on SQLite, the write lock) until it
// ends: it is for work that must be all or nothing, run by one goroutine
// (its context must not reach goroutines that use the store), never for a
// request.
type unit struct {
	db    *DB
	tx    *gorm.DB
	key   []byte // the row-level security signing key (Postgres)
	hooks *commitHooks
	undo  []func()
	next  int
	done  bool // the unit has ended: its context reaches the database as any other
	// open are the unit's Tx calls under way, innermost last: a Tx
	// begun inside another (with whatever context) hands its after-commit
	// hooks to the enclosing one and gives it back its tenant settings.
	open []frame
}

type frame struct {
	ctx   context.Context
	hooks *commitHooks
}

type unitKey struct{}

// Unit runs fn in one transaction that every DB.Tx and DB.Read under fn's
// context joins (see unit). Functions given to AfterCommit inside it run
// once the whole unit has committed; those given to OnRollback run if it
// does not. Inside a unit, Unit just calls fn.
func (d *DB) Unit(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.unitOf(ctx) != nil {
		return fn(ctx)
	}
	ctx, hooks := withCommitHooks(ctx)
	var key []byte
	if d.Dialect == Postgres {
		key = d.rlsSigningKey(ctx)
	}
	u := &unit{db: d, key: key, hooks: hooks}
	committed := false
	defer func() { // after a failure, and after a panic too
		u.done = true
		if !committed {
			for i := len(u.undo) - 1; i >= 0; i-- {
				u.undo[i]()
			}
		}
	}()
	dctx, err := d.driverCtx(ctx)
	if err != nil {
		return err
	}
	err = d.Gorm.WithContext(dctx).Transaction(func(tx *gorm.DB) error {
		if d.Citus {
			// Writes to the reference tables (tenants, casbin_rule) and to
			// the tenant's shards in one transaction: one connection per
			// node, in order.
			if err := tx.Exec("SET LOCAL citus.multi_shard_modify_mode = 'sequential'").Error; err != nil {
				return err
			}
		}
		u.tx = tx
		return fn(context.WithValue(ctx, unitKey{}, u))
	})
	if err != nil {
		return Busy(err)
	}
	committed, u.done = true, true
	hooks.run()
	return nil
}

// InUnit reports whether ctx is inside a unit of work.
func InUnit(ctx context.Context) bool {
	u, ok := ctx.Value(unitKey{}).(*unit)
	return ok && !u.done
}

// OnRollback registers fn to run when the unit ctx is in rolls back
// (in-memory state a service changed along with its rows, such as a
// registry it reloaded, is restored by it); outside a unit it does nothing.
func OnRollback(ctx context.Context, fn func()) {
	if u, ok := ctx.Value(unitKey{}).(*unit); ok && !u.done {
		u.undo = append(u.undo, fn)
	}
}

// AfterUnit runs fn once the unit ctx is in has committed, or at once
// outside a unit: for telling other instances about a change, which they
// could not see before.
func AfterUnit(ctx context.Context, fn func()) {
	if u, ok := ctx.Value(unitKey{}).(*unit); ok && !u.done {
		u.hooks.add(fn)
		return
	}
	fn()
}

func (d *DB) unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	// A copy of the DB (another clock on the same pool) joins too.
	if u == nil || u.db.Gorm != d.Gorm || u.done {
		return nil
	}
	return u
}

// txInUnit runs a DB.Tx as a savepoint of the unit's transaction.
func (d *DB) txInUnit(ctx context.Context, u *unit, fn func(tx *gorm.DB) error) error {
	parent := u.hooks
	var outer context.Context
	if n := len(u.open); n > 0 {
		parent, outer = u.open[n-1].hooks, u.open[n-1].ctx
	}
	ctx, hooks := withCommitHooks(ctx)
	dctx, err := d.driverCtx(ctx)
	if err != nil {
		return err
	}
	u.open = append(u.open, frame{ctx: ctx, hooks: hooks})
	defer func() { u.open = u.open[:len(u.open)-1] }()
	tx := u.tx.Session(&gorm.Session{NewDB: true, Context: dctx})
	// Undoing runs even when ctx is cancelled: a savepoint left
	// half-done would commit with the unit.
	undo := u.tx.Session(&gorm.Session{NewDB: true, Context: context.WithoutCancel(ctx)})
	u.next++
	sp := "mf_unit_" + strconv.Itoa(u.next)
	if err := tx.Exec("SAVEPOINT " + sp).Error; err != nil {
		return Busy(err)
	}
	err = d.setLocal(ctx, tx, u.key)
	if err == nil {
		err = fn(tx)
	}
	if err != nil {
		if rerr := undo.Exec("ROLLBACK TO SAVEPOINT " + sp).Error; rerr != nil {
			return Busy(fmt.Errorf("%w (and rolling back to its savepoint failed: %v)", err, rerr))
		}
	}
	if rerr := undo.Exec("RELEASE SAVEPOINT " + sp).Error; rerr != nil && err == nil {
		err = rerr
	}
	if err == nil && outer != nil {
		// A Tx inside a Tx of the unit: the enclosing call goes on with
		// its own tenant settings.
		err = d.setLocal(outer, tx, u.key)
	}
	if err != nil {
		return Busy(err)
	}
	parent.add(hooks.take()...)
	return nil
}

// readInUnit runs a DB.Read inside the unit's transaction.
func (d *DB) readInUnit(ctx context.Context, u *unit, fn func(tx *gorm.DB) error) error {
	if d.Dialect == SQLite {
		dctx, err := d.driverCtx(ctx)
		if err != nil {
			return err
		}
		return Busy(fn(u.tx.Session(&gorm.Session{NewDB: true, Context: dctx})))
	}
	return d.txInUnit(ctx, u, fn)
}
