package events_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// bareDispatcher starts a dispatcher on db alone (no app), after register
// has subscribed; it is closed when the test ends.
func bareDispatcher(t *testing.T, db *store.DB, register func(d *events.Dispatcher)) *events.Dispatcher {
	t.Helper()
	d, err := events.NewDispatcher(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	register(d)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

func settle(t *testing.T, d *events.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := d.Settle(ctx); err != nil {
		t.Fatal(err)
	}
}

// emitIn writes evs in one transaction of ctx; fail rolls it back.
func emitIn(t *testing.T, db *store.DB, ctx context.Context, fail bool, evs ...events.Event) error {
	t.Helper()
	return db.Tx(ctx, func(tx *gorm.DB) error {
		for _, ev := range evs {
			if err := events.Emit(tx, ev); err != nil {
				return err
			}
		}
		if fail {
			return errors.New("roll back")
		}
		return nil
	})
}

// TestOutboxOnTheStore: the outbox and its dispatcher need a database and
// nothing else. An event exists only if its transaction commits; each is
// delivered once to a durable subscriber, in its tenant and with the store
// clock's time, and to the listeners in commit order; platform events go to
// the tenant they name; without a tenant an event cannot be written.
func TestOutboxOnTheStore(t *testing.T) {
	at := time.Date(2030, 5, 17, 12, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b := storetest.Tenant(t, db, "a"), storetest.Tenant(t, db, "b")
		var mu sync.Mutex
		type got struct {
			tenant, ctxTenant, id string
			at                    time.Time
		}
		var subs []got
		var seqs []int64
		var changed []string
		d := bareDispatcher(t, db, func(d *events.Dispatcher) {
			d.Subscribe("test.closed", func(ctx context.Context, env events.Envelope) error {
				tid, _ := store.TenantID(ctx)
				mu.Lock()
				defer mu.Unlock()
				subs = append(subs, got{env.TenantID, tid, env.Event.(events.ListingClosed).ListingID, env.At})
				return nil
			}, "listing.closed")
			events.Handle(d, "test.tenant", func(ctx context.Context, env events.Envelope, e events.TenantChanged) error {
				mu.Lock()
				defer mu.Unlock()
				changed = append(changed, env.TenantID+"="+e.TenantID)
				return nil
			})
			d.Listen(func(env events.Envelope) {
				if _, ok := env.Event.(events.ListingClosed); ok {
					mu.Lock()
					seqs = append(seqs, env.Seq)
					mu.Unlock()
				}
			})
		})
		if err := emitIn(t, db, storetest.Ctx(a), true, events.ListingClosed{ListingID: "rolled-back"}); err == nil {
			t.Fatal("the transaction should have failed")
		}
		if err := emitIn(t, db, storetest.Ctx(a), false, events.ListingClosed{ListingID: "one"}, events.ListingClosed{ListingID: "two"}); err != nil {
			t.Fatal(err)
		}
		if err := emitIn(t, db, storetest.Ctx(b), false, events.ListingClosed{ListingID: "three"}); err != nil {
			t.Fatal(err)
		}
		if err := emitIn(t, db, context.Background(), false, events.ListingClosed{ListingID: "nowhere"}); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("emit without a tenant: %v, want ErrNoTenant", err)
		}
		if err := emitIn(t, db, store.System(context.Background(), "test: tenant settings"), false, events.TenantChanged{TenantID: b}); err != nil {
			t.Fatal(err)
		}
		settle(t, d)
		mu.Lock()
		defer mu.Unlock()
		want := []got{{a, a, "one", at}, {a, a, "two", at}, {b, b, "three", at}}
		if len(subs) != len(want) {
			t.Fatalf("subscriber got %+v, want %+v", subs, want)
		}
		for i, w := range want {
			if s := subs[i]; s.tenant != w.tenant || s.ctxTenant != w.ctxTenant || s.id != w.id || !s.at.Equal(w.at) {
				t.Errorf("delivery %d: %+v, want %+v", i, s, w)
			}
		}
		if len(seqs) != 3 || !(seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
			t.Fatalf("listeners: sequences %v, want 3 increasing", seqs)
		}
		if len(changed) != 1 || changed[0] != b+"="+b {
			t.Fatalf("a platform event naming a tenant belongs to it: %v", changed)
		}
		var open int64
		if err := db.Read(store.System(context.Background(), "test"), func(tx *gorm.DB) error {
			return tx.Table("outbox").Where("done_at IS NULL").Count(&open).Error
		}); err != nil || open != 0 {
			t.Fatalf("%d events left undelivered (%v)", open, err)
		}
	}, storetest.Clock(clock.NewManual(at)))
}

// TestOutboxRedeliversAfterRestart: an event committed while no dispatcher
// ran (a crashed instance) reaches the subscriber once the next one starts,
// and a delivery recorded before is not repeated.
func TestOutboxRedeliversAfterRestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tid := storetest.Tenant(t, db, "a")
		if err := emitIn(t, db, storetest.Ctx(tid), false, events.ListingClosed{ListingID: "while-down"}); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var ids []string
		d := bareDispatcher(t, db, func(d *events.Dispatcher) {
			events.Handle(d, "test.restart", func(ctx context.Context, env events.Envelope, e events.ListingClosed) error {
				mu.Lock()
				ids = append(ids, e.ListingID)
				mu.Unlock()
				return nil
			})
		})
		settle(t, d)
		if err := emitIn(t, db, storetest.Ctx(tid), false, events.ListingClosed{ListingID: "after"}); err != nil {
			t.Fatal(err)
		}
		settle(t, d)
		mu.Lock()
		defer mu.Unlock()
		if len(ids) != 2 || ids[0] != "while-down" || ids[1] != "after" {
			t.Fatalf("delivered %v, want [while-down after]", ids)
		}
	})
}

// TestOutboxOutlastsALongWriter: while another writer holds SQLite's write
// lock longer than the busy timeout (the demo seeds a region in one
// transaction), the dispatcher's bookkeeping waits for it instead of
// leaving a delivered event claimed until its lease (5 minutes) runs out.
func TestOutboxOutlastsALongWriter(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite, storetest.BusyTimeout(100*time.Millisecond))
	a := storetest.Tenant(t, db, "a")
	if err := db.Gorm.Exec("CREATE TABLE lock_probe (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	held, done := make(chan struct{}), make(chan error, 1)
	var calls sync.Map
	d := bareDispatcher(t, db, func(d *events.Dispatcher) {
		d.Subscribe("test.long-writer", func(ctx context.Context, env events.Envelope) error {
			if _, again := calls.LoadOrStore(env.ID, true); again {
				return nil
			}
			// Another writer takes the lock for a second, as the
			// delivery's bookkeeping is about to run.
			go func() {
				done <- db.Tx(store.System(context.Background(), "test: a long writer"), func(tx *gorm.DB) error {
					if err := tx.Exec("INSERT INTO lock_probe VALUES (1)").Error; err != nil {
						return err
					}
					close(held)
					time.Sleep(time.Second)
					return nil
				})
			}()
			<-held
			return nil
		}, "listing.closed")
	})
	if err := emitIn(t, db, storetest.Ctx(a), false, events.ListingClosed{ListingID: "one"}); err != nil {
		t.Fatal(err)
	}
	settle(t, d) // 15 s at most: far less than the lease
	if err := <-done; err != nil {
		t.Fatalf("the long writer: %v", err)
	}
}
