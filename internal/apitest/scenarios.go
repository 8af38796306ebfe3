package apitest

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// PublishNeed publishes, as Member of Sandvika Bygg, a need for 3,000 t of
// blasted rock near Fornebu's surplus (so a match is found), with extra
// fields replacing the defaults, and waits for the background work it
// starts (match discovery, whose writes change the region's caches). It
// returns the listing's ID.
func (e *Env) PublishNeed(title string, extra map[string]any) string {
	e.T.Helper()
	id := e.PublishNeedNoWait(title, extra)
	e.Settle()
	return id
}

// PublishNeedNoWait publishes as PublishNeed does, without waiting for the
// background work the publication starts.
func (e *Env) PublishNeedNoWait(title string, extra map[string]any) string {
	e.T.Helper()
	body := map[string]any{"kind": "need", "title": title, "organization_id": e.OrgID("baerum", "sandvika-bygg"),
		"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": Month(-5), "available_to": Month(13), "lat": 59.8960, "lon": 10.6300,
		"intended_use": "fill", "transport": "seller_delivers", "publish": true, "price_nok_per_tonne": 55}
	for k, v := range extra {
		body[k] = v
	}
	r := e.Do(Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: Member, Body: body})
	if r.Status != 201 {
		e.T.Fatalf("publish need: %d %s", r.Status, r.Body)
	}
	var l struct{ ID string }
	r.JSON(e.T, &l)
	return l.ID
}

// SetOrigins sets the web origins allowed to embed a tenant's widgets.
func (e *Env) SetOrigins(slug string, origins ...string) {
	e.T.Helper()
	tn := *e.Tenant(slug)
	tn.EmbedOrigins = strings.Join(origins, "\n")
	if err := e.App.Tenants.Update(e.Ctx(slug), &tn); err != nil {
		e.T.Fatal(err)
	}
}

// MarketLoad gives tenant Bærum n more published listings and nf
// facilities with permits, spread over the region, all open: the load of
// the benchmarks.
func (e *Env) MarketLoad(n, nf int) {
	e.T.Helper()
	r := rand.New(rand.NewSource(7))
	org := e.OrgID("baerum", "lysaker-transport")
	now := Now().UTC()
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
		e.T.Fatal(err)
	}
}
