package events

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// forUpdate locks the rows a statement selects, in the statement's order.
// Every statement that changes several outbox rows locks them in ID order
// first, so two of them never wait for each other in a cycle (Postgres;
// SQLite has one writer).
func (d *Dispatcher) forUpdate() string {
	if d.db.Dialect == store.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

const seqLock = 0x6d61737365716e6f // pg_advisory_xact_lock key of the sequencer ("masseqno")

// sequence numbers the committed events that have none, in one transaction
// at a time across instances (on Postgres an advisory lock, on SQLite the
// single writer). A transaction that commits later gets higher numbers, so
// a listener that reads past its cursor misses nothing. On Postgres it then
// notifies the other instances, at commit.
func (d *Dispatcher) sequence(ctx context.Context) (int, error) {
	ctx = d.sys(ctx)
	var waiting []string
	if err := d.db.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&row{}).Where("seq IS NULL").Limit(1).Pluck("id", &waiting).Error
	}); err != nil || len(waiting) == 0 {
		return 0, err // most rounds: nothing to number, and no write lock taken
	}
	var numbered []string
	err := d.db.Tx(ctx, func(tx *gorm.DB) error {
		pg := d.db.Dialect == store.Postgres
		if pg {
			var v any
			if err := store.Raw(tx, "SELECT pg_advisory_xact_lock(@key)", map[string]any{"key": int64(seqLock)}).Row().Scan(&v); err != nil {
				return err
			}
		}
		if err := store.Raw(tx, `UPDATE outbox SET seq = s.n
			FROM (SELECT id, (SELECT COALESCE(MAX(seq), 0) FROM outbox) + row_number() OVER (ORDER BY id) AS n
				FROM (SELECT id FROM outbox WHERE seq IS NULL ORDER BY id`+d.forUpdate()+`) AS l) AS s
			WHERE outbox.id = s.id RETURNING outbox.id`, nil).Scan(&numbered).Error; err != nil {
			return err
		}
		if pg && len(numbered) > 0 {
			var v any
			return store.Raw(tx, "SELECT pg_notify(@channel, '')", map[string]any{"channel": Channel}).Row().Scan(&v)
		}
		return nil
	})
	return len(numbered), err
}

// tail numbers new events and hands those past the cursor to the listeners.
func (d *Dispatcher) tail(ctx context.Context) (bool, time.Duration) {
	if n, err := d.sequence(ctx); err != nil {
		d.warn(ctx, "outbox: numbering events failed", err)
		return false, d.Poll
	} else if n > 0 {
		signal(d.sendWake)
	}
	const page = 500
	var rows []row
	if err := d.db.Read(d.sys(ctx), func(tx *gorm.DB) error {
		return tx.Select("tenant_id, id, type, payload, created_at, seq").Where("seq > ?", d.cursor.Load()).Order("seq").Limit(page).Find(&rows).Error
	}); err != nil {
		d.warn(ctx, "outbox: reading events failed", err)
		return false, d.Poll
	}
	d.mu.RLock()
	ls := d.listeners
	d.mu.RUnlock()
	for i := range rows {
		if env, err := rows[i].envelope(); err == nil {
			for _, fn := range ls {
				d.listen(fn, env)
			}
		} else {
			d.log.Debug("outbox: event not for this version", "type", rows[i].Type, "err", err)
		}
		d.cursor.Store(*rows[i].Seq)
	}
	return len(rows) == page, 0
}

func (d *Dispatcher) listen(fn func(Envelope), env Envelope) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("outbox: listener panicked", "type", env.Type(), "panic", fmt.Sprint(p))
		}
	}()
	fn(env)
}
