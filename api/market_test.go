package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestListingsBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		org := e.OrgID("baerum", "fornebu-anlegg")
		good := func() map[string]any {
			return map[string]any{"kind": "surplus", "title": "Sprengstein", "organization_id": org, "fractions": []string{"sprengstein"}, "quantity": 1000, "unit": "m3_in_place",
				"available_from": apitest.Month(2), "available_to": apitest.Month(13), "lat": 59.9, "lon": 10.6, "transport": "seller_delivers"}
		}
		before := e.Count("baerum", "listings", "")
		cases := map[string]func(m map[string]any){
			"negative quantity":     func(m map[string]any) { m["quantity"] = -5 },
			"zero quantity":         func(m map[string]any) { m["quantity"] = 0 },
			"absurd quantity":       func(m map[string]any) { m["quantity"] = 1e12 },
			"unknown unit":          func(m map[string]any) { m["unit"] = "buckets" },
			"m³ without state":      func(m map[string]any) { m["unit"] = "m3" },
			"in-place crushed rock": func(m map[string]any) { m["fractions"] = []string{"pukk"} },
			"unknown fraction":      func(m map[string]any) { m["fractions"] = []string{"gold"} },
			"two fractions surplus": func(m map[string]any) { m["fractions"] = []string{"sand", "grus"}; m["unit"] = "t" },
			"window backwards":      func(m map[string]any) { m["available_from"] = apitest.Month(14); m["available_to"] = apitest.Month(2) },
			"bad date":              func(m map[string]any) { m["available_from"] = "next year" },
			"outside Norway":        func(m map[string]any) { m["lat"] = 55.67; m["lon"] = 12.56 },
			"need without use":      func(m map[string]any) { m["kind"] = "need" },
			"unknown transport":     func(m map[string]any) { m["transport"] = "teleport" },
			"other tenant's org":    func(m map[string]any) { m["organization_id"] = e.OrgID("rogaland", "forus") },
			"no title":              func(m map[string]any) { m["title"] = "" },
		}
		for name, mutate := range cases {
			body := good()
			mutate(body)
			r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", Body: body, As: apitest.OrgAdmin})
			if r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		// Field errors name the field in the user's words, with a JSON pointer.
		for _, c := range []struct {
			lang, field, value, pointer, label, message string
		}{
			{"nb", "title", "", "/title", "Tittel", "Tittel må fylles ut."},
			{"nn", "title", "", "/title", "Tittel", "Tittel må fyllast ut."},
			{"en", "title", "", "/title", "Title", "Title is required."},
			{"nb", "quantity", "mye", "/quantity", "Mengde", "Mengde: ventet et tall."},
			{"en", "quantity", "mye", "/quantity", "Quantity", "Quantity: expected a number."},
		} {
			body := good()
			body[c.field] = c.value
			r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", Body: body, As: apitest.OrgAdmin, Header: map[string]string{"Accept-Language": c.lang}})
			p := apitest.Problem(t, r, 422, "validation")
			found := false
			for _, f := range p.Errors {
				if f.Field == c.field {
					found = true
					if f.Pointer != c.pointer || f.Label != c.label || f.Message != c.message {
						t.Errorf("%s %s: pointer %q label %q message %q, want %q %q %q", c.lang, c.field, f.Pointer, f.Label, f.Message, c.pointer, c.label, c.message)
					}
				}
			}
			if !found {
				t.Errorf("%s: no error for %s: %s", c.lang, c.field, r.Body)
			}
		}
		// On behalf of another organization: refused.
		body := good()
		body["organization_id"] = e.OrgID("baerum", "sandvika-bygg")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", Body: body, As: apitest.OrgAdmin}), 403, "not_own_organization")
		if e.Count("baerum", "listings", "") != before {
			t.Fatal("bad listing input was saved")
		}
		// Good: 1000 pfm³ rock is 2700 t.
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", Body: good(), As: apitest.OrgAdmin})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"quantity_tonnes":2700`) || !strings.Contains(string(r.Body), `"status":"draft"`) {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
	})
}

func TestListingPrivacy(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id
		var pub struct {
			QuantityBand string `json:"quantity_band"`
			Period       string
			Area         struct {
				Lat, Lon float64
				Exact    bool
			}
			Price *float64 `json:"price_nok_per_tonne"`
			Lat   *float64
		}
		r := e.Do(apitest.Request{Path: path})
		r.JSON(t, &pub)
		if pub.Area.Exact || pub.Price != nil || pub.Lat != nil || pub.QuantityBand != "100\u00a0000–500\u00a0000 t" || pub.Period != stasjonshallenPeriod() {
			t.Fatalf("public view leaks: %s", r.Body)
		}
		if strings.Contains(string(r.Body), "59.8955") || strings.Contains(string(r.Body), "10.629,") {
			t.Fatalf("exact point in public view: %s", r.Body)
		}
		// A member of the tenant sees the point, not the price.
		r = e.Do(apitest.Request{Path: path, As: apitest.Member})
		if !strings.Contains(string(r.Body), `"lat":59.8955`) || strings.Contains(string(r.Body), "price_nok_per_tonne") {
			t.Fatalf("member view: %s", r.Body)
		}
		// The owner and the supervisor see the price.
		for _, as := range []string{apitest.OrgAdmin, apitest.Supervisor, apitest.TenantAdmin} {
			if r := e.Do(apitest.Request{Path: path, As: as}); !strings.Contains(string(r.Body), `"price_nok_per_tonne":25`) {
				t.Fatalf("%s: %s", as, r.Body)
			}
		}
		// A public price and point are shown to all.
		vm := e.FirstID("baerum", "listings", "title = 'Mottak av ren sprengstein for knusing'")
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + vm}); !strings.Contains(string(r.Body), `"price_nok_per_tonne":45`) || !strings.Contains(string(r.Body), `"exact":true`) {
			t.Fatalf("public price: %s", r.Body)
		}
		// Drafts are invisible to others, in lists too.
		draft := e.FirstID("baerum", "listings", "status = 'draft'")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + draft, As: apitest.OrgAdmin}), 404, "not_found")
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings"}); strings.Contains(string(r.Body), draft) {
			t.Fatal("draft listed publicly")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings", As: apitest.Member}); !strings.Contains(string(r.Body), draft) {
			t.Fatal("the owner's member does not see its draft")
		}
		// Filters.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?kind=need&fraction=sprengstein&from=" + apitest.Month(2) + "&to=" + apitest.Month(13)})
		if !strings.Contains(string(r.Body), "Fyllmasser til skolegård") || strings.Contains(string(r.Body), "Forsterkningslag") {
			t.Fatalf("filters: %s", r.Body)
		}
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?lat=59.93&lon=10.43&radius_km=3&sort=distance"})
		if !strings.Contains(string(r.Body), "Mottak av ren sprengstein") || strings.Contains(string(r.Body), "stasjonshallen") {
			t.Fatalf("radius: %s", r.Body)
		}
		for _, q := range []string{"kind=gift", "fraction=gold", "min_tonnes=-1", "sort=distance", "lat=55.6&lon=12.5&radius_km=5", "from=tomorrow"} {
			if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?" + q}); r.Status != 422 {
				t.Errorf("%s: %d", q, r.Status)
			}
		}
	})
}

func TestListingsGeoJSON(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings.geojson"})
		body := string(r.Body)
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/geo+json" || !strings.Contains(body, `"FeatureCollection"`) {
			t.Fatalf("%d %s", r.Status, body)
		}
		// The public sees the Fornebu surplus only as a ~1 km cell; no drafts.
		if strings.Contains(body, "10.62900,59.89550") || !strings.Contains(body, "Sprengstein fra stasjonshallen") || strings.Contains(body, "utkast") || !strings.Contains(body, `"period":"`+stasjonshallenPeriod()+`"`) {
			t.Fatalf("public map: %s", body)
		}
		// A public point stays exact; facilities are there.
		if !strings.Contains(body, "10.43010,59.92650") || !strings.Contains(body, `"facility_type":"landfill"`) {
			t.Fatalf("exact public point or facilities missing: %s", body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings.geojson", As: apitest.Member}); !strings.Contains(string(r.Body), "10.62900,59.89550") {
			t.Fatal("members see exact points")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings.geojson?kind=need"}); strings.Contains(string(r.Body), `"surplus"`) || strings.Contains(string(r.Body), "facility_type") {
			t.Fatal("kind filter")
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings.geojson?fraction=gold"}); r.Status != 422 {
			t.Fatalf("bad fraction: %d", r.Status)
		}
	})
}

const marketPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestListingLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		base := "/api/v1/tenants/baerum/listings/" + id
		draft := e.FirstID("baerum", "listings", "status = 'draft'")
		// Partly and fully agreed follow from signed agreements
		// (core/agreement): there is no route to set them by hand.
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + draft + "/fully-matched", As: apitest.Member}); r.Status != 404 {
			t.Fatalf("fully-matched by hand: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: base + "/close", As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `"status":"closed"`) {
			t.Fatal("close")
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: base + "/publish", As: apitest.OrgAdmin}), 409, "conflict")
	})
}

// TestMapFollowsWrites: the map reflects edits, closings and deletions at once.
func TestMapFollowsWrites(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		get := func() string {
			return string(e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings.geojson"}).Body)
		}
		if !strings.Contains(get(), "Sprengstein fra stasjonshallen") {
			t.Fatal("missing")
		}
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin, Body: map[string]any{"title": "Sprengstein, oppdatert"}})
		if m := get(); !strings.Contains(m, "Sprengstein, oppdatert") || strings.Contains(m, "stasjonshallen") {
			t.Fatal("edit not on the map")
		}
		e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/close", As: apitest.OrgAdmin})
		if strings.Contains(get(), "Sprengstein, oppdatert") {
			t.Fatal("closed listing still on the map")
		}
		if !strings.Contains(get(), "Fyllmasser til skolegård") {
			t.Fatal("missing need")
		}
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "oslo-bybygg") + "?confirm=1", As: apitest.TenantAdmin}); r.Status != 204 { // it has listings (L5)
			t.Fatalf("delete org: %d", r.Status)
		}
		if strings.Contains(get(), "Fyllmasser til skolegård") {
			t.Fatal("a deleted organization's listing is still on the map")
		}
	})
}

func TestListingFormsUI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		org := e.OrgID("baerum", "fornebu-anlegg")
		r := e.PostForm("/t/baerum/listings/new", apitest.OrgAdmin, url.Values{"kind": {"surplus"}, "organization_id": {org}, "title": {"Pukk fra knuseverk"}, "fractions": {"sprengstein"},
			"quantity": {"5000"}, "unit": {"t"}, "available_from": {apitest.Month(2)}, "available_to": {apitest.Month(13)}, "transport": {"seller_delivers"}, "lat": {"59.9"}, "lon": {"10.6"},
			"rock_type": {"gneiss"}, "grain_min_mm": {"0"}, "grain_max_mm": {"32"}, "la_value": {"24"}, "micro_deval": {"9"}, "publish": {"on"}})
		if r.Status != 303 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		loc := r.Header.Get("Location")
		page := string(e.Do(apitest.Request{Path: strings.Split(loc, "?")[0], As: apitest.OrgAdmin}).Body)
		for _, want := range []string{"Pukk fra knuseverk", "Gneis", "0–32 mm", "Los Angeles-verdi"} {
			if !strings.Contains(page, want) {
				t.Fatalf("detail lacks %q", want)
			}
		}
		id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/t/baerum/listings/")
		r = e.PostForm("/t/baerum/listings/"+id+"/edit", apitest.OrgAdmin, url.Values{"title": {"Pukk fra knuseverk"}, "fractions": {"sprengstein"}, "quantity": {"-5"}, "unit": {"t"},
			"available_from": {apitest.Month(2)}, "available_to": {apitest.Month(13)}, "transport": {"seller_delivers"}, "lat": {"59.9"}, "lon": {"10.6"}, "la_value": {"24"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Mengden må være større enn null.") {
			t.Fatalf("edit with negative quantity: %d", r.Status)
		}
	})
}

// stasjonshallenPeriod is the public period of the demo surplus "Sprengstein
// fra stasjonshallen", which the seed lays out from 22 months before to 11
// months after the month it is seeded in.
func stasjonshallenPeriod() string { return apitest.Month(-22) + "/" + apitest.Month(11) }

// TestListingPagesAPI: the listing search pages by cursor in every sort
// order — walking it a page at a time gives the one-page answer — and an
// out-of-range limit or a malformed cursor names the parameter.
func TestListingPagesAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		type pg struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		get := func(q string) pg {
			var p pg
			r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?" + q, As: apitest.Member})
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", q, r.Status, r.Body)
			}
			r.JSON(t, &p)
			return p
		}
		for _, sort := range []string{"sort=date", "sort=quantity", "sort=distance&lat=59.9&lon=10.6"} {
			all := get(sort + "&limit=1000")
			if len(all.Items) < 4 || all.NextCursor != "" {
				t.Fatalf("%s: %d items, cursor %q", sort, len(all.Items), all.NextCursor)
			}
			var walked []string
			q := sort + "&limit=2"
			for i := 0; ; i++ {
				p := get(q)
				for _, it := range p.Items {
					walked = append(walked, it.ID)
				}
				if p.NextCursor == "" {
					break
				}
				if i > len(all.Items) {
					t.Fatalf("%s: no end", sort)
				}
				q = sort + "&limit=2&cursor=" + url.QueryEscape(p.NextCursor)
			}
			if len(walked) != len(all.Items) {
				t.Fatalf("%s: walked %d, want %d", sort, len(walked), len(all.Items))
			}
			for i := range walked {
				if walked[i] != all.Items[i].ID {
					t.Fatalf("%s: item %d is %s, want %s", sort, i, walked[i], all.Items[i].ID)
				}
			}
		}
		for _, q := range []string{"limit=0", "limit=1001", "limit=ten"} {
			p := apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?" + q}), 422, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Pointer != "/limit" {
				t.Fatalf("%s: %+v", q, p.Errors)
			}
		}
		p := apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings?cursor=!!"}), 422, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/cursor" {
			t.Fatalf("cursor: %+v", p.Errors)
		}
		// Samples page too.
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/samples"
		for _, name := range []string{"PR-1", "PR-2", "PR-3"} {
			r := e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"name": name, "values": []map[string]any{{"parameter": "pb", "value": 10, "unit": "mg/kg"}}}})
			if r.Status != 201 {
				t.Fatalf("sample: %d %s", r.Status, r.Body)
			}
		}
		var sp struct {
			Items      []struct{ Name string }
			NextCursor string `json:"next_cursor"`
		}
		e.Do(apitest.Request{Path: path + "?limit=2"}).JSON(t, &sp)
		if len(sp.Items) != 2 || sp.Items[0].Name != "PR-1" || sp.NextCursor == "" {
			t.Fatalf("samples: %+v", sp)
		}
		cursor := sp.NextCursor
		sp.Items, sp.NextCursor = nil, ""
		e.Do(apitest.Request{Path: path + "?limit=2&cursor=" + url.QueryEscape(cursor)}).JSON(t, &sp)
		if len(sp.Items) != 1 || sp.Items[0].Name != "PR-3" || sp.NextCursor != "" {
			t.Fatalf("samples, page 2: %+v", sp)
		}
	})
}
