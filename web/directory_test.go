package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The directory pages call the same domain methods as the API: its row
// rules answer here too.
func TestDirectoryPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/t/baerum"
		fornebu, sandvika, lysaker := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "sandvika-bygg"), e.OrgID("baerum", "lysaker-transport")
		for _, p := range []string{"/", "/organizations", "/organizations/" + fornebu, "/sites", "/map", "/sites/" + e.FirstID("baerum", "sites", "")} {
			if r := e.Do(apitest.Request{Path: T + p}); r.Status != 200 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		if r := e.Do(apitest.Request{Path: T + "/organizations/not-an-id"}); r.Status != 404 {
			t.Fatalf("malformed ID: %d", r.Status)
		}
		// A member edits its own organization, not another's.
		if r := e.Do(apitest.Request{Path: T + "/organizations/" + sandvika + "/edit", As: apitest.Member}); r.Status != 200 {
			t.Fatalf("own edit form: %d", r.Status)
		}
		r := e.Do(apitest.Request{Path: T + "/organizations/" + fornebu + "/edit", As: apitest.Member})
		if r.Status != 403 {
			t.Fatalf("another's edit form: %d", r.Status)
		}
		r = e.PostForm(T+"/organizations/"+sandvika+"/edit", apitest.Member, url.Values{"kinds": {"builder"}, "email": {"ikke-en-adresse"}})
		// The domain's error names the field the form sent: its message
		// stands under the e-mail field.
		body := string(r.Body)
		i := strings.Index(body, `id="email"`)
		if r.Status != 422 || i < 0 || !strings.Contains(body[i:min(i+600, len(body))], `class="ds-validation-message"`) {
			t.Fatalf("field error on the form: %d %.300s", r.Status, r.Body)
		}
		// Vehicles: only a transporter's people register; its admin decides.
		if r := e.Do(apitest.Request{Path: T + "/organizations/" + lysaker + "/vehicles/new", As: apitest.Member}); r.Status != 403 {
			t.Fatalf("a builder's member registers a vehicle: %d", r.Status)
		}
		pending := e.FirstID("baerum", "vehicles", "status = 'pending'")
		if r := e.PostForm(T+"/vehicles/"+pending+"/approve", apitest.OrgAdmin, url.Values{}); r.Status != 403 {
			t.Fatalf("another company's admin approves: %d", r.Status)
		}
		r = e.PostForm(T+"/vehicles/"+pending+"/approve", apitest.Transporter, url.Values{})
		if r.Status != 303 || !strings.HasSuffix(r.Header.Get("Location"), "/organizations/"+lysaker+"?notice=Saved") {
			t.Fatalf("approve: %d %s", r.Status, r.Header.Get("Location"))
		}
		if e.Count("baerum", "vehicles", "id = ? AND status = 'approved'", pending) != 1 {
			t.Fatal("the vehicle is not approved")
		}
		if r := e.PostForm(T+"/vehicles/"+pending+"/maybe", apitest.Transporter, url.Values{}); r.Status != 404 {
			t.Fatalf("unknown decision: %d", r.Status)
		}
		// A representation request, then the personal pages.
		r = e.PostForm(T+"/organizations/"+fornebu+"/represent", apitest.Pending, url.Values{"role": {"member"}})
		if r.Status != 303 {
			t.Fatalf("represent: %d", r.Status)
		}
		for _, who := range []string{apitest.Pending, apitest.OrgAdmin, apitest.TenantAdmin} {
			if r := e.Do(apitest.Request{Path: T + "/me", As: who}); r.Status != 200 || !strings.Contains(string(r.Body), "Fornebu Anlegg") {
				t.Errorf("me as %s: %d", who, r.Status)
			}
		}
	})
}
