package api_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestAgreementAPI: a draft through the API, its refusals as problem+json
// with JSON pointers, the prefill, and the draft hidden from the other party
// until proposed.
func TestAgreementAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		listing := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		body := func(tonnes float64, from, to string) map[string]any {
			return map[string]any{"template_key": "delivery", "title": "Sprengstein",
				"supplier": map[string]any{"organization_id": e.OrgID("baerum", "fornebu-anlegg")}, "receiver": map[string]any{"organization_id": e.OrgID("baerum", "sandvika-bygg")},
				"listing_ids": []string{listing}, "fractions": []string{"sprengstein"}, "quantity_tonnes": tonnes, "tolerance_pct": 10, "price_nok": -40, "price_unit": "t",
				"payer": "receiver_pays", "period_from": from, "period_to": to, "delivery_point": "Sandvika", "opening_hours": "07–15", "transport": "supplier",
				"quality_requirements": "Ren stein", "visual_check_each_load": true, "sample_every_n_loads": 50, "rejected_load": "Returneres.", "invasive_species": "Ingen."}
		}
		r := e.Do(apitest.Request{Method: "POST", Path: T + "/agreements", As: apitest.OrgAdmin, Body: body(-5, apitest.Day(40), apitest.Day(10))})
		p := apitest.Problem(t, r, 422, "validation")
		pointers := map[string]bool{}
		for _, f := range p.Errors {
			pointers[f.Pointer] = true
		}
		if !pointers["/quantity_tonnes"] || !pointers["/period_to"] || len(p.Errors) != 2 {
			t.Fatalf("errors %+v", p.Errors)
		}
		if n := e.Count("baerum", "agreements", ""); n != 0 {
			t.Fatalf("%d agreements after a refusal", n)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/agreements", As: apitest.OrgAdmin, Body: body(1000, apitest.Day(10), apitest.Day(40))})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"number":"AVT-`) {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var ag struct{ ID string }
		r.JSON(t, &ag)
		// Ola's organization sees the draft only once it is proposed.
		if r := e.Do(apitest.Request{Path: T + "/agreements/" + ag.ID, As: apitest.Member}); r.Status != 404 {
			t.Fatalf("the other party sees a draft: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag.ID + "/propose", As: apitest.OrgAdmin}); r.Status != 200 {
			t.Fatalf("propose: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: T + "/agreements/" + ag.ID, As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"accept":true`) || !strings.Contains(string(r.Body), "Leverandøren betaler mottakeren") {
			t.Fatalf("the proposal for Ola (a negative price turns the payment): %d %.300s", r.Status, r.Body)
		}
		// A step on an old version is refused by name.
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag.ID + "/accept", As: apitest.Member, Body: map[string]any{"version": 7}}), 409, "old_version")
		// Signing with a token is never allowed (the route needs a session too).
		tok := e.Token("baerum", apitest.OrgAdmin, "read", "write")
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/agreements/" + ag.ID + "/sign", Header: map[string]string{"Authorization": "Bearer " + tok}, Body: map[string]any{"version": 1}})
		if r.Status != 403 && r.Status != 409 {
			t.Fatalf("a token signed: %d %s", r.Status, r.Body)
		}
		// The prefill of a new agreement from Sandvika's need, for Kari.
		need := e.FirstID("baerum", "listings", "title = 'Forsterkningslag til parkeringskjeller'")
		r = e.Do(apitest.Request{Path: T + "/agreements/prefill?listing=" + need, As: apitest.OrgAdmin})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"quantity_tonnes":12000`) || !strings.Contains(string(r.Body), e.OrgID("baerum", "fornebu-anlegg")) {
			t.Fatalf("prefill: %d %s", r.Status, r.Body)
		}
	})
}
