package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestBrowserLongListsAxe: the invoice tables with a next page (and the
// page it leads to) and the transport overview cut at its cap, with its
// note, pass axe at 390 and 1280 px.
func TestBrowserLongListsAxe(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	T := "/t/baerum"
	ids := billingSetup(e)
	ctx := e.Ctx("baerum")
	now := apitest.Now().UTC().Truncate(time.Second)
	sys := store.System(context.Background(), "tests: long invoice lists")
	for m := 1; m <= billing.InvoiceBounds.Default+1; m++ {
		start := billing.MonthsBack(now, m)
		for i, org := range []string{ids["borg"], ids["bmember"]} {
			inv := &billing.Invoice{ID: store.NewID(), OrgID: org, Number: fmt.Sprintf("%s-%05d", start.Format("2006"), 2*m+i), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
				NetOre: 99000, VATOre: 24750, TotalOre: 123750, Status: billing.InvoiceOpen, Lines: billing.LineList{}, CreatedAt: now, UpdatedAt: now}
			if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(inv).Error }); err != nil {
				t.Fatal(err)
			}
		}
		r := &billing.RegionInvoice{ID: store.NewID(), RegionID: ids["btenant"], Number: fmt.Sprintf("MF-%s-%05d", start.Format("2006"), m), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
			NetOre: 2500000, VATOre: 625000, TotalOre: 3125000, Status: billing.InvoiceOpen, Lines: billing.LineList{}, CreatedAt: now, UpdatedAt: now}
		if err := e.App.DB.Tx(sys, func(tx *gorm.DB) error { return tx.Create(r).Error }); err != nil {
			t.Fatal(err)
		}
	}
	lysaker := e.OrgID("baerum", "lysaker-transport")
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7)
	plans := make([]transport.Schedule, 0, transport.MaxOverviewItems+1)
	for i := 0; i <= transport.MaxOverviewItems; i++ {
		plans = append(plans, transport.Schedule{ID: store.NewID(), OrganizationID: lysaker, FromName: "Vestmarka", FromLat: 59.95, FromLon: 10.5,
			ToName: "Lysaker brygge", ToLat: 59.9133, ToLon: 10.6420, Fraction: "pukk", Tonnes: 100, DateFrom: day.AddDate(0, 0, i/100), DateTo: day.AddDate(0, 0, 20),
			LoadsPerDay: 1, Status: transport.PlanActive, CreatedAt: now, UpdatedAt: now})
	}
	if err := e.App.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.CreateInBatches(plans, 100).Error }); err != nil {
		t.Fatal(err)
	}
	next := func(path, as string) string {
		t.Helper()
		m := regexp.MustCompile(`href="([^"]*cursor=[^"#]*)`).FindStringSubmatch(string(e.Do(apitest.Request{Path: path, As: as}).Body))
		if m == nil {
			t.Fatalf("%s has no next page", path)
		}
		return html.UnescapeString(m[1])
	}
	transportPath := T + "/transport?from=" + day.Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 30).Format(time.DateOnly)
	if !strings.Contains(string(e.Do(apitest.Request{Path: transportPath, As: apitest.Member}).Body), `id="transport-truncated"`) {
		t.Fatal("the cut overview shows no note")
	}
	pages := []browserPage{
		{Path: T + "/billing", As: apitest.TenantAdmin},
		{Path: next(T+"/billing", apitest.TenantAdmin), As: apitest.TenantAdmin},
		{Path: T + "/billing/organizations/" + ids["borg"], As: apitest.OrgAdmin},
		{Path: next(T+"/billing/organizations/"+ids["borg"], apitest.OrgAdmin), As: apitest.OrgAdmin},
		{Path: "/admin/billing", As: apitest.Platform},
		{Path: transportPath, As: apitest.Member},
	}
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	cookies := map[string]string{}
	for _, p := range pages {
		name, value, _ := strings.Cut(apitest.Cookie(p.As), "=")
		cookies[p.As] = name + "\x00" + value
	}
	pj, _ := json.Marshal(pages)
	cj, _ := json.Marshal(cookies)
	out, err := runNode(t, node, "pages.mjs", map[string]string{"PLATFORM": platform, "PAGES": string(pj), "COOKIES": string(cj), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")}).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("axe found violations: %v", err)
	}
}
