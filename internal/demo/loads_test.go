package demo_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestDemoLoads: the demo has, in Bærum, today's tracked loads in every
// state on the transport order Fornebu → Vestmarka (received, partly
// accepted, rejected with its return, on the road, awaiting release), one
// flagged (no weight; nothing else implausible: the phones' times are
// kept), each step in the agreement's ledger chain; seeding again adds
// none. (The months before are history_test.go's.)
func TestDemoLoads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		for i := 0; i < 2; i++ {
			if err := demo.Seed(context.Background(), s); err != nil {
				t.Fatal(err)
			}
		}
		tn, _ := s.Tenants.BySlug("baerum")
		since := db.Now().Add(-24 * time.Hour) // today's loads, not the history's
		count := func(table, where string) int64 {
			var n int64
			if err := db.Read(store.WithTenant(context.Background(), tn.ID), func(tx *gorm.DB) error {
				if table == "loads" {
					return tx.Table(table).Where(where).Where("departed_at >= ?", since).Count(&n).Error
				}
				return tx.Table(table).Where(where).Count(&n).Error
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range []struct {
			where string
			want  int64
		}{
			{"kind = 'delivery'", 8},
			{"status = 'received'", 4},
			{"status = 'partly_accepted'", 1},
			{"status = 'rejected'", 1},
			{"kind = 'return' AND return_of_id IS NOT NULL", 1},
			{"status = 'released' AND kind = 'delivery'", 1},
			{"status = 'awaiting_release'", 1},
		} {
			if n := count("loads", c.where); n != c.want {
				t.Errorf("demo loads where %s: %d, want %d", c.where, n, c.want)
			}
		}
		if n := count("loads", "weight_method = 'estimate'"); n != 1 {
			t.Errorf("demo loads without a weight: %d, want 1", n)
		}
		if n := count("loads", "flags LIKE '%missing_weight%'"); n != 1 {
			t.Errorf("demo loads flagged for a missing weight: %d, want 1", n)
		}
		if n := count("loads", "flagged"); n != 1 {
			t.Errorf("demo loads flagged: %d, want only the one without a weight", n)
		}
		if ev, le := count("load_events", "1=1"), count("ledger_entries", "1=1"); ev == 0 || le < ev {
			t.Errorf("demo load events %d, ledger entries %d", ev, le)
		}
		checkHistory(t, db, s) // history_test.go
	})
}
