package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestDemoTransport: the demo has, in Bærum, a partly accepted request
// with its order and planned loads, a request awaiting an answer and two
// registered plans; seeding again adds none.
func TestDemoTransport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		for i := 0; i < 2; i++ {
			if err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true}); err != nil {
				t.Fatal(err)
			}
		}
		tn, _ := s.Tenants.BySlug("baerum")
		count := func(table, where string) int64 {
			var n int64
			if err := db.Read(store.WithTenant(context.Background(), tn.ID), func(tx *gorm.DB) error {
				q := tx.Table(table)
				if where != "" {
					q = q.Where(where)
				}
				return q.Count(&n).Error
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if r, p, o, pl, l := count("transport_requests", ""), count("transport_requests", "status = 'pending'"), count("transport_orders", "status = 'active'"), count("transport_plans", ""), count("transport_planned_loads", ""); r != 2 || p != 1 || o != 1 || pl != 2 || l == 0 {
			t.Fatalf("demo transport: %d requests (%d pending), %d orders, %d plans, %d planned loads", r, p, o, pl, l)
		}
	})
}
