package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/fixtures"
)

func TestDirectoryPublicRead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?limit=3"})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var page struct {
			Items []struct {
				Name, Email, Phone string
				Kinds              []string
			}
			NextCursor string `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if len(page.Items) != 3 || page.NextCursor == "" {
			t.Fatalf("page %+v", page)
		}
		// Walk all pages: every demo org of the tenant exactly once.
		seen := map[string]bool{}
		cursor := ""
		for i := 0; i < 10; i++ {
			page.NextCursor = ""
			r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?limit=4&cursor=" + cursor})
			r.JSON(t, &page)
			for _, o := range page.Items {
				if seen[o.Name] {
					t.Fatalf("%s twice", o.Name)
				}
				seen[o.Name] = true
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		want := 0
		for _, o := range fixtures.Orgs {
			if o.Tenant == "baerum" {
				want++
			}
		}
		if len(seen) != want {
			t.Fatalf("paged through %d orgs, want %d", len(seen), want)
		}
		// Filters.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?kind=transporter"})
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Name != "Lysaker Massetransport AS" {
			t.Fatalf("kind filter: %+v", page.Items)
		}
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?q=PUKK"})
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Name != "Vestmarka Pukkverk AS" {
			t.Fatalf("search: %+v", page.Items)
		}
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations?q=%25"})
		r.JSON(t, &page)
		if len(page.Items) != 0 {
			t.Fatalf("a literal %% must not match everything: %d", len(page.Items))
		}
		// Contacts are personal data: logged-in only (T15).
		orgID := e.OrgID("baerum", "fornebu-anlegg")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations/" + orgID + "/contacts"}), 401, "unauthorized")
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations/" + orgID + "/contacts", As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), "@example.no") {
			t.Fatalf("logged-in contacts: %d %s", r.Status, r.Body)
		}
		// GeoJSON map.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/map.geojson?kind=facility"})
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/geo+json" || !strings.Contains(string(r.Body), `"FeatureCollection"`) || strings.Contains(string(r.Body), `"project"`) {
			t.Fatalf("geojson: %d %s", r.Status, r.Body)
		}
		// Only approved vehicles are public.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "lysaker-transport") + "/vehicles"})
		if strings.Contains(string(r.Body), "pending") || !strings.Contains(string(r.Body), "EB12345") {
			t.Fatalf("public vehicles: %s", r.Body)
		}
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "lysaker-transport") + "/vehicles", As: apitest.Transporter})
		if !strings.Contains(string(r.Body), "pending") {
			t.Fatalf("the company sees its pending vehicle: %s", r.Body)
		}
	})
}

func TestRegisterOrganizationBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		path := "/api/v1/tenants/baerum/organizations"
		before := e.Count("baerum", "organizations", "")
		cases := []struct {
			name   string
			body   any
			status int
			code   string
			field  string
		}{
			{"empty body", "", 400, "empty_body", ""},
			{"malformed JSON", `{"org_number": `, 400, "malformed_json", ""},
			{"unknown field", `{"org_number":"974760673","kinds":["lab"],"hack":1}`, 422, "validation", "hack"},
			{"wrong type", `{"org_number":974760673,"kinds":["lab"]}`, 422, "validation", "org_number"},
			{"missing org number", map[string]any{"kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"short org number", map[string]any{"org_number": "12345678", "kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"letters", map[string]any{"org_number": "97476067X", "kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"bad check digit", map[string]any{"org_number": "974760674", "kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"unknown in register", map[string]any{"org_number": fixtures.UnregisteredOrg, "kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"deleted from register", map[string]any{"org_number": fixtures.DeletedOrg, "kinds": []string{"lab"}}, 422, "validation", "org_number"},
			{"duplicate", map[string]any{"org_number": "928157040", "kinds": []string{"contractor"}}, 409, "conflict", ""},
			{"no kinds", map[string]any{"org_number": "974760673"}, 422, "validation", "kinds"},
			{"unknown kind", map[string]any{"org_number": "974760673", "kinds": []string{"bakery"}}, 422, "validation", "kinds"},
			{"outside Norway", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "lat": 59.3293, "lon": 18.0686}, 422, "validation", "lat"},
			{"swapped coordinates", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "lat": 10.75, "lon": 59.91}, 422, "validation", "lat"},
			{"half a point", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "lat": 65.47}, 422, "validation", "lon"},
			{"huge description", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "description": strings.Repeat("stein ", 1000)}, 422, "validation", "description"},
			{"bad e-mail", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "email": "not-an-email"}, 422, "validation", "email"},
			{"bad website", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "website": "javascript:alert(1)"}, 422, "validation", "website"},
		}
		for _, c := range cases {
			r := e.Do(apitest.Request{Method: "POST", Path: path, Body: c.body, As: apitest.Member})
			p := apitest.Problem(t, r, c.status, c.code)
			if c.field != "" {
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == c.field
				}
				if !found {
					t.Errorf("%s: no error for field %q: %s", c.name, c.field, r.Body)
				}
			}
		}
		// A huge body is refused before parsing.
		huge := `{"org_number":"974760673","kinds":["lab"],"description":"` + strings.Repeat("x", 300<<10) + `"}`
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, Body: huge, As: apitest.Member}), 413, "too_large")
		// Form-encoded bodies are not JSON.
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, Body: []byte("org_number=974760673"), As: apitest.Member, Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}), 415, "unsupported_media_type")
		if after := e.Count("baerum", "organizations", ""); after != before {
			t.Fatalf("bad input wrote %d organizations", after-before)
		}

		// A good registration: enriched from the register, creator gets a pending admin request.
		r := e.Do(apitest.Request{Method: "POST", Path: path, Body: map[string]any{"org_number": "974 760 673", "kinds": []string{"lab"}, "lat": 65.4748, "lon": 12.2117}, As: apitest.Member})
		if r.Status != 201 {
			t.Fatalf("register: %d %s", r.Status, r.Body)
		}
		var o struct{ ID, Name, City, MunicipalityNo string }
		r.JSON(t, &o)
		if o.Name != "Registerenheten i Brønnøysund" || o.City != "Brønnøysund" {
			t.Fatalf("not enriched from the register: %+v", o)
		}
		if n := e.Count("baerum", "memberships", "organization_id = ? AND status = 'pending' AND role = 'admin'", o.ID); n != 1 {
			t.Fatalf("creator's pending admin request: %d", n)
		}
		// The same org may be registered in another region: regions are separate directories.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/rogaland/organizations", Body: map[string]any{"org_number": "974760673", "kinds": []string{"lab"}}, As: apitest.RogAdmin})
		if r.Status != 201 {
			t.Fatalf("second region: %d %s", r.Status, r.Body)
		}
		// Anonymous visitors cannot register.
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, Body: map[string]any{"org_number": "974760673", "kinds": []string{"lab"}}}), 401, "unauthorized")
	})
}

func TestRowRulesForMembers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		own := e.FirstID("baerum", "sites", "organization_id = ?", e.OrgID("baerum", "sandvika-bygg"))
		other := e.FirstID("baerum", "sites", "organization_id = ?", e.OrgID("baerum", "fornebu-anlegg"))
		// A member edits its own organization's site …
		r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/sites/" + own, Body: map[string]any{"expected_surplus_tonnes": 90000}, As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"expected_surplus_tonnes":90000`) {
			t.Fatalf("own site: %d %s", r.Status, r.Body)
		}
		// … but not another company's, and nothing changes.
		apitest.Problem(t, e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/sites/" + other, Body: map[string]any{"name": "Hijacked"}, As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "fornebu-anlegg") + "/sites", Body: map[string]any{"kind": "project", "name": "x", "phase": "idea", "lat": 59.9, "lon": 10.5}, As: apitest.Member}), 403, "not_own_organization")
		if e.Count("baerum", "sites", "name = 'Hijacked'") != 0 {
			t.Fatal("another company's site changed")
		}
		// Site bad input.
		sites := "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "sandvika-bygg") + "/sites"
		before := e.Count("baerum", "sites", "")
		for name, body := range map[string]map[string]any{
			"negative quantity":  {"kind": "project", "name": "A", "phase": "idea", "lat": 59.9, "lon": 10.5, "expected_surplus_tonnes": -5},
			"absurd quantity":    {"kind": "project", "name": "A", "phase": "idea", "lat": 59.9, "lon": 10.5, "expected_surplus_tonnes": 1e12},
			"end before start":   {"kind": "project", "name": "A", "phase": "idea", "lat": 59.9, "lon": 10.5, "planned_start": apitest.YearString(4) + "-01-01", "planned_end": apitest.YearString(3) + "-01-01"},
			"bad date":           {"kind": "project", "name": "A", "phase": "idea", "lat": 59.9, "lon": 10.5, "planned_start": "31.12." + apitest.YearString(3)},
			"no location":        {"kind": "project", "name": "A", "phase": "idea"},
			"unknown address":    {"kind": "project", "name": "A", "phase": "idea", "address": "Storgata 999", "city": "Ingensteds"},
			"outside Norway":     {"kind": "project", "name": "A", "phase": "idea", "lat": 55.6761, "lon": 12.5683},
			"unknown kind":       {"kind": "warehouse", "name": "A", "lat": 59.9, "lon": 10.5},
			"missing phase":      {"kind": "project", "name": "A", "lat": 59.9, "lon": 10.5},
			"empty name":         {"kind": "project", "name": "  ", "phase": "idea", "lat": 59.9, "lon": 10.5},
			"facility with none": {"kind": "facility", "name": "A", "lat": 59.9, "lon": 10.5},
		} {
			r := e.Do(apitest.Request{Method: "POST", Path: sites, Body: body, As: apitest.Member})
			if r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if e.Count("baerum", "sites", "") != before {
			t.Fatal("bad site input was saved")
		}
		// A site located by address through the geocoder.
		r = e.Do(apitest.Request{Method: "POST", Path: sites, Body: map[string]any{"kind": "project", "name": "Rådhuskvartalet", "phase": "early_planning", "address": "Arnold Haukelands plass 10", "postcode": "1338", "planned_start": apitest.YearString(3)}, As: apitest.Member})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"municipality_no":"3201"`) || !strings.Contains(string(r.Body), `"lat":59.8893`) {
			t.Fatalf("geocoded site: %d %s", r.Status, r.Body)
		}
		// Malformed and foreign IDs are 404.
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/sites/not-an-id"}), 404, "not_found")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/sites/" + e.FirstID("rogaland", "sites", "")}), 404, "not_found")
	})
}

func TestVehiclesAndMemberships(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lysaker := e.OrgID("baerum", "lysaker-transport")
		path := "/api/v1/tenants/baerum/organizations/" + lysaker + "/vehicles"
		// A member of a builder (not a transporter) may not register vehicles.
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, Body: map[string]any{"registration": "AB12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": 18}, As: apitest.Member}), 403, "forbidden")
		for name, body := range map[string]map[string]any{
			"negative payload": {"registration": "AB12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": -1},
			"absurd payload":   {"registration": "AB12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": 400},
			"bad registration": {"registration": "<script>", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": 18},
			"unknown fuel":     {"registration": "AB12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "coal", "payload_tonnes": 18},
		} {
			if r := e.Do(apitest.Request{Method: "POST", Path: path, Body: body, As: apitest.Transporter}); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, Body: map[string]any{"registration": "eb 12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": 18}, As: apitest.Transporter}), 409, "conflict")
		// The company's admin registers: approved at once.
		r := e.Do(apitest.Request{Method: "POST", Path: path, Body: map[string]any{"registration": "EB 99887", "make": "Scania", "body_type": "road_train", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 38, "payload_m3": 30}, As: apitest.Transporter})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"status":"approved"`) || !strings.Contains(string(r.Body), `"registration":"EB99887"`) {
			t.Fatalf("vehicle: %d %s", r.Status, r.Body)
		}
		// Approve the pending one; another company's admin cannot.
		pendingID := e.FirstID("baerum", "vehicles", "status = 'pending'")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/vehicles/" + pendingID + "/approve", As: apitest.OrgAdmin}), 403, "not_own_organization")
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/vehicles/" + pendingID + "/approve", As: apitest.Transporter})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"approved"`) {
			t.Fatalf("approve: %d %s", r.Status, r.Body)
		}

		// Memberships: a request, a duplicate, approval by the org admin.
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/organizations/" + fornebu + "/memberships", Body: map[string]any{"role": "member", "message": "Jeg jobber her"}, As: apitest.Pending})
		if r.Status != 201 {
			t.Fatalf("request: %d %s", r.Status, r.Body)
		}
		var m struct{ ID string }
		r.JSON(t, &m)
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/organizations/" + fornebu + "/memberships", As: apitest.Pending}), 409, "conflict")
		// The requester cannot edit yet, nor approve itself.
		apitest.Problem(t, e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/organizations/" + fornebu, Body: map[string]any{"description": "x"}, As: apitest.Pending}), 403, "forbidden")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/memberships/" + m.ID + "/approve", As: apitest.Pending}), 403, "forbidden")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/memberships/" + m.ID + "/approve", As: apitest.Transporter}), 403, "not_own_organization")
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/memberships/" + m.ID + "/approve", As: apitest.OrgAdmin})
		if r.Status != 200 {
			t.Fatalf("approve membership: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/memberships/" + m.ID + "/reject", As: apitest.OrgAdmin}), 409, "conflict")
		// Now a verified representative: may enrich its own organization.
		r = e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/organizations/" + fornebu, Body: map[string]any{"description": "Entreprenør for Fornebubanen"}, As: apitest.Pending})
		if r.Status != 200 || !strings.Contains(string(r.Body), "Fornebubanen") {
			t.Fatalf("edit after approval: %d %s", r.Status, r.Body)
		}
	})
}

// Every directory list is a page (items, next_cursor) within documented
// bounds: a limit out of range is refused, naming limit; nothing is capped
// silently.
func TestDirectoryPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		org := e.OrgID("baerum", "fornebu-anlegg")
		lists := map[string]int{
			T + "/organizations":                         200,
			T + "/sites":                                 1000,
			T + "/organizations/" + org + "/sites":       1000,
			T + "/organizations/" + org + "/contacts":    500,
			T + "/organizations/" + org + "/vehicles":    500,
			T + "/organizations/" + org + "/memberships": 500,
			T + "/memberships":                           500,
		}
		for path, max := range lists {
			for _, bad := range []string{"0", "-1", "x", fmt.Sprint(max + 1)} {
				p := apitest.Problem(t, e.Do(apitest.Request{Path: path + "?limit=" + bad, As: apitest.TenantAdmin}), 422, "validation")
				if len(p.Errors) != 1 || p.Errors[0].Field != "limit" {
					t.Errorf("%s?limit=%s: %+v", path, bad, p.Errors)
				}
			}
			r := e.Do(apitest.Request{Path: path + "?limit=" + fmt.Sprint(max), As: apitest.TenantAdmin})
			if r.Status != 200 || !strings.HasPrefix(string(r.Body), `{"items":[`) {
				t.Errorf("%s?limit=%d: %d %s", path, max, r.Status, r.Body)
			}
			p := apitest.Problem(t, e.Do(apitest.Request{Path: path + "?cursor=bm90LWEtY3Vyc29y", As: apitest.TenantAdmin}), 422, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
				t.Errorf("%s with a foreign cursor: %+v", path, p.Errors)
			}
		}
		// Sites a page at a time: each once, in name order.
		var all []string
		cursor := ""
		for i := 0; i < 100; i++ {
			var pg struct {
				Items []struct {
					ID, Name string
				}
				NextCursor string `json:"next_cursor"`
			}
			e.Do(apitest.Request{Path: T + "/sites?limit=2&cursor=" + cursor}).JSON(t, &pg)
			for _, s := range pg.Items {
				all = append(all, s.Name+"\x00"+s.ID)
			}
			if cursor = pg.NextCursor; cursor == "" {
				break
			}
		}
		if n := e.Count("baerum", "sites", ""); int64(len(all)) != n {
			t.Fatalf("paged through %d sites, want %d", len(all), n)
		}
		for i := 1; i < len(all); i++ {
			if all[i] <= all[i-1] {
				t.Fatalf("sites out of order or twice: %q after %q", all[i], all[i-1])
			}
		}
		// Anonymous visitors see no organization e-mail or phone; a member does.
		var o struct{ Email, Phone string }
		e.Do(apitest.Request{Path: T + "/organizations/" + org}).JSON(t, &o)
		if o.Email != "" || o.Phone != "" {
			t.Fatalf("anonymous sees %+v", o)
		}
		var list struct{ Items []struct{ Email string } }
		e.Do(apitest.Request{Path: T + "/organizations?limit=200"}).JSON(t, &list)
		for _, x := range list.Items {
			if x.Email != "" {
				t.Fatalf("anonymous list shows %q", x.Email)
			}
		}
		// Every membership of the region: admins and supervisors only.
		if r := e.Do(apitest.Request{Path: T + "/memberships?all=1", As: apitest.Supervisor}); r.Status != 200 {
			t.Fatalf("supervisor: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: T + "/memberships?all=1", As: apitest.OrgAdmin}), 403, "forbidden")
		apitest.Problem(t, e.Do(apitest.Request{Path: T + "/memberships"}), 401, "unauthorized")
	})
}

// TestVehicleEditAPI: the company's people replace a vehicle's details
// through the API as in the UI; an edit by a member who does not administer
// the company sends an approved vehicle back for approval; bad input names
// the field; another company's vehicle is refused.
func TestVehicleEditAPI(t *testing.T) {
	e := apitest.New(t, "sqlite")
	id := e.FirstID("baerum", "vehicles", "status = 'approved' AND organization_id = ?", e.OrgID("baerum", "lysaker-transport"))
	path := "/api/v1/tenants/baerum/vehicles/" + id
	in := map[string]any{"registration": "eb 77777", "make": "Scania", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 18.5, "payload_m3": 11}
	r := e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.Transporter, Body: in})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"registration":"EB77777"`) || !strings.Contains(string(r.Body), `"status":"approved"`) {
		t.Fatalf("edit by the company's admin: %d %s", r.Status, r.Body)
	}
	in["registration"] = "not a plate!"
	p := apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.Transporter, Body: in}), 422, "validation")
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/registration" {
		t.Fatalf("bad registration: %+v", p.Errors)
	}
	in["registration"] = "EB 23456" // another of the company's vehicles has it
	apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.Transporter, Body: in}), 409, "conflict")
	in["registration"] = "EB77777"
	apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.OrgAdmin, Body: in}), 403, "not_own_organization")
}
