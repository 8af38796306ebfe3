package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/climate"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestDemoClimate: the demo ends with its climate accounts built from its
// loads, without an outbox: every delivered load has its own account and
// the region's account counts each once, also after seeding again.
func TestDemoClimate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		for i := 0; i < 2; i++ {
			if err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true}); err != nil {
				t.Fatal(err)
			}
		}
		tn, _ := s.Tenants.BySlug("baerum")
		ctx := access.With(context.Background(), &access.Actor{TenantID: tn.ID, TenantSlug: tn.Slug, Locale: "nb", Rules: s.Roles,
			Principal: &auth.Principal{User: &auth.User{ID: "demo-test"}, Roles: []string{auth.RoleTenantAdmin}}})
		var delivered, missing int64
		if err := db.Read(ctx, func(tx *gorm.DB) error {
			if err := tx.Table("loads").Where("kind = 'delivery' AND status IN ('received', 'partly_accepted')").Count(&delivered).Error; err != nil {
				return err
			}
			return tx.Table("loads").Where("kind = 'delivery' AND status IN ('received', 'partly_accepted') AND kg_co2e IS NULL").Count(&missing).Error
		}); err != nil {
			t.Fatal(err)
		}
		acc, err := (&climate.Service{DB: db}).Get(ctx, climate.ScopeRegion, "", climate.Period{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if delivered == 0 || missing != 0 || int64(acc.Totals.Loads) != delivered || acc.Totals.KgCO2e <= 0 || acc.Totals.BaselineKgCO2e <= 0 {
			t.Fatalf("%d delivered loads, %d without their own account; region account %+v", delivered, missing, acc.Totals)
		}
	})
}
