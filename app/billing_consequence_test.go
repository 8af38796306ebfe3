package app_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestUnpaidInvoiceConsequences: an organization whose subscription is
// past due sees the region's chosen consequence: a banner on every page,
// or no new listings (403 with a clear message, nothing written); what it
// registered stays readable and editable.
func TestUnpaidInvoiceConsequences(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		org := e.OrgID("baerum", "fornebu-anlegg")
		ctx := e.Ctx("baerum")
		now := apitest.Now()
		settings := &billing.RegionSettings{ID: store.NewID(), Metric: billing.MetricAgreements, Consequence: billing.ConsequenceBanner, Version: 1, UpdatedAt: now}
		sub := &billing.Subscription{ID: store.NewID(), OrgID: org, Status: billing.StatusPastDue, PeriodStart: now, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
			if err := tx.Create(settings).Error; err != nil {
				return err
			}
			return tx.Create(sub).Error
		}); err != nil {
			t.Fatal(err)
		}
		// The banner, for Fornebu's people only.
		page := e.Do(apitest.Request{Path: "/t/baerum/", As: apitest.OrgAdmin})
		if page.Status != 200 || !strings.Contains(string(page.Body), "forfalt faktura") || !strings.Contains(string(page.Body), "Fornebu Anlegg") {
			t.Fatalf("no banner for Fornebu's admin: %d", page.Status)
		}
		if other := e.Do(apitest.Request{Path: "/t/baerum/", As: apitest.Member}); strings.Contains(string(other.Body), "forfalt faktura") {
			t.Fatal("another organization's member sees Fornebu's banner")
		}
		listing := map[string]any{"kind": "surplus", "title": "Ny stein", "organization_id": org, "fractions": []string{"sand"}, "quantity": 100, "unit": "t",
			"available_from": apitest.Month(2), "available_to": apitest.Month(7), "lat": 59.9, "lon": 10.6, "transport": "buyer_collects"}
		post := func() *apitest.Response {
			return e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.OrgAdmin, Body: listing, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		}
		// A banner does not stop new listings.
		if r := post(); r.Status != 201 {
			t.Fatalf("listing under the banner consequence: %d %s", r.Status, r.Body)
		}
		// "No new listings": refused, nothing written; existing ones stay editable.
		if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&billing.RegionSettings{}).Where("id = ?", settings.ID).Update("consequence", billing.ConsequenceNoListings).Error
		}); err != nil {
			t.Fatal(err)
		}
		before := e.Count("baerum", "listings", "organization_id = ?", org)
		p := apitest.Problem(t, post(), 403, "billing_past_due")
		if !strings.Contains(p.Title, "forfalt faktura") {
			t.Errorf("the refusal does not say why: %+v", p)
		}
		if e.Count("baerum", "listings", "organization_id = ?", org) != before {
			t.Fatal("a refused listing was written")
		}
		id := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", org)
		if r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin, Body: map[string]any{"description": "Oppdatert"}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}}); r.Status != 200 {
			t.Fatalf("editing a registered listing: %d %s", r.Status, r.Body)
		}
		// Paid: listings again.
		if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&billing.Subscription{}).Where("id = ?", sub.ID).Update("status", billing.StatusActive).Error
		}); err != nil {
			t.Fatal(err)
		}
		if r := post(); r.Status != 201 {
			t.Fatalf("after payment: %d %s", r.Status, r.Body)
		}
	})
}
