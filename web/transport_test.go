package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// sealedWithSites makes a sealed agreement Fornebu → Sandvika with both
// parties' sites, through the domain.
func sealedWithSites(t *testing.T, e *apitest.Env) string {
	t.Helper()
	fornebu, sandvika := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg")
	as := func(email, org string) context.Context {
		tn := e.Tenant("baerum")
		p := &auth.Principal{User: e.User(email), AAL: auth.AAL2, Orgs: map[string]string{org: "admin"}, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin}}
		return access.With(context.Background(), &access.Actor{TenantID: tn.ID, TenantSlug: tn.Slug, Locale: "nb", Principal: p, Rules: e.App.Roles})
	}
	kari, ola := as(apitest.OrgAdmin, fornebu), as(apitest.Member, sandvika)
	s := e.App.Agreements
	ag, err := s.Create(kari, &agreement.Input{TemplateKey: "delivery", Locale: "nb", Title: "Sprengstein",
		Supplier:  agreement.PartyInput{OrganizationID: fornebu, SiteID: e.FirstID("baerum", "sites", "name = ?", "Fornebubanen, stasjon Flytårnet")},
		Receiver:  agreement.PartyInput{OrganizationID: sandvika, SiteID: e.FirstID("baerum", "sites", "organization_id = ?", sandvika)},
		Fractions: []string{"sprengstein"}, ConditionClass: 1, QuantityTonnes: 5000, TolerancePct: 10, PriceNOK: 25, PriceUnit: "t", Payer: "receiver_pays",
		PeriodFrom: apitest.Day(7), PeriodTo: apitest.Day(90), DeliveryPoint: "Sandvika", OpeningHours: "07–15", Transport: "third_party",
		QualityRequirements: "Ren", VisualCheckEachLoad: true, SampleEveryNLoads: 50, RejectedLoad: "Avvises.", InvasiveSpecies: "Ingen."})
	for _, step := range []func() error{
		func() error { _, err := s.Propose(kari, ag.ID); return err },
		func() error { _, err := s.Accept(ola, ag.ID, 1); return err },
		func() error { _, err := s.Sign(kari, ag.ID, 1); return err },
		func() error { _, err := s.Sign(ola, ag.ID, 1); return err },
	} {
		if err == nil {
			err = step()
		}
	}
	if err != nil {
		fe, _ := fail.As(err)
		t.Fatal(err, fe.Fields)
	}
	return ag.ID
}

// TestTransportPages: booking from an agreement (companies, request form),
// a refusal shown in the form with nothing written, the transporter's
// answer making an order, the order page with its planned loads and the
// overview with map data, calendar and list; a plan registered through the
// form.
func TestTransportPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ag := sealedWithSites(t, e)
		lysaker := e.OrgID("baerum", "lysaker-transport")
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/agreements/" + ag, As: apitest.OrgAdmin}).Body); !strings.Contains(b, "/t/baerum/agreements/"+ag+"/transport") {
			t.Fatal("no Bestill transport on the sealed agreement's page")
		}
		r := e.Do(apitest.Request{Path: "/t/baerum/agreements/" + ag + "/transport", As: apitest.OrgAdmin})
		b := string(r.Body)
		if r.Status != 200 || !strings.Contains(b, "Lysaker Massetransport") || !strings.Contains(b, "Euro VI") || !strings.Contains(b, "km til hentestedet") {
			t.Fatalf("booking page: %d %v %v %v %s", r.Status, strings.Contains(b, "Lysaker Massetransport"), strings.Contains(b, "Euro VI"), strings.Contains(b, "km til hentestedet"), b[strings.Index(b, "<main"):])
		}
		// Dates outside the agreement: the form again, a message, nothing written.
		r = e.PostForm("/t/baerum/agreements/"+ag+"/transport-requests", apitest.OrgAdmin, url.Values{"transporter_org_id": {lysaker},
			"date_from": {apitest.Day(1)}, "date_to": {apitest.Day(20)}, "loads_per_day": {"10"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "innenfor avtalens periode") {
			t.Fatalf("outside the agreement: %d %.300s", r.Status, r.Body)
		}
		if e.Count("baerum", "transport_requests", "") != 0 {
			t.Fatal("a refused request was stored")
		}
		r = e.PostForm("/t/baerum/agreements/"+ag+"/transport-requests", apitest.OrgAdmin, url.Values{"transporter_org_id": {lysaker},
			"date_from": {apitest.Day(10)}, "date_to": {apitest.Day(20)}, "loads_per_day": {"10"}, "fuels": {"hvo", "electric"}, "min_euro_class": {"euro6"},
			"price_nok": {"1 250,50"}, "price_unit": {"load"}, "time_windows": {"07:00-15:00"}, "message": {"Hei"}})
		if r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "/transport/requests/") {
			t.Fatalf("request: %d %.300s", r.Status, r.Body)
		}
		req := r.Header.Get("Location")
		req = req[:strings.Index(req+"?", "?")]
		page := string(e.Do(apitest.Request{Path: req, As: apitest.Transporter}).Body)
		if !strings.Contains(page, "Svar på forespørselen") || !strings.Contains(page, "1\u00a0251 kr / lass") && !strings.Contains(page, "kr / lass") {
			t.Fatalf("request page for the transporter: %.3000s", page)
		}
		r = e.PostForm(req+"/answer", apitest.Transporter, url.Values{"answer": {"decline"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Begrunnelse") {
			t.Fatalf("decline without a reason: %d", r.Status)
		}
		r = e.PostForm(req+"/answer", apitest.Transporter, url.Values{"answer": {"accept"}})
		if r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "/transport/orders/") {
			t.Fatalf("accept: %d %.300s", r.Status, r.Body)
		}
		order := r.Header.Get("Location")
		order = order[:strings.Index(order+"?", "?")]
		page = string(e.Do(apitest.Request{Path: order, As: apitest.Member}).Body)
		if !strings.Contains(page, "Planlagte lass") || !strings.Contains(page, "Kanseller ordre") {
			t.Fatalf("order page: %.2000s", page)
		}
		// A plan through the form: a point outside Norway is refused.
		site := e.FirstID("baerum", "sites", "name = ?", "Vestmarka pukkverk")
		plan := url.Values{"from_site_id": {site}, "to_name": {"Stockholm"}, "to_lat": {"59,33"}, "to_lon": {"18,06"}, "fraction": {"pukk"},
			"date_from": {apitest.Day(10)}, "date_to": {apitest.Day(20)}, "loads_per_day": {"3"}}
		if r := e.PostForm("/t/baerum/transport/planned", apitest.Transporter, plan); r.Status != 422 || !strings.Contains(string(r.Body), "ligge i Norge") {
			t.Fatalf("plan outside Norway: %d", r.Status)
		}
		plan.Set("to_name", "Lysaker brygge")
		plan.Set("to_lat", "59,9133")
		plan.Set("to_lon", "10,642")
		if r := e.PostForm("/t/baerum/transport/planned", apitest.Transporter, plan); r.Status != 303 {
			t.Fatalf("plan: %d %.500s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/transport?from=" + apitest.Day(0) + "&to=" + apitest.Day(60), As: apitest.Member})
		b = string(r.Body)
		if r.Status != 200 || !strings.Contains(b, "Ukekalender") || !strings.Contains(b, "Lysaker brygge") || !strings.Contains(b, `id="transportdata"`) || !strings.Contains(b, "Registrert plan") {
			t.Fatalf("overview: %d %.500s", r.Status, b)
		}
		// A bad period is a message on the page, not an error page.
		if r := e.Do(apitest.Request{Path: "/t/baerum/transport?from=x", As: apitest.Member}); r.Status != 422 || !strings.Contains(string(r.Body), "Ukekalender") {
			t.Fatalf("bad period: %d", r.Status)
		}
		// A visitor sees the anonymised overview, without parties or sites.
		r = e.Do(apitest.Request{Path: "/t/baerum/transport?from=" + apitest.Day(0) + "&to=" + apitest.Day(60)})
		b = string(r.Body)
		if r.Status != 200 || !strings.Contains(b, "Øvrige (færre enn tre") || strings.Contains(b, "Lysaker") || strings.Contains(b, "Fornebu") || strings.Contains(b, "Vestmarka") {
			t.Fatalf("public overview: %d %.3000s", r.Status, b[strings.Index(b, "<main"):])
		}
		// The public aggregate names no party.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/transport/corridors?from=" + apitest.Day(0) + "&to=" + apitest.Day(60)})
		if r.Status != 200 || strings.Contains(string(r.Body), "Lysaker") || strings.Contains(string(r.Body), "Fornebu") || !strings.Contains(string(r.Body), `"loads"`) {
			t.Fatalf("corridors: %d %s", r.Status, r.Body)
		}
	})
}
