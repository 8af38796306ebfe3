package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// sealedAgreement makes a sealed agreement Fornebu → Sandvika with both
// parties' sites, through the domain.
func sealedAgreement(t *testing.T, e *apitest.Env) string {
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
		Supplier:  agreement.PartyInput{OrganizationID: fornebu, SiteID: e.FirstID("baerum", "sites", "organization_id = ?", fornebu)},
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
		t.Fatal(err)
	}
	return ag.ID
}

// TestTransportAPI: booking, a request refused as problem+json with JSON
// pointers and localized labels (nothing written), a request, two answers
// at once (one wins, the other 409), the order with its planned loads,
// another region's IDs (404) and the public corridors. Every answer is
// checked against the OpenAPI document by the harness.
func TestTransportAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		ag := sealedAgreement(t, e)
		lysaker := e.OrgID("baerum", "lysaker-transport")
		r := e.Do(apitest.Request{Path: T + "/agreements/" + ag + "/transport", As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"distance_km"`) || !strings.Contains(string(r.Body), lysaker) {
			t.Fatalf("booking: %d %s", r.Status, r.Body)
		}
		bad := map[string]any{"transporter_org_id": lysaker, "date_from": apitest.Day(1), "date_to": apitest.Day(200), "loads_per_day": -2, "fuels": []string{"kull"}}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag + "/transport-requests", As: apitest.OrgAdmin, Body: bad})
		body := string(r.Body)
		for _, want := range []string{`"pointer":"/date_from"`, `"pointer":"/date_to"`, `"pointer":"/loads_per_day"`, `"pointer":"/fuels"`, "Fra dato", "Lass per dag"} {
			if r.Status != 422 || !strings.Contains(body, want) {
				t.Fatalf("bad request: %d, no %s in %s", r.Status, want, body)
			}
		}
		if e.Count("baerum", "transport_requests", "") != 0 {
			t.Fatal("a refused request was stored")
		}
		// Another region's agreement ID from Rogaland: not found.
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/rogaland/agreements/" + ag + "/transport-requests", As: "marit@jaeren-anlegg.no",
			Body: map[string]any{"transporter_org_id": lysaker, "date_from": apitest.Day(10), "date_to": apitest.Day(20), "loads_per_day": 2}}); r.Status != 404 {
			t.Fatalf("another region's agreement: %d %s", r.Status, r.Body)
		}
		ok := map[string]any{"transporter_org_id": lysaker, "date_from": apitest.Day(10), "date_to": apitest.Day(20), "loads_per_day": 8, "min_euro_class": "euro6", "price_nok": 1500, "price_unit": "load"}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag + "/transport-requests", As: apitest.OrgAdmin, Body: ok})
		if r.Status != 201 {
			t.Fatalf("request: %d %s", r.Status, r.Body)
		}
		var created struct{ ID string }
		r.JSON(t, &created)
		id := created.ID
		var wg sync.WaitGroup
		status := make([]int, 2)
		for i, ans := range []map[string]any{{"answer": "accept"}, {"answer": "decline", "answer_reason": "Fullt"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i] = e.Do(apitest.Request{Method: "POST", Path: T + "/transport/requests/" + id + "/answer", As: apitest.Transporter, Body: ans}).Status
			}()
		}
		wg.Wait()
		if !(status[0] == 200 && status[1] == 409 || status[0] == 409 && status[1] == 200) {
			t.Fatalf("two answers at once: %v", status)
		}
		orders := e.Count("baerum", "transport_orders", "")
		if (status[0] == 200) != (orders == 1) {
			t.Fatalf("answers %v made %d orders", status, orders)
		}
		if r := e.Do(apitest.Request{Path: T + "/transport/orders", As: apitest.Member}); r.Status != 200 {
			t.Fatalf("orders: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: T + "/transport/corridors?from=" + apitest.Day(0) + "&to=" + apitest.Day(60)})
		if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" || strings.Contains(string(r.Body), "Lysaker") {
			t.Fatalf("corridors: %d %s", r.Status, r.Body)
		}
	})
}
