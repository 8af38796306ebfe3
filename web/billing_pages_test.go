package web_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

var billingNext = regexp.MustCompile(`href="([^"]*cursor=[^"]*)"`)

// TestBillingInvoicePagesUI: the invoice tables come a page at a time
// with a link to the next page, which shows the rest; the period column
// names the month in the page's language (the invoice lines stay
// Norwegian).
func TestBillingInvoicePagesUI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := e.Ctx("baerum")
		fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
		now := apitest.Now().UTC().Truncate(time.Second)
		sys := store.System(context.Background(), "tests: invoices to page")
		months := billing.InvoiceBounds.Default/2 + 1 // two organizations: one more than a page
		for m := 1; m <= months; m++ {
			start := billing.MonthsBack(now, m)
			for i, org := range []string{fornebu, sandvika} {
				inv := &billing.Invoice{ID: store.NewID(), OrgID: org, Number: fmt.Sprintf("F-%s-%d", start.Format("2006-01"), i+1), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
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
		en := map[string]string{"Cookie": apitest.Cookie(apitest.TenantAdmin) + "; lang=en"}
		r := e.Do(apitest.Request{Path: "/t/baerum/billing", Header: en})
		if r.Status != 200 {
			t.Fatalf("billing page: %d", r.Status)
		}
		body := string(r.Body)
		// The months of the first page: English names, never the Norwegian.
		for m := 1; m <= 12; m++ {
			start := billing.MonthsBack(now, m)
			mid := start.AddDate(0, 0, 14)
			if want := mid.Month().String() + " " + fmt.Sprint(mid.Year()); !strings.Contains(body, want) {
				t.Errorf("the English page names no %q", want)
			}
			if no := billing.MonthName(start); strings.Contains(body, no) {
				t.Errorf("the English page says %q", no)
			}
		}
		shown := func(body string) map[string]bool {
			out := map[string]bool{}
			for _, m := range regexp.MustCompile(`<td>(F-[0-9-]+)</td>`).FindAllStringSubmatch(body, -1) {
				out[m[1]] = true
			}
			return out
		}
		first := shown(body)
		if len(first) != billing.InvoiceBounds.Default {
			t.Fatalf("first page shows %d member invoices", len(first))
		}
		links := billingNext.FindAllStringSubmatch(body, -1)
		if len(links) != 1 || !strings.Contains(links[0][1], "?cursor=") {
			t.Fatalf("next links: %v", links)
		}
		r = e.Do(apitest.Request{Path: html.UnescapeString(links[0][1]), Header: en})
		if r.Status != 200 {
			t.Fatalf("next page: %d", r.Status)
		}
		rest := shown(string(r.Body))
		if len(rest) != 2*months-billing.InvoiceBounds.Default || billingNext.MatchString(string(r.Body)) {
			t.Fatalf("the next page shows %d member invoices", len(rest))
		}
		for n := range rest {
			if first[n] {
				t.Fatalf("%s on both pages", n)
			}
		}
		if r := e.Do(apitest.Request{Path: "/t/baerum/billing?cursor=bm90LWEtY3Vyc29y", As: apitest.TenantAdmin}); r.Status != 422 {
			t.Fatalf("a foreign cursor: %d", r.Status)
		}
	})
}
