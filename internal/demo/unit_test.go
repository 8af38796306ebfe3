package demo_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/tenants"
)

// TestDemoRegionIsOneTransaction: a demo region, with its months of
// agreements, loads and ledger, is written in one transaction. Just before
// it commits, the region's rows (every tenant table, its role rules, the
// tenant itself) are all there inside it and none outside it; a failure at
// that moment leaves nothing, in the database or in memory, and the next
// run seeds the region whole.
func TestDemoRegionIsOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		rows := func(ctx context.Context, tid string) map[string]int64 {
			t.Helper()
			out := map[string]int64{}
			sys := store.System(ctx, "test: count a region's rows")
			err := db.Read(store.WithTenant(sys, tid), func(tx *gorm.DB) error {
				for _, table := range db.TenantTables() {
					var n int64
					if err := tx.Table(table).Where("tenant_id = ?", tid).Count(&n).Error; err != nil {
						return err
					}
					out[table] = n
				}
				return nil
			})
			if err == nil {
				err = db.Read(sys, func(tx *gorm.DB) error {
					var rules, tn int64
					if err := tx.Table("casbin_rule").Where("v2 = ? OR v1 = ?", tid, tid).Count(&rules).Error; err != nil {
						return err
					}
					err := tx.Table("tenants").Where("id = ?", tid).Count(&tn).Error
					out["casbin_rule"], out["tenants"] = rules, tn
					return err
				})
			}
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		errCrash := errors.New("the process dies here")
		var inside map[string]int64
		var failed *tenants.Tenant
		err := demo.SeedWith(context.Background(), s, demo.Options{BeforeCommit: func(ctx context.Context, tn *tenants.Tenant) error {
			if tn.Slug != "baerum" {
				return nil
			}
			failed = tn
			inside = rows(ctx, tn.ID)
			for table, n := range rows(context.Background(), tn.ID) {
				if n != 0 {
					t.Errorf("before the commit, %d rows of the region in %s are seen outside its transaction", n, table)
				}
			}
			return errCrash
		}})
		if !errors.Is(err, errCrash) || failed == nil {
			t.Fatalf("seed: %v", err)
		}
		for _, table := range []string{"tenants", "casbin_rule", "organizations", "agreements", "loads", "ledger_entries", "climate_accounts", "dialogs", "billing_plans", "billing_subscriptions", "transport_orders"} {
			if inside[table] == 0 {
				t.Errorf("inside the transaction the region has no %s", table)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		for table, n := range rows(context.Background(), failed.ID) {
			if n != 0 {
				t.Errorf("%d rows of the failed region left in %s", n, table)
			}
		}
		if _, ok := s.Tenants.BySlug("baerum"); ok {
			t.Error("the registry keeps the failed region")
		}
		admin, err := s.Users.ByEmail(context.Background(), "admin@baerum-ressursbank.no")
		if err != nil {
			t.Fatal(err)
		}
		if rs := s.Roles.UserRoles(admin.ID, failed.ID); len(rs) != 0 {
			t.Errorf("the failed region's admin keeps %v in memory", rs)
		}

		if err := demo.Seed(context.Background(), s); err != nil {
			t.Fatalf("seeding again: %v", err)
		}
		baerum, ok := s.Tenants.BySlug("baerum")
		if !ok {
			t.Fatal("the region was not seeded again")
		}
		if got := rows(context.Background(), baerum.ID); !maps.Equal(got, inside) {
			for table := range inside {
				if got[table] != inside[table] {
					t.Errorf("%s: %d rows seeded again, %d in the failed run", table, got[table], inside[table])
				}
			}
		}
	})
}

// TestDemoRegionSurvivesRegistryReloads: while a region's transaction is
// open, the registry may be read again from outside it (another instance's
// change, the app's own listener) and lose the uncommitted region; the
// demo's parts still go into the region the unit created, not only its
// kernel.
func TestDemoRegionSurvivesRegistryReloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					_ = s.Tenants.Load(context.Background())
				}
			}
		}()
		err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true})
		close(stop)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		baerum, ok := s.Tenants.BySlug("baerum")
		if !ok {
			t.Fatal("no region")
		}
		ctx := store.WithTenant(context.Background(), baerum.ID)
		for _, table := range []string{"dialogs", "agreements", "transport_orders", "loads", "billing_plans"} {
			var n int64
			if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Table(table).Count(&n).Error }); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("the region was committed without its %s", table)
			}
		}
	})
}
