package matching_test

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// TestStaleNotificationsAndClassAdviceK5: when a sample makes a surplus
// class 2 and the only counterpart is a need (class 1 only), the match
// notification disappears, and the listing is told that its class removed
// every match, with the receivers whose permits take class 2 (nearest
// first; one that takes class 1 only is not suggested).
func TestStaleNotificationsAndClassAdviceK5(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tid := storetest.Tenant(t, db, "baerum")
		ctx := store.WithTenant(t.Context(), tid)
		kari := storetest.User(t, db, "kari@example.no")
		now := db.Now()
		orgA, orgB := store.NewID(), store.NewID()
		surplus, need := store.NewID(), store.NewID()
		listing := func(id, org, kind string, lat float64) *market.Listing {
			return &market.Listing{ID: id, OrganizationID: org, Kind: kind, Title: kind, Fractions: directory.List{"leire"},
				QuantityTonnes: 1000, QuantityValue: 1000, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now.AddDate(1, 0, 0), Lat: lat, Lon: 10.6,
				Transport: "seller_delivers", Status: market.StatusPublished, Visibility: "public", ContaminationClass: 1, CreatedAt: now, UpdatedAt: now}
		}
		site := func(name string, lat float64, maxClass int) error {
			return db.Tx(ctx, func(tx *gorm.DB) error {
				s := &directory.Site{ID: store.NewID(), OrganizationID: orgB, Kind: "facility", Name: name, Lat: lat, Lon: 10.6, FacilityType: "landfill", Permanent: true}
				if err := tx.Create(s).Error; err != nil {
					return err
				}
				return tx.Create(&directory.Permit{ID: store.NewID(), SiteID: s.ID, Kind: "receiving", Authority: "Statsforvalteren", Fractions: directory.List{"leire"}, MaxClass: maxClass}).Error
			})
		}
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			for _, o := range []*directory.Organization{{ID: orgA, OrgNumber: "974760673", Name: "Fornebu Anlegg", RegistryStatus: "active"}, {ID: orgB, OrgNumber: "988077917", Name: "Sandvika Bygg", RegistryStatus: "active"}} {
				if err := tx.Create(o).Error; err != nil {
					return err
				}
			}
			if err := tx.Create(listing(surplus, orgA, "surplus", 59.9)).Error; err != nil {
				return err
			}
			if err := tx.Create(listing(need, orgB, "need", 59.91)).Error; err != nil {
				return err
			}
			return tx.Create(&matching.Notification{ID: store.NewID(), UserID: kari.ID, Kind: "match", ListingID: surplus, CounterpartID: need, CreatedAt: now}).Error
		}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			name string
			lat  float64
			max  int
		}{{"Langhus deponi", 59.95, 3}, {"Nær, bare rene masser", 59.901, 1}, {"Nærmest deponi", 59.92, 2}} {
			if err := site(s.name, s.lat, s.max); err != nil {
				t.Fatal(err)
			}
		}
		svc := &matching.Service{DB: db, Engine: matching.NewEngine()}
		as := storetest.Ctx(tid, storetest.As(kari))
		get := func() *market.Listing {
			var l market.Listing
			if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", surplus).Take(&l).Error }); err != nil {
				t.Fatal(err)
			}
			return &l
		}
		if p, err := svc.Notifications(as, page.Request{Limit: 10}); err != nil || len(p.Items) != 1 {
			t.Fatalf("a valid match's notification: %+v %v", p.Items, err)
		}
		if adv, err := svc.AdviseClass(as, get()); err != nil || adv != nil {
			t.Fatalf("advice for a class 1 listing with matches: %+v %v", adv, err)
		}

		// A sample makes the surplus class 2: the need takes class 1 only.
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&market.Listing{}).Where("id = ?", surplus).Update("contamination_class", 2).Error
		}); err != nil {
			t.Fatal(err)
		}
		if p, err := svc.Notifications(as, page.Request{Limit: 10}); err != nil || len(p.Items) != 0 {
			t.Fatalf("a stale notification is still listed: %+v %v", p.Items, err)
		}
		adv, err := svc.AdviseClass(as, get())
		if err != nil || adv == nil || adv.Class != 2 || len(adv.Receivers) != 2 {
			t.Fatalf("advice: %+v %v", adv, err)
		}
		if adv.Receivers[0].Name != "Nærmest deponi" || adv.Receivers[0].MaxClass != 2 || adv.Receivers[1].Name != "Langhus deponi" || adv.Receivers[1].MaxClass != 3 {
			t.Fatalf("receivers: %+v", adv.Receivers)
		}
	})
}
