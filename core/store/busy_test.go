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
