package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestBillingInvoicePages: every invoice list (the region's to its
// members, an organization's, the platform's to the region and to every
// region) is a page within documented bounds: walking with limit=1 gives
// each invoice once, newest first, the same as one page; a limit out of
// range or a foreign cursor is a 422 naming the parameter.
func TestBillingInvoicePages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.Ctx("baerum")
		fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
		if _, err := e.App.Billing.Assign(ctx, fornebu, billing.AssignInput{Free: true}); err != nil {
			t.Fatal(err)
		}
		now := apitest.Now().UTC().Truncate(time.Second)
		sys := store.System(context.Background(), "tests: invoices to page")
		for m := 1; m <= 2; m++ {
			start := billing.MonthsBack(now, m)
			for i, org := range []string{fornebu, sandvika} {
				inv := &billing.Invoice{ID: store.NewID(), OrgID: org, Number: fmt.Sprintf("%s-%05d", start.Format("2006-01"), i+1), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
					Status: billing.InvoiceOpen, Lines: billing.LineList{}, CreatedAt: now, UpdatedAt: now}
				if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(inv).Error }); err != nil {
					t.Fatal(err)
				}
			}
			r := &billing.RegionInvoice{ID: store.NewID(), RegionID: e.Tenant("baerum").ID, Number: "MF-" + start.Format("2006-01"), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
				Status: billing.InvoiceOpen, Lines: billing.LineList{}, CreatedAt: now, UpdatedAt: now}
			if err := e.App.DB.Tx(sys, func(tx *gorm.DB) error { return tx.Create(r).Error }); err != nil {
				t.Fatal(err)
			}
		}
		T := "/api/v1/tenants/baerum"
		lists := []struct {
			path, as, items, next string
			want                  int
		}{
			{T + "/billing/invoices", apitest.TenantAdmin, "items", "next_cursor", 4},
			{T + "/billing/platform/invoices", apitest.TenantAdmin, "items", "next_cursor", 2},
			{"/api/v1/platform/billing/invoices", apitest.Platform, "items", "next_cursor", 2},
			{T + "/billing/organizations/" + fornebu, apitest.OrgAdmin, "invoices", "invoices_next_cursor", 2},
		}
		for _, l := range lists {
			get := func(q string) (ids []string, next string) {
				t.Helper()
				r := e.Do(apitest.Request{Path: l.path + q, As: l.as})
				if r.Status != 200 {
					t.Fatalf("%s%s: %d %s", l.path, q, r.Status, r.Body)
				}
				var body map[string]any
				r.JSON(t, &body)
				for _, it := range body[l.items].([]any) {
					ids = append(ids, it.(map[string]any)["number"].(string))
				}
				next, _ = body[l.next].(string)
				return ids, next
			}
			one, next := get("?limit=200")
			if len(one) != l.want || next != "" {
				t.Fatalf("%s: one page %v next %q; want %d", l.path, one, next, l.want)
			}
			if !sortedDesc(one) {
				t.Errorf("%s: not newest first: %v", l.path, one)
			}
			var walked []string
			for q, pages := "?limit=1", 0; ; pages++ {
				ids, next := get(q)
				if len(ids) != 1 || pages > l.want {
					t.Fatalf("%s%s: %v", l.path, q, ids)
				}
				walked = append(walked, ids...)
				if next == "" {
					break
				}
				q = "?limit=1&cursor=" + next
			}
			if strings.Join(walked, " ") != strings.Join(one, " ") {
				t.Fatalf("%s: walked %v, one page %v", l.path, walked, one)
			}
			for _, bad := range []string{"0", "-1", "x", "201"} {
				p := apitest.Problem(t, e.Do(apitest.Request{Path: l.path + "?limit=" + bad, As: l.as}), 422, "validation")
				if len(p.Errors) != 1 || p.Errors[0].Field != "limit" {
					t.Errorf("%s?limit=%s: %+v", l.path, bad, p.Errors)
				}
			}
			p := apitest.Problem(t, e.Do(apitest.Request{Path: l.path + "?cursor=bm90LWEtY3Vyc29y", As: l.as}), 422, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
				t.Errorf("%s with a foreign cursor: %+v", l.path, p.Errors)
			}
		}
	})
}

func sortedDesc(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] > s[i-1] {
			return false
		}
	}
	return true
}
