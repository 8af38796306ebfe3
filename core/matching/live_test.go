package matching_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestIndexFollowsChangesWithoutRebuild (issue 16): the index is built
// once; a listing announced as published, changed or closed is reloaded
// alone into the same index (no rebuild), and so is one written without an
// event in this process (found by updated_at).
func TestIndexFollowsChangesWithoutRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tid := storetest.Tenant(t, db, "baerum")
		ctx := store.WithTenant(t.Context(), tid)
		now := db.Now()
		orgA, orgB := store.NewID(), store.NewID()
		listing := func(org, kind string, lat float64) *market.Listing {
			return &market.Listing{ID: store.NewID(), OrganizationID: org, Kind: kind, Title: kind, Fractions: directory.List{"leire"},
				QuantityTonnes: 1000, QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: lat, Lon: 10.6,
				Transport: "seller_delivers", Status: market.StatusPublished, Visibility: "public", ContaminationClass: 1, CreatedAt: now, UpdatedAt: now}
		}
		surplus := listing(orgA, "surplus", 59.9)
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			for _, o := range []*directory.Organization{{ID: orgA, OrgNumber: "974760673", Name: "A"}, {ID: orgB, OrgNumber: "988077917", Name: "B"}} {
				if err := tx.Create(o).Error; err != nil {
					return err
				}
			}
			return tx.Create(surplus).Error
		}); err != nil {
			t.Fatal(err)
		}
		// Another region's listing next door is never in this one's index.
		other := storetest.Tenant(t, db, "rogaland")
		otherOrg := store.NewID()
		if err := db.Tx(store.WithTenant(t.Context(), other), func(tx *gorm.DB) error {
			if err := tx.Create(&directory.Organization{ID: otherOrg, OrgNumber: "974760673", Name: "C"}).Error; err != nil {
				return err
			}
			n := listing(otherOrg, "need", 59.9)
			n.IntendedUse = "fill"
			return tx.Create(n).Error
		}); err != nil {
			t.Fatal(err)
		}
		svc := &matching.Service{DB: db, Engine: matching.NewEngine()}
		ix, err := svc.Index(ctx, tid)
		if err != nil || ix.Len() != 1 {
			t.Fatalf("built: %v %v", ix, err)
		}
		get := func() *matching.Index {
			t.Helper()
			got, err := svc.Index(ctx, tid)
			if err != nil {
				t.Fatal(err)
			}
			if got != ix {
				t.Fatal("the index was rebuilt")
			}
			return got
		}
		// Published (the outbox's listener says so).
		need := listing(orgB, "need", 59.91)
		need.IntendedUse = "fill"
		if err := db.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(need).Error }); err != nil {
			t.Fatal(err)
		}
		svc.Changed(tid, need.ID)
		if ix := get(); !ix.Has(need.ID) || ix.Len() != 2 || len(svc.Engine.Rank(ix, mustItem(t, ix, surplus.ID), 5)) != 1 {
			t.Fatal("a published need is not in the index, or not matched")
		}
		// Closed.
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&market.Listing{}).Where("id = ?", need.ID).Update("status", market.StatusClosed).Error
		}); err != nil {
			t.Fatal(err)
		}
		svc.Changed(tid, need.ID)
		if ix := get(); ix.Has(need.ID) || ix.Len() != 1 {
			t.Fatal("a closed need is still in the index")
		}
		// Reopened without an event (found by updated_at after the write).
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&market.Listing{}).Where("id = ?", need.ID).Update("status", market.StatusPublished).Error
		}); err != nil {
			t.Fatal(err)
		}
		if ix := get(); !ix.Has(need.ID) {
			t.Fatal("a listing changed without an event is not in the index")
		}
	})
}

func mustItem(t *testing.T, ix *matching.Index, id string) matching.Item {
	t.Helper()
	it, ok := ix.Lookup(id)
	if !ok {
		t.Fatalf("%s not indexed", id)
	}
	return it
}
