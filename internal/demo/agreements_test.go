package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestDemoAgreements: the demo has one signed and one proposed agreement in
// Bærum, made through the domain, and seeding again adds none.
func TestDemoAgreements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		for i := 0; i < 2; i++ {
			if err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true}); err != nil {
				t.Fatal(err)
			}
		}
		tn, _ := s.Tenants.BySlug("baerum")
		var rows []struct{ Status, SealHash string }
		if err := db.Read(store.WithTenant(context.Background(), tn.ID), func(tx *gorm.DB) error {
			return tx.Table("agreements").Select("status, seal_hash").Order("number").Scan(&rows).Error
		}); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Status != "sealed" || rows[0].SealHash == "" || rows[1].Status != "proposed" {
			t.Fatalf("demo agreements %+v", rows)
		}
	})
}
