package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// TestBusyIsUnavailableH2: while one tenant holds SQLite's write lock longer
// than the busy timeout, another tenant's write fails as fail.Unavailable
// (503 with Retry-After), never as an internal error, and after the busy
// timeout, not later.
func TestBusyIsUnavailableH2(t *testing.T) {
	db, err := store.Open(store.Options{DataDir: t.TempDir(), BusyTimeout: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Gorm.Exec("CREATE TABLE busy_probe (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- db.Tx(store.WithTenant(context.Background(), "tenant-a"), func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO busy_probe VALUES (1)").Error; err != nil {
				return err
			}
			close(held)
			<-release // a long import holding the write lock
			return nil
		})
	}()
	<-held
	start := time.Now()
	err = db.Tx(store.WithTenant(context.Background(), "tenant-b"), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO busy_probe VALUES (2)").Error
	})
	waited := time.Since(start)
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the holder: %v", err)
	}
	e, ok := fail.As(err)
	if !ok || e.Kind != fail.Unavailable || e.Code != "busy" || e.MsgID != "ErrBusy" {
		t.Fatalf("a busy wait gave %v, want fail.Unavailable busy", err)
	}
	if !store.IsBusy(err) || waited > 3*time.Second {
		t.Fatalf("waited %v", waited)
	}
	other := errors.New("other")
	if store.Busy(nil) != nil || store.Busy(other) != other || store.IsBusy(other) {
		t.Fatal("other errors must pass through")
	}
	// Once the lock is free, the same write succeeds.
	if err := db.Tx(store.WithTenant(context.Background(), "tenant-b"), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO busy_probe VALUES (2)").Error
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCancelledContextOnSQLite: a context that has ended stops a read, a
// transaction and a unit before they start; one that ends while a
// statement runs lets it finish (the driver's interrupt races with closing
// the connection), and closing the database after it is clean under the
// race detector.
func TestCancelledContextOnSQLite(t *testing.T) {
	db, err := store.Open(store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec("CREATE TABLE cancel_probe (x INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	ended, cancel := context.WithCancel(store.System(context.Background(), "test"))
	cancel()
	ran := false
	fn := func(tx *gorm.DB) error { ran = true; return nil }
	if err := db.Read(ended, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("read: %v", err)
	}
	if err := db.Tx(ended, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("tx: %v", err)
	}
	if err := db.Unit(ended, func(ctx context.Context) error { return db.Tx(ctx, fn) }); !errors.Is(err, context.Canceled) {
		t.Errorf("unit: %v", err)
	}
	if ran {
		t.Error("work ran under an ended context")
	}
	ctx, cancel := context.WithCancel(store.System(context.Background(), "test"))
	var n int64
	err = db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO cancel_probe VALUES (1)").Error; err != nil {
			return err
		}
		cancel() // the request ends while its transaction runs
		return tx.Raw("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000) SELECT count(*) FROM c").Scan(&n).Error
	})
	if err != nil || n != 200000 {
		t.Fatalf("a transaction whose context ended as it ran: %d, %v", n, err)
	}
	// The same inside a unit of work (the demo seed's).
	uctx, ucancel := context.WithCancel(store.System(context.Background(), "test"))
	n = 0
	err = db.Unit(uctx, func(ctx context.Context) error {
		return db.Tx(ctx, func(tx *gorm.DB) error {
			ucancel()
			return tx.Raw("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000) SELECT count(*) FROM c").Scan(&n).Error
		})
	})
	if err != nil || n != 200000 {
		t.Fatalf("a unit whose context ended as it ran: %d, %v", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
