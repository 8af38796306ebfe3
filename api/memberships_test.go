package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestEndRepresentationM12: an organization's admins and tenant admins end
// a representation (a former employee); the user loses the organization's
// rights and may ask again, as after a rejection; the organization page
// shows its admins the history.
func TestEndRepresentationM12(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		same := map[string]string{"Sec-Fetch-Site": "same-origin"}
		do := func(method, path, as string, body any) *apitest.Response {
			return e.Do(apitest.Request{Method: method, Path: path, As: as, Body: body, Header: same})
		}
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		ask := func() string {
			t.Helper()
			r := do("POST", T+"/organizations/"+fornebu+"/memberships", apitest.Pending, map[string]any{"role": "member", "message": "Jeg jobber her"})
			if r.Status != 201 {
				t.Fatalf("request: %d %s", r.Status, r.Body)
			}
			var m struct{ ID string }
			r.JSON(t, &m)
			return m.ID
		}
		edit := func() int {
			return do("PATCH", T+"/organizations/"+fornebu, apitest.Pending, map[string]any{"description": "Entreprenør"}).Status
		}

		// A rejected request can be made again.
		first := ask()
		if r := do("POST", T+"/memberships/"+first+"/reject", apitest.OrgAdmin, nil); r.Status != 200 {
			t.Fatalf("reject: %d %s", r.Status, r.Body)
		}
		second := ask()
		// Only an approved representation can be ended.
		apitest.Problem(t, do("POST", T+"/memberships/"+second+"/end", apitest.OrgAdmin, nil), 409, "conflict")
		if r := do("POST", T+"/memberships/"+second+"/approve", apitest.OrgAdmin, nil); r.Status != 200 {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}
		if s := edit(); s != 200 {
			t.Fatalf("a representative editing: %d", s)
		}
		// Not the representative, nor another organization's admin or member.
		apitest.Problem(t, do("POST", T+"/memberships/"+second+"/end", apitest.Pending, nil), 403, "forbidden")
		apitest.Problem(t, do("POST", T+"/memberships/"+second+"/end", apitest.Transporter, nil), 403, "not_own_organization")
		// The organization's admin ends it: the rights go with it.
		r := do("POST", T+"/memberships/"+second+"/end", apitest.OrgAdmin, nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"ended"`) || !strings.Contains(string(r.Body), `"ended_at"`) {
			t.Fatalf("end: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, do("POST", T+"/memberships/"+second+"/end", apitest.OrgAdmin, nil), 409, "conflict")
		if s := edit(); s != 403 {
			t.Fatalf("a former representative editing: %d, want 403", s)
		}
		// Asked again, approved again; this time the tenant admin ends it.
		third := ask()
		if r := do("POST", T+"/memberships/"+third+"/approve", apitest.TenantAdmin, nil); r.Status != 200 {
			t.Fatalf("approve again: %d %s", r.Status, r.Body)
		}
		if r := do("POST", T+"/memberships/"+third+"/end", apitest.TenantAdmin, nil); r.Status != 200 {
			t.Fatalf("tenant admin ends: %d %s", r.Status, r.Body)
		}

		// The history: every request with who decided and who ended it.
		r = do("GET", T+"/organizations/"+fornebu+"/memberships", apitest.OrgAdmin, nil)
		body := string(r.Body)
		if r.Status != 200 || strings.Count(body, `"user_name"`) < 3 || !strings.Contains(body, `"status":"rejected"`) || strings.Count(body, `"status":"ended"`) != 2 || !strings.Contains(body, `"ended_by_name"`) || !strings.Contains(body, `"decided_by_name"`) {
			t.Fatalf("history: %d %s", r.Status, body)
		}
		page := e.Do(apitest.Request{Path: "/t/baerum/organizations/" + fornebu, As: apitest.OrgAdmin})
		if page.Status != 200 || !strings.Contains(string(page.Body), `id="membership-history"`) || strings.Count(string(page.Body), "avsluttet av") < 2 {
			t.Fatalf("organization page history: %d", page.Status)
		}
		// The UI action: ask again, approve, end from the organization page.
		fourth := ask()
		if r := do("POST", T+"/memberships/"+fourth+"/approve", apitest.OrgAdmin, nil); r.Status != 200 {
			t.Fatalf("approve: %d", r.Status)
		}
		if !strings.Contains(string(e.Do(apitest.Request{Path: "/t/baerum/organizations/" + fornebu, As: apitest.OrgAdmin}).Body), "/memberships/"+fourth+"/end") {
			t.Fatal("no end action on the organization page")
		}
		if r := e.PostForm("/t/baerum/memberships/"+fourth+"/end", apitest.OrgAdmin, url.Values{}); r.Status != 303 {
			t.Fatalf("end in the UI: %d %s", r.Status, r.Body)
		}
		if s := edit(); s != 403 {
			t.Fatalf("after the UI ended it: %d", s)
		}
		// A member who is not an admin sees no history.
		if strings.Contains(string(e.Do(apitest.Request{Path: "/t/baerum/organizations/" + fornebu, As: apitest.Member}).Body), `id="membership-history"`) {
			t.Fatal("a non-admin sees the history")
		}
	})
}
