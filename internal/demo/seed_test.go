package demo_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// services are the domain services a seed needs on db (the roles closed
// when the test ends).
func services(t *testing.T, db *store.DB) seed.Services {
	t.Helper()
	s, err := seed.OnDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Roles.Close)
	return s
}

// TestDemoSeedsThroughTheDomain: the whole demo passes the domain's
// validation and row rules on every backend, every region gets its
// organizations and open listings, and seeding again changes nothing.
func TestDemoSeedsThroughTheDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := services(t, db)
		if err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true}); err != nil {
			t.Fatal(err)
		}
		w := demo.World()
		for _, wt := range demo.Tenants {
			tn, ok := s.Tenants.BySlug(wt.Slug)
			if !ok {
				t.Fatalf("no region %s", wt.Slug)
			}
			want := map[string]int64{}
			for _, o := range w.Orgs {
				if o.Tenant == wt.Slug {
					want["organizations"]++
				}
			}
			ctx := store.WithTenant(context.Background(), tn.ID)
			var orgs, open int64
			err := db.Read(ctx, func(tx *gorm.DB) error {
				if err := tx.Model(&directory.Organization{}).Count(&orgs).Error; err != nil {
					return err
				}
				return tx.Model(&market.Listing{}).Where("status = ?", market.StatusPublished).Count(&open).Error
			})
			if err != nil {
				t.Fatal(err)
			}
			if orgs != want["organizations"] || open == 0 {
				t.Errorf("%s: %d organizations (want %d), %d published listings", wt.Slug, orgs, want["organizations"], open)
			}
		}
		kari, err := s.Users.ByEmail(context.Background(), "kari@fornebu-anlegg.no")
		if err != nil {
			t.Fatal(err)
		}
		baerum, _ := s.Tenants.BySlug("baerum")
		var key market.Listing
		err = db.Read(store.WithTenant(context.Background(), baerum.ID), func(tx *gorm.DB) error {
			return tx.Where("title = ?", demo.KeyListing).Take(&key).Error
		})
		if err != nil || key.CreatedBy != kari.ID || !key.Open() || key.ContaminationClass != 1 {
			t.Errorf("the key listing, entered by Kari with its lab sample: %+v, %v", key, err)
		}
		if err := demo.SeedWith(context.Background(), s, demo.Options{NoHistory: true}); err != nil {
			t.Fatalf("seeding again: %v", err)
		}
		if n := len(s.Tenants.All()); n != len(demo.Tenants) {
			t.Errorf("%d regions after seeding twice", n)
		}
	})
}
