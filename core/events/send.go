package events

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// send claims due events and delivers them to the subscribers.
func (d *Dispatcher) send(ctx context.Context) (bool, time.Duration) {
	d.cleanup(ctx)
	sys := d.sys(ctx)
	now := realNow()
	due := "done_at IS NULL AND seq IS NOT NULL AND type IN @types AND next_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)"
	args := map[string]any{"types": knownTypes(), "now": now}
	var found []string // a read first: most rounds find nothing, and take no write lock
	if err := d.db.Read(sys, func(tx *gorm.DB) error {
		return store.Raw(tx, "SELECT id FROM outbox WHERE "+due+" LIMIT 1", args).Scan(&found).Error
	}); err != nil || len(found) == 0 {
		if err != nil {
			d.warn(ctx, "outbox: reading due events failed", err)
			return false, d.Poll
		}
		return false, d.nextDue(ctx)
	}
	claim, until, n := store.NewID(), now.Add(d.Lease), d.Batch
	args["claim"], args["until"], args["n"] = claim, until, n
	lock := ""
	if d.db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED" // other instances take other events
	}
	var rows []row
	err := d.db.Tx(sys, func(tx *gorm.DB) error {
		return store.Raw(tx, `UPDATE outbox SET claim = @claim, claimed_until = @until
			WHERE id IN (SELECT id FROM outbox WHERE `+due+` ORDER BY seq LIMIT @n`+lock+`)
			RETURNING tenant_id, id, type, payload, created_at, seq, delivered, attempts`, args).Scan(&rows).Error
	})
	if err != nil {
		d.warn(ctx, "outbox: claiming events failed", err)
		return false, d.Poll
	}
	if len(rows) == 0 { // another instance took them
		return false, d.nextDue(ctx)
	}
	sort.Slice(rows, func(i, j int) bool { return *rows[i].Seq < *rows[j].Seq })
	var idle []string // events no subscriber here wants
	for i := range rows {
		if ctx.Err() != nil { // shutting down
			d.release(claim, rows[i:])
			break
		}
		if i > 0 && realNow().Add(d.Timeout).After(until) { // the lease could run out: claim the rest afresh
			d.release(claim, rows[i:])
			break
		}
		if subs := d.pending(&rows[i]); len(subs) > 0 {
			d.deliver(ctx, claim, &rows[i], subs)
		} else {
			idle = append(idle, rows[i].ID)
		}
	}
	if len(idle) > 0 {
		d.finish(claim, idle, map[string]any{"done": realNow(), "err": ""})
	}
	return true, 0 // look again: more may be due
}

// pending lists the subscribers that want r and do not have it.
func (d *Dispatcher) pending(r *row) []*subscriber {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []*subscriber
	for _, s := range d.subs {
		if s.types[r.Type] && !r.has(s.name) {
			out = append(out, s)
		}
	}
	return out
}

// deliver calls each pending subscriber with one claimed event, records
// each success at once (a crash then retries only the others) and ends the
// round: done, or retried after a backoff, or given up.
func (d *Dispatcher) deliver(ctx context.Context, claim string, r *row, subs []*subscriber) {
	env, err := r.envelope()
	if err != nil { // a payload this version cannot read: retrying will not help
		d.log.Error("outbox: undecodable event given up", "id", r.ID, "type", r.Type, "err", err)
		d.finish(claim, []string{r.ID}, map[string]any{"done": realNow(), "err": err.Error()})
		return
	}
	hctx := store.WithTenant(ctx, r.TenantID)
	if r.TenantID == Platform {
		hctx = d.sys(ctx)
	}
	var failed []string
	for i, s := range subs {
		err := d.call(hctx, s, env)
		if ctx.Err() != nil { // shutting down: not the subscriber's fault; keep what was delivered
			d.finish(claim, []string{r.ID}, map[string]any{"delivered": r.Delivered, "err": ""})
			return
		}
		if err != nil {
			failed = append(failed, s.name+": "+err.Error())
			d.log.Warn("outbox: subscriber failed", "subscriber", s.name, "type", r.Type, "id", r.ID, "attempt", r.Attempts+1, "err", err)
			continue
		}
		r.Delivered = withDelivered(r.Delivered, s.name)
		if i < len(subs)-1 {
			d.record(claim, r)
		}
	}
	set := map[string]any{"delivered": r.Delivered, "err": strings.Join(failed, "; ")}
	switch {
	case len(failed) == 0:
		set["done"] = realNow()
	case r.Attempts+1 >= d.MaxAttempts:
		d.log.Error("outbox: event given up after repeated failures", "type", r.Type, "id", r.ID, "attempts", r.Attempts+1, "err", set["err"])
		set["done"] = realNow()
		set["attempts"] = r.Attempts + 1
	default:
		set["attempts"] = r.Attempts + 1
		set["next"] = realNow().Add(backoff(r.Attempts + 1))
	}
	d.finish(claim, []string{r.ID}, set)
}

// call runs one subscriber with a deadline, turning a panic into an error.
func (d *Dispatcher) call(ctx context.Context, s *subscriber, env Envelope) (err error) {
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return s.fn(ctx, env)
}

// backoff is the wait before retry n (1 s, 2 s, 4 s, … at most 10 min).
func backoff(n int) time.Duration {
	if n > 10 {
		return 10 * time.Minute
	}
	return min(time.Second<<(n-1), 10*time.Minute)
}

// bookkeeping runs the dispatcher's own writes: short, and never failing a
// delivery round because a request was cancelled (hence its own context).
// While another writer holds SQLite's write lock longer than the busy
// timeout (a region seeded in one transaction), it tries again, for up to
// half the lease: given up, the claim would keep a delivered event from
// being done until its lease ran out.
func (d *Dispatcher) bookkeeping(sql string, args map[string]any) error {
	ctx, cancel := context.WithTimeout(d.sys(context.Background()), max(10*time.Second, d.Lease/2))
	defer cancel()
	var ids []string
	var err error
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err = d.db.Tx(ctx, func(tx *gorm.DB) error { return store.Raw(tx, sql, args).Scan(&ids).Error })
		if err == nil || !store.IsBusy(err) || !sleep(ctx, wait) {
			break
		}
	}
	if err != nil {
		d.log.Warn("outbox: bookkeeping failed; the event will be delivered again", "err", err)
	}
	return err
}

func (d *Dispatcher) record(claim string, r *row) {
	_ = d.bookkeeping(`UPDATE outbox SET delivered = @delivered WHERE id = @id AND claim = @claim RETURNING id`,
		map[string]any{"delivered": r.Delivered, "id": r.ID, "claim": claim})
}

// finish ends a claim. set may hold done (time), err, delivered, attempts
// and next (the retry time).
func (d *Dispatcher) finish(claim string, ids []string, set map[string]any) {
	cols := []string{"claim = NULL", "claimed_until = NULL", "updated_at = @at", "last_error = @err"}
	args := map[string]any{"ids": ids, "claim": claim, "at": d.db.Now(), "err": set["err"]}
	for _, k := range []struct{ key, col string }{{"done", "done_at"}, {"delivered", "delivered"}, {"attempts", "attempts"}, {"next", "next_at"}} {
		if v, ok := set[k.key]; ok {
			cols = append(cols, k.col+" = @"+k.key)
			args[k.key] = v
		}
	}
	_ = d.bookkeeping(`UPDATE outbox SET `+strings.Join(cols, ", ")+`
		WHERE id IN (SELECT id FROM outbox WHERE id IN @ids AND claim = @claim ORDER BY id`+d.forUpdate()+`) RETURNING id`, args)
}

// release gives claimed events back untouched (on shutdown).
func (d *Dispatcher) release(claim string, rows []row) {
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	_ = d.bookkeeping(`UPDATE outbox SET claim = NULL, claimed_until = NULL
		WHERE id IN (SELECT id FROM outbox WHERE id IN @ids AND claim = @claim ORDER BY id`+d.forUpdate()+`) RETURNING id`,
		map[string]any{"ids": ids, "claim": claim})
}

// nextDue is how long until the earliest retry is due (0: none waiting).
func (d *Dispatcher) nextDue(ctx context.Context) time.Duration {
	var next []time.Time
	now := realNow()
	err := d.db.Read(d.sys(ctx), func(tx *gorm.DB) error {
		return tx.Model(&row{}).Where("done_at IS NULL AND seq IS NOT NULL AND type IN ? AND (claimed_until IS NULL OR claimed_until < ?)", knownTypes(), now).
			Order("next_at").Limit(1).Pluck("next_at", &next).Error
	})
	if err != nil || len(next) == 0 {
		return 0
	}
	return next[0].Sub(now)
}

// cleanup deletes delivered events after Retention, every few minutes. The
// newest event stays, so the sequence never restarts.
func (d *Dispatcher) cleanup(ctx context.Context) {
	now := realNow()
	if now.Sub(d.lastCleanup) < 5*time.Minute {
		return
	}
	d.lastCleanup = now
	var ids []string
	err := d.db.Tx(d.sys(ctx), func(tx *gorm.DB) error {
		return store.Raw(tx, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
			WHERE done_at < @cutoff AND seq < (SELECT MAX(seq) FROM outbox) ORDER BY id`+d.forUpdate()+`) RETURNING id`,
			map[string]any{"cutoff": now.Add(-d.Retention)}).Scan(&ids).Error
	})
	if err != nil {
		d.warn(ctx, "outbox: cleanup failed", err)
	}
}
