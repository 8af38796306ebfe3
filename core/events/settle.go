package events

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Pending reports whether events about subject (a listing) have yet to
// reach the named subscriber, e.g. whether match discovery for a listing
// is still running. ctx carries the tenant.
func (d *Dispatcher) Pending(ctx context.Context, subject, subscriber string) (bool, error) {
	var types []string
	d.mu.RLock()
	for _, s := range d.subs {
		if s.name == subscriber {
			for t := range s.types {
				types = append(types, t)
			}
		}
	}
	d.mu.RUnlock()
	if len(types) == 0 {
		return false, nil
	}
	var ids []string
	err := d.db.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&row{}).Where("subject = ? AND done_at IS NULL AND type IN ? AND delivered NOT LIKE ?", subject, types, "%,"+subscriber+",%").
			Limit(1).Pluck("id", &ids).Error
	})
	return len(ids) > 0, err
}

// Settle waits until every event committed so far has reached its
// subscribers and this instance's listeners, or ctx ends. For tests, the
// CLI and a graceful drain; a subscriber that keeps failing keeps it
// waiting.
func (d *Dispatcher) Settle(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	sys := d.sys(ctx)
	for {
		d.Wake()
		var open []row
		var last int64
		err := d.db.Read(sys, func(tx *gorm.DB) error {
			if err := tx.Select("id, type, attempts, last_error").Where("(done_at IS NULL AND type IN ?) OR seq IS NULL", knownTypes()).Limit(1).Find(&open).Error; err != nil {
				return err
			}
			return tx.Model(&row{}).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error
		})
		if err == nil && len(open) == 0 && d.cursor.Load() >= last {
			return nil
		}
		select {
		case <-ctx.Done():
			state := fmt.Sprintf("listeners at %d of %d", d.cursor.Load(), last)
			if len(open) > 0 {
				state = fmt.Sprintf("%s %s undelivered after %d attempts (%s)", open[0].Type, open[0].ID, open[0].Attempts, open[0].LastError)
			}
			return fmt.Errorf("events: outbox not settled: %s: %w", state, ctx.Err())
		case <-tick.C:
		}
	}
}
