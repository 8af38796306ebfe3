package tests

// Helpers the package's tests share with the market's tests, which moved to
// api/market_test.go and api/bench_market_test.go.

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// marketLoad gives tenant Bærum n published listings and nf facilities with
// permits, spread over the region.
func marketLoad(b testing.TB, e *apitest.Env, n, nf int) {
	r := rand.New(rand.NewSource(7))
	org := e.OrgID("baerum", "lysaker-transport")
	now := time.Now().UTC()
	fracs := []string{"sprengstein", "morene", "grus", "sand", "leire", "matjord", "pukk"}
	uses := []string{"fill", "sub_base", "landscaping", "noise_barrier"}
	kinds := []string{"surplus", "need", "capacity"}
	types := []string{"landfill", "quarry", "intermediate_storage"}
	y, mo, _ := now.Date()
	base := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC) // every window ends ahead: all open
	err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
		ls := make([]market.Listing, 0, n)
		for i := 0; i < n; i++ {
			from := base.AddDate(0, r.Intn(60), 0)
			k := kinds[r.Intn(3)]
			l := market.Listing{ID: store.NewID(), OrganizationID: org, Kind: k, Title: fmt.Sprintf("Belastning %05d", i), Fractions: directory.List{fracs[r.Intn(len(fracs))]},
				QuantityTonnes: 500 + r.Float64()*50000, QuantityUnit: "t", AvailableFrom: from, AvailableTo: from.AddDate(0, 3+r.Intn(24), 0),
				Lat: 59.6 + r.Float64()*0.6, Lon: 10.2 + r.Float64()*0.9, ContaminationClass: r.Intn(3), Transport: "seller_delivers", Status: "published",
				Visibility: "public", CreatedAt: now, UpdatedAt: now}
			l.QuantityValue = l.QuantityTonnes
			if k == "need" {
				l.IntendedUse = uses[r.Intn(len(uses))]
			}
			ls = append(ls, l)
		}
		if err := tx.CreateInBatches(ls, 500).Error; err != nil {
			return err
		}
		for i := 0; i < nf; i++ {
			st := directory.Site{ID: store.NewID(), OrganizationID: org, Kind: "facility", Name: fmt.Sprintf("Anlegg %03d", i), FacilityType: types[i%3],
				Lat: 59.6 + r.Float64()*0.6, Lon: 10.2 + r.Float64()*0.9, Permanent: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&st).Error; err != nil {
				return err
			}
			kind := map[string]string{"landfill": "landfill", "quarry": "receiving", "intermediate_storage": "intermediate_storage"}[st.FacilityType]
			p := directory.Permit{ID: store.NewID(), SiteID: st.ID, Kind: kind, Authority: "x", Fractions: directory.List(fracs), MaxClass: 1 + r.Intn(3),
				ValidFrom: &base, ValidTo: &[]time.Time{base.AddDate(8, 0, 0)}[0], CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&p).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func p50(lat []time.Duration) (time.Duration, time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[len(lat)*99/100]
}

const pdfBytes = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
