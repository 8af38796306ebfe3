package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestAgreementPages: the new agreement form is prefilled from a listing;
// a refused form comes back with each field's message and the values kept,
// and nothing is stored; a saved draft is listed, shown with its steps and
// on "Mitt"; signing at AAL2 is offered only to the signatory.
func TestAgreementPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		need := e.FirstID("baerum", "listings", "title = 'Forsterkningslag til parkeringskjeller'")
		r := e.Do(apitest.Request{Path: "/t/baerum/agreements/new?listing=" + need, As: apitest.OrgAdmin})
		if r.Status != 200 || !strings.Contains(string(r.Body), `value="12000"`) || !strings.Contains(string(r.Body), "Forsterkningslag til parkeringskjeller") {
			t.Fatalf("prefilled form: %d", r.Status)
		}
		form := url.Values{"template_key": {"delivery"}, "title": {"Pukk til kjeller"}, "supplier.organization_id": {e.OrgID("baerum", "fornebu-anlegg")},
			"receiver.organization_id": {e.OrgID("baerum", "sandvika-bygg")}, "listing_ids": {need}, "fractions": {"pukk"}, "quantity_tonnes": {"-3"},
			"tolerance_pct": {"10"}, "price_nok": {"30,5"}, "price_unit": {"t"}, "payer": {"receiver_pays"}, "period_from": {apitest.Day(60)}, "period_to": {apitest.Day(10)},
			"delivery_point": {"Sandvika"}, "opening_hours": {"07–15"}, "transport": {"receiver"}, "visual_check_each_load": {"on"}, "sample_every_n_loads": {"50"},
			"quality_requirements": {"Ren pukk"}, "rejected_load": {"Returneres."}, "invasive_species": {"Ingen."}}
		r = e.PostForm("/t/baerum/agreements/new", apitest.OrgAdmin, form)
		body := string(r.Body)
		if r.Status != 422 || !strings.Contains(body, "Til dato") || !strings.Contains(body, "Mengde (tonn)") || !strings.Contains(body, `value="Pukk til kjeller"`) {
			t.Fatalf("refused form: %d %.400s", r.Status, body)
		}
		if n := e.Count("baerum", "agreements", ""); n != 0 {
			t.Fatalf("%d agreements after a refused form", n)
		}
		form.Set("quantity_tonnes", "5000")
		form.Set("period_from", apitest.Day(10))
		form.Set("period_to", apitest.Day(60))
		r = e.PostForm("/t/baerum/agreements/new", apitest.OrgAdmin, form)
		loc := r.Header.Get("Location")
		if r.Status != 303 || !strings.Contains(loc, "/t/baerum/agreements/") {
			t.Fatalf("saved: %d %s", r.Status, r.Body)
		}
		id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/t/baerum/agreements/")
		r = e.Do(apitest.Request{Path: "/t/baerum/agreements/" + id, As: apitest.OrgAdmin})
		if !strings.Contains(string(r.Body), "Send forslag til den andre parten") || !strings.Contains(string(r.Body), "30,50") {
			t.Fatalf("draft page: %d", r.Status)
		}
		if r := e.PostForm("/t/baerum/agreements/"+id+"/propose", apitest.OrgAdmin, url.Values{}); r.Status != 303 {
			t.Fatalf("propose: %d", r.Status)
		}
		// Ola's "Mitt" lists the proposal as waiting for Sandvika.
		r = e.Do(apitest.Request{Path: "/t/baerum/mitt", As: apitest.Member})
		if !strings.Contains(string(r.Body), "Venter på oss") || !strings.Contains(string(r.Body), "/agreements/"+id) {
			t.Fatalf("Mitt: %d", r.Status)
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/agreements?awaiting=1", As: apitest.Member})
		if !strings.Contains(string(r.Body), "/t/baerum/agreements/"+id) {
			t.Fatal("the list of agreements waiting for us")
		}
	})
}
