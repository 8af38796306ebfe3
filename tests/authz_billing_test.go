package tests

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The billing rows of the authorization matrix (D3, V10): tenant admins
// manage the region's plans, assignments and settings; an organization's
// admin (Kari, Fornebu Anlegg) sees and changes only its own billing;
// supervisors read; the platform admin sets regions' plans; the webhook is
// public and refuses what is not signed.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: billingAPIRows, ui: billingUIRows, targets: billingTargets})
}

func billingAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	P := "/api/v1/platform"
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"GET", T + "/billing/plans", nil, "ddddddoo"},
		{"POST", T + "/billing/plans", map[string]any{"name": "Ny plan", "licence_ore": 10000}, "ddddddoo"},
		{"POST", T + "/billing/plans", map[string]any{"name": "Negativ", "licence_ore": -1}, "ddddddbb"},
		{"PUT", T + "/billing/plans/{bplan}", map[string]any{"name": "Entreprenør", "licence_ore": 120000, "unit_ore": 15000, "version": 1}, "ddddddoo"},
		{"DELETE", T + "/billing/plans/{bplan}", nil, "ddddddcc"},
		{"DELETE", T + "/billing/plans/{bunused}", nil, "ddddddoo"},
		{"GET", T + "/billing/subscriptions", nil, "ddddddoo"},
		{"PUT", T + "/billing/organizations/{bmember}/plan", map[string]any{"free": true, "version": 1}, "ddddddoo"},
		{"PUT", T + "/billing/organizations/{bmember}/plan", map[string]any{"free": true, "version": 7}, "ddddddcc"},
		{"GET", T + "/billing/settings", nil, "ddddddoo"},
		{"PUT", T + "/billing/settings", map[string]any{"metric": "agreed_tonnes", "consequence": "banner"}, "ddddddoo"},
		{"POST", T + "/billing/connect", nil, "ddddddoo"},
		{"GET", T + "/billing/usage.csv", nil, "ddddddoo"},
		{"GET", T + "/billing/platform-invoice.xml", nil, "ddddddnn"}, // Bærum is not set up as a public body
		{"GET", T + "/billing/invoices", nil, "ddddddoo"},
		{"GET", T + "/billing/invoices/{binvoice}/pdf", nil, "ddddoooo"},
		{"GET", T + "/billing/invoices/{binvoice}/ehf", nil, "ddddoooo"},
		{"GET", T + "/billing/invoices/{bminvoice}/pdf", nil, "dddddooo"},
		{"POST", T + "/billing/invoices/{binvoice}/paid", nil, "ddddddoo"},
		{"GET", T + "/billing/platform/invoices", nil, "ddddddoo"},
		{"GET", T + "/billing/platform/invoices/{rinvoice}/pdf", nil, "ddddddoo"},
		{"GET", T + "/billing/platform/invoices/{rinvoice}/ehf", nil, "ddddddcc"}, // Bærum is not a public body
		{"GET", T + "/billing/organizations/{borg}", nil, "ddddoooo"},
		{"GET", T + "/billing/organizations/{bmember}", nil, "dddddooo"},
		{"PUT", T + "/billing/organizations/{borg}/contact", map[string]any{"billing_email": "faktura@fornebu.example", "version": 1}, "ddddodoo"},
		{"PUT", T + "/billing/organizations/{bmember}/contact", map[string]any{"billing_email": "faktura@sandvika.example", "version": 1}, "ddddddoo"},
		{"POST", T + "/billing/organizations/{borg}/portal", nil, "ddddodoo"},
		{"GET", P + "/billing/plans", nil, "dddddddo"},
		{"POST", P + "/billing/plans", map[string]any{"name": "Region stor", "licence_ore": 2500000}, "dddddddo"},
		{"PUT", P + "/billing/regions/{btenant}", map[string]any{"plan_id": "{rplan}", "version": 1}, "dddddddo"},
		{"GET", P + "/billing/invoices", nil, "dddddddo"},
		{"POST", P + "/billing/invoices/{rinvoice}/paid", nil, "dddddddo"},
		{"POST", "/api/v1/billing/stripe/webhook", map[string]any{"id": "evt_1"}, "bbbbbbbb"},
	}
}

func billingUIRows() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"GET", T + "/billing", nil, "dddooooo"}, // an organization admin is sent on to its organization's page
		{"GET", T + "/billing/organizations/{borg}", nil, "ddddoooo"},
		{"POST", T + "/billing/organizations/{borg}/contact", form("billing_email", "faktura@fornebu.example", "version", "1"), "ddddodoo"},
		{"POST", T + "/billing/plans", form("name", "Ny plan", "licence_kr", "100", "unit_kr", "150"), "ddddddoo"},
		{"POST", T + "/billing/plans/{bunused}/delete", nil, "ddddddoo"},
		{"POST", T + "/billing/organizations/{bmember}/plan", form("plan_id", "", "free", "1", "version", "1"), "ddddddoo"},
		{"POST", T + "/billing/settings", form("metric", "agreed_tonnes", "consequence", "banner"), "ddddddoo"},
		{"GET", T + "/billing/usage.csv", nil, "ddddddoo"},
		{"POST", T + "/billing/connect", nil, "ddddddoo"},
		{"GET", T + "/billing/invoices/{binvoice}/pdf", nil, "ddddoooo"},
		{"GET", T + "/billing/invoices/{binvoice}/ehf", nil, "ddddoooo"},
		{"POST", T + "/billing/invoices/{binvoice}/paid", nil, "ddddddoo"},
		{"GET", T + "/billing/platform/invoices/{rinvoice}/pdf", nil, "ddddddoo"},
		{"GET", T + "/billing/platform/invoices/{rinvoice}/ehf", nil, "ddddddcc"},
		{"GET", "/admin/billing", nil, "dddddddo"},
		{"POST", "/admin/billing/invoices/{rinvoice}/paid", nil, "dddddddo"},
		{"POST", "/admin/billing/plans", form("name", "Region liten", "licence_kr", "10000"), "dddddddo"},
		{"POST", "/admin/billing/regions/{btenant}", form("plan_id", "{rplan}", "version", "1"), "dddddddo"},
	}
}

// billingTargets makes Bærum's plan with Fornebu (Kari's) and Sandvika on
// it, an unused plan, and a platform plan for regions.
func billingTargets(e *apitest.Env, tg map[string]string) {
	ids := billingSetup(e)
	for k, v := range ids {
		tg[k] = v
	}
	// Bærum on a platform plan with its organization number (the seller on
	// its members' EHF invoices), not a public body; a month's stored
	// invoices: Fornebu's and Sandvika's, and the platform's to Bærum.
	if _, err := e.App.Billing.SetRegion(store.System(context.Background(), "tests: the platform sets a region's plan"), ids["btenant"], billing.RegionInput{PlanID: ids["rplan"], OrgNumber: "974556758"}); err != nil {
		e.T.Fatal(err)
	}
	for k, v := range billingInvoices(e, ids) {
		tg[k] = v
	}
}

// billingInvoices stores last month's invoices as the offline close does:
// Fornebu's (binvoice), Sandvika's (bminvoice) and the platform's to Bærum
// (rinvoice).
func billingInvoices(e *apitest.Env, ids map[string]string) map[string]string {
	start := billing.PeriodStart(billing.PeriodStart(apitest.Now()).Add(-24 * time.Hour))
	now, due := apitest.Now().UTC(), apitest.Now().UTC().Add(14*24*time.Hour)
	lines := billing.LineList{{Text: "Lisens «Entreprenør», " + billing.MonthName(start), Quantity: 1, Unit: "mnd", UnitOre: 99000, AmountOre: 99000}}
	out := map[string]string{}
	for i, o := range []struct{ key, org string }{{"binvoice", ids["borg"]}, {"bminvoice", ids["bmember"]}} {
		inv := &billing.Invoice{ID: store.NewID(), OrgID: o.org, Number: start.Format("2006") + "-0000" + strconv.Itoa(i+1), PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
			NetOre: 99000, VATOre: 24750, TotalOre: 123750, Status: billing.InvoiceOpen, Lines: lines, DueAt: &due, CreatedAt: now, UpdatedAt: now}
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Create(inv).Error }); err != nil {
			e.T.Fatal(err)
		}
		out[o.key] = inv.ID
	}
	r := &billing.RegionInvoice{ID: store.NewID(), RegionID: ids["btenant"], Number: "MF-" + start.Format("2006") + "-00001", PeriodStart: start, PeriodEnd: billing.PeriodEnd(start),
		Lines:  billing.LineList{{Text: "Plattformlisens «Region», " + billing.MonthName(start), Quantity: 1, Unit: "mnd", UnitOre: 2500000, AmountOre: 2500000}},
		NetOre: 2500000, VATOre: 625000, TotalOre: 3125000, Status: billing.InvoiceOpen, DueAt: &due, CreatedAt: now, UpdatedAt: now}
	if err := e.App.DB.Tx(store.System(context.Background(), "tests: a platform invoice"), func(tx *gorm.DB) error { return tx.Create(r).Error }); err != nil {
		e.T.Fatal(err)
	}
	out["rinvoice"] = r.ID
	return out
}

// billingSetup creates the billing rows the matrix and the isolation suite
// start from, through the service.
func billingSetup(e *apitest.Env) map[string]string {
	s := e.App.Billing
	ctx := e.Ctx("baerum")
	p, err := s.SavePlan(ctx, "", billing.PlanForm{Name: "Entreprenør", LicenceOre: 99000, UnitOre: 15000})
	if err != nil {
		e.T.Fatal(err)
	}
	unused, err := s.SavePlan(ctx, "", billing.PlanForm{Name: "Ubrukt", LicenceOre: 1000})
	if err != nil {
		e.T.Fatal(err)
	}
	fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
	for _, o := range []string{fornebu, sandvika} {
		if _, err := s.Assign(ctx, o, billing.AssignInput{PlanID: p.ID}); err != nil {
			e.T.Fatal(err)
		}
	}
	rp, err := s.SaveRegionPlan(ctx, billing.PlanForm{Name: "Region", LicenceOre: 2500000})
	if err != nil {
		e.T.Fatal(err)
	}
	return map[string]string{"bplan": p.ID, "bunused": unused.ID, "borg": fornebu, "bmember": sandvika, "rplan": rp.ID, "btenant": e.Tenant("baerum").ID}
}

// billingPages are the billing pages the browser suite checks with axe:
// the tenant admin's overview and an organization's page with usage.
func billingPages(e *apitest.Env, T string) []browserPage {
	ids := billingSetup(e)
	ctx := e.Ctx("baerum")
	if err := e.App.Billing.Record(ctx, "browser-event", apitest.Now(), billing.AgreementEvent{AgreementID: "browser-agreement", ByOrgID: ids["borg"], ToOrgID: ids["bmember"]}); err != nil {
		e.T.Fatal(err)
	}
	billingInvoices(e, ids) // the invoice tables, with their download links and "mark paid"
	return []browserPage{
		{Path: T + "/billing", As: apitest.TenantAdmin},
		{Path: T + "/billing/organizations/" + ids["borg"], As: apitest.OrgAdmin},
		{Path: "/admin/billing", As: apitest.Platform},
	}
}

// TestBillingHTTP runs billing through the API as its users would: bad
// input answered as problem+json with the field's pointer and nothing
// saved; a signed webhook making Fornebu's subscription "forfalt", a
// replay changing nothing; a tenant admin of another region seeing none of
// it.
func TestBillingHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ids := billingSetup(e)
		T := "/api/v1/tenants/baerum"
		for _, c := range []struct {
			body    map[string]any
			pointer string
		}{
			{map[string]any{"name": "Negativ", "licence_ore": -100}, "/licence_ore"},
			{map[string]any{"name": "Euro", "licence_ore": 100, "currency": "EUR"}, "/currency"},
			{map[string]any{"name": "Entreprenør", "licence_ore": 100}, "/name"}, // taken
		} {
			r := e.Do(apitest.Request{Method: "POST", Path: T + "/billing/plans", As: tenantAdmin, Body: c.body})
			if r.Status != 422 || !strings.Contains(string(r.Body), `"`+c.pointer+`"`) {
				t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
			}
		}
		var plans struct{ Items []billing.MemberPlan }
		e.Do(apitest.Request{Path: T + "/billing/plans", As: tenantAdmin}).JSON(t, &plans)
		if len(plans.Items) != 2 {
			t.Fatalf("bad input saved plans: %+v", plans.Items)
		}

		// A signed webhook: the invoice payment failed.
		secret := "whsec_http_test"
		e.App.Billing.WebhookSecret = secret
		subID := e.FirstID("baerum", "billing_subscriptions", "org_id = ?", ids["borg"])
		var provider string
		_ = e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("billing_subscriptions").Where("id = ?", subID).Pluck("provider_id", &provider).Error
		})
		payload, _ := json.Marshal(map[string]any{"id": "evt_http_1", "object": "event", "type": "invoice.payment_failed", "created": 1000, "api_version": "2023-10-16",
			"data": map[string]any{"object": map[string]any{"id": "in_http_1", "object": "invoice", "status": "open", "subscription": provider, "number": "MF-7", "subtotal": 99000, "tax": 24750, "total": 123750}}})
		hook := func() string {
			sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret})
			r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/billing/stripe/webhook", Body: payload, Header: map[string]string{"Content-Type": "application/json", "Stripe-Signature": sig.Header}})
			if r.Status != 200 {
				t.Fatalf("webhook: %d %s", r.Status, r.Body)
			}
			var out struct{ Outcome string }
			r.JSON(t, &out)
			return out.Outcome
		}
		if got := hook(); got != "applied" {
			t.Fatalf("first delivery: %s", got)
		}
		if got := hook(); got != "duplicate" {
			t.Fatalf("replay: %s", got)
		}
		var ov billing.Overview
		e.Do(apitest.Request{Path: T + "/billing/organizations/" + ids["borg"], As: orgAdmin}).JSON(t, &ov)
		if !ov.PastDue || len(ov.Invoices) != 1 || ov.Invoices[0].Status != billing.InvoicePastDue {
			t.Fatalf("after a failed payment: %+v", ov)
		}
		if r := e.Do(apitest.Request{Path: "/t/baerum/billing/organizations/" + ids["borg"], As: orgAdmin}); !strings.Contains(string(r.Body), "Forfalt.") {
			t.Fatalf("the organization's page does not say forfalt: %d", r.Status)
		}
		// Stored invoices: the organization's admin downloads its own as PDF;
		// EHF waits for the region's organization number (409), then has it.
		inv := billingInvoices(e, ids)
		r := e.Do(apitest.Request{Path: T + "/billing/invoices/" + inv["binvoice"] + "/pdf", As: orgAdmin})
		if r.Status != 200 || !strings.HasPrefix(string(r.Body), "%PDF") {
			t.Fatalf("the invoice's PDF: %d %.100s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: T + "/billing/invoices/" + inv["binvoice"] + "/ehf", As: orgAdmin}); r.Status != 409 {
			t.Fatalf("EHF without the seller's number: %d %s", r.Status, r.Body)
		}
		if _, err := e.App.Billing.SetRegion(store.System(context.Background(), "tests: the platform sets a region's plan"), ids["btenant"], billing.RegionInput{PlanID: ids["rplan"], OrgNumber: "974556758"}); err != nil {
			t.Fatal(err)
		}
		if r := e.Do(apitest.Request{Path: T + "/billing/invoices/" + inv["binvoice"] + "/ehf", As: orgAdmin}); r.Status != 200 || !strings.Contains(string(r.Body), "974556758") {
			t.Fatalf("EHF: %d %.300s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/billing/invoices/" + inv["binvoice"] + "/paid", As: tenantAdmin}); r.Status != 200 {
			t.Fatalf("mark paid: %d %s", r.Status, r.Body)
		}
		// Rogaland's admin sees none of Bærum's billing.
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/billing/invoices/" + inv["binvoice"] + "/pdf", As: rogAdmin}); r.Status != 404 {
			t.Fatalf("another region's invoice: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/billing/platform/invoices/" + inv["rinvoice"] + "/pdf", As: rogAdmin}); r.Status != 404 {
			t.Fatalf("another region's platform invoice: %d", r.Status)
		}
		var rinv struct{ Items []billing.RegionInvoice }
		e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/billing/platform/invoices", As: rogAdmin}).JSON(t, &rinv)
		if len(rinv.Items) != 0 {
			t.Fatalf("another region's platform invoices: %+v", rinv.Items)
		}
		var subs struct{ Items []billing.Subscription }
		e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/billing/subscriptions", As: rogAdmin}).JSON(t, &subs)
		if len(subs.Items) != 0 {
			t.Fatalf("another region's subscriptions: %+v", subs.Items)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/billing/organizations/" + ids["borg"], As: rogAdmin}); r.Status != 404 {
			t.Fatalf("another region's organization: %d", r.Status)
		}
	})
}
