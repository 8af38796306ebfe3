package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/plugins/mail/logmail"

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

func TestLabResults(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/samples"
		r := e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"name": "PR-1", "lab": "Norsk Jordlab", "taken_on": apitest.Day(-56),
			"values": []map[string]any{{"parameter": "pb", "value": 45, "unit": "mg/kg TS"}, {"parameter": "PAH16", "value": 12000, "unit": "µg/kg"}, {"parameter": "zn", "value": 180, "unit": "mg/kg"}}}})
		if r.Status != 201 || !strings.Contains(string(r.Body), `"class":3`) || !strings.Contains(string(r.Body), `"deciding":["pah16"]`) {
			t.Fatalf("sample: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `"contamination_class":3`) {
			t.Fatalf("listing class: %s", r.Body)
		}
		for name, values := range map[string][]map[string]any{
			"negative":      {{"parameter": "pb", "value": -1, "unit": "mg/kg"}},
			"wrong unit":    {{"parameter": "pb", "value": 1, "unit": "mg/l"}},
			"unknown param": {{"parameter": "gold", "value": 1, "unit": "mg/kg"}},
			"none":          {},
		} {
			if r := e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"name": "X", "values": values}}); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if n := e.Count("baerum", "lab_samples", "listing_id = ?", id); n != 1 {
			t.Fatalf("%d samples saved", n)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.Member, Body: map[string]any{"name": "X", "values": []map[string]any{{"parameter": "pb", "value": 1, "unit": "mg/kg"}}}}), 403, "not_own_organization")
	})
}

func TestMatchesThroughAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/matches"
		var res struct {
			Items []struct {
				CounterpartID string  `json:"counterpart_id"`
				Title         string  `json:"title"`
				Via           string  `json:"via"`
				StorageName   string  `json:"storage_name"`
				KgPerTonne    float64 `json:"kg_co2e_per_tonne"`
				Tonnes        float64 `json:"tonnes"`
				Quality       string  `json:"quality"`
				Baseline      struct {
					LandfillName string `json:"landfill_name"`
					Complete     bool
				}
				SavingKg float64 `json:"saving_kg_co2e"`
			}
			FactorSet string `json:"factor_set"`
		}
		r := e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		r.JSON(t, &res)
		titles := map[string]int{}
		for i, m := range res.Items {
			titles[m.Title] = i
			if i > 0 && m.KgPerTonne < res.Items[i-1].KgPerTonne {
				t.Fatalf("not ranked: %s", r.Body)
			}
			if m.Baseline.LandfillName != "Bærum massemottak og deponi" || m.Quality != "undocumented" {
				t.Fatalf("explanation: %+v", m)
			}
		}
		for _, want := range []string{"Fyllmasser til skolegård", "Forsterkningslag til parkeringskjeller", "Mottak av ren sprengstein for knusing", "Mellomlagring av stein og morene"} {
			if _, ok := titles[want]; !ok {
				t.Fatalf("missing match %q: %s", want, r.Body)
			}
		}
		chain := res.Items[titles["Forsterkningslag til parkeringskjeller"]]
		if chain.Via != "storage" || chain.StorageName != "Heggedal mellomlager" {
			t.Fatalf("the school's need must go through storage: %+v", chain)
		}
		school := res.Items[titles["Fyllmasser til skolegård"]]
		if school.Tonnes != 8000 || school.SavingKg <= 0 || !school.Baseline.Complete || res.FactorSet != "defra-2025" {
			t.Fatalf("school: %+v", school)
		}
		// Dismiss it: gone, and it stays gone.
		if r := e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("dismiss: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("dismiss twice: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + id, As: apitest.OrgAdmin, Body: map[string]any{"title": "Sprengstein fra stasjonshallen, oppdatert"}}); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin}); strings.Contains(string(r.Body), school.CounterpartID) {
			t.Fatal("a dismissed match came back")
		}
		// Others cannot see or dismiss this listing's matches.
		apitest.Problem(t, e.Do(apitest.Request{Path: path}), 401, "unauthorized")
		apitest.Problem(t, e.Do(apitest.Request{Path: path, As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path + "/" + school.CounterpartID + "/dismiss", As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: path + "/" + e.FirstID("rogaland", "listings", "") + "/dismiss", As: apitest.OrgAdmin}), 404, "not_found")
		// A new need published next door shows up at once.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.Member, Body: map[string]any{"kind": "need", "title": "Fylling ved Fornebu", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
			"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(-5), "available_to": apitest.Month(1), "lat": 59.8960, "lon": 10.6300, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
		if r.Status != 201 {
			t.Fatalf("new need: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: path, As: apitest.OrgAdmin})
		r.JSON(t, &res)
		if len(res.Items) == 0 || res.Items[0].Title != "Fylling ved Fornebu" {
			t.Fatalf("the neighbour must rank first: %s", r.Body)
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

func marketMultipart(t *testing.T, kind, name string, data []byte) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if kind != "" {
		_ = w.WriteField("kind", kind)
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

const marketPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestDocuments(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/documents"
		up := func(as, kind, name string, data []byte) *apitest.Response {
			body, ct := marketMultipart(t, kind, name, data)
			return e.Do(apitest.Request{Method: "POST", Path: path, As: as, Body: body, Header: map[string]string{"Content-Type": ct}})
		}
		r := up(apitest.OrgAdmin, "analysis_report", "analyse PR-1.pdf", []byte(marketPDF))
		if r.Status != 201 || !strings.Contains(string(r.Body), `"content_type":"application/pdf"`) || !strings.Contains(string(r.Body), `"sha256":"`) {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		var d struct{ ID string }
		r.JSON(t, &d)
		before := e.Count("baerum", "documents", "")
		apitest.Problem(t, up(apitest.OrgAdmin, "photo", "bilde.pdf", []byte(marketPNG)), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "photo", "bilde.png", []byte(marketPDF)), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "virus.exe", []byte("MZ\x90\x00")), 415, "upload_type")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "tabell.xlsx", []byte("PK\x03\x04 not a workbook")), 415, "upload_mismatch")
		apitest.Problem(t, up(apitest.OrgAdmin, "analysis_report", "stor.pdf", append([]byte(marketPDF), make([]byte, 21<<20)...)), 413, "too_large")
		apitest.Problem(t, up(apitest.OrgAdmin, "poem", "a.pdf", []byte(marketPDF)), 422, "validation")
		apitest.Problem(t, up(apitest.OrgAdmin, "other", "", nil), 422, "validation")
		apitest.Problem(t, up(apitest.Member, "analysis_report", "a.pdf", []byte(marketPDF)), 403, "not_own_organization")
		if e.Count("baerum", "documents", "") != before {
			t.Fatal("a refused upload was saved")
		}
		if r := up(apitest.OrgAdmin, "other", "prøver.csv", []byte("parameter;verdi;enhet\npb;45;mg/kg\n")); r.Status != 201 {
			t.Fatalf("csv: %d %s", r.Status, r.Body)
		}
		// Served only to members and the owner, with safe headers.
		apitest.Problem(t, e.Do(apitest.Request{Path: path}), 401, "unauthorized")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID}), 401, "unauthorized")
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member})
		if r.Status != 200 || string(r.Body) != marketPDF || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("download: %d %v", r.Status, r.Header)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/documents/" + d.ID, As: apitest.RogAdmin}), 404, "not_found")
		apitest.Problem(t, e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member}), 403, "not_own_organization")
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("delete: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/documents/" + d.ID, As: apitest.Member}), 404, "not_found")
	})
}

func TestMassHandlingPlan(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		site := e.FirstID("baerum", "sites", "name = 'Fornebubanen, stasjon Flytårnet'")
		path := "/api/v1/tenants/baerum/sites/" + site + "/plan"
		lines := []map[string]any{
			{"direction": "cut", "fraction": "sprengstein", "quantity": 20000, "unit": "m3_in_place", "period_from": apitest.Month(2), "period_to": apitest.Month(7), "note": "Tunnel"},
			{"direction": "fill", "fraction": "grus", "quantity": 5000, "unit": "t", "period_from": apitest.Month(4), "period_to": apitest.Month(10), "intended_use": "sub_base"},
			{"direction": "cut", "fraction": "morene", "quantity": 3000, "unit": "m3_loose", "period_from": apitest.Month(3), "period_to": apitest.Month(5)},
		}
		before := e.Count("baerum", "listings", "")
		r := e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"lines": lines, "publish": true}})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var p struct {
			Lines []struct {
				ListingID string  `json:"listing_id"`
				Tonnes    float64 `json:"quantity_tonnes"`
			}
			Totals []struct {
				Fraction string
				Balance  float64 `json:"balance_tonnes"`
			}
		}
		r.JSON(t, &p)
		if len(p.Lines) != 3 || p.Lines[0].Tonnes != 54000 || p.Lines[2].Tonnes != 5100 || len(p.Totals) != 3 || p.Totals[1].Balance != -5000 {
			t.Fatalf("plan: %s", r.Body)
		}
		if e.Count("baerum", "listings", "") != before+3 || e.Count("baerum", "listings", "id = ? AND kind = 'surplus' AND status = 'published' AND quantity_tonnes = 54000", p.Lines[0].ListingID) != 1 {
			t.Fatal("listings not created in step")
		}
		if e.Count("baerum", "listings", "id = ? AND kind = 'need' AND intended_use = 'sub_base'", p.Lines[1].ListingID) != 1 {
			t.Fatal("fill line must be a need")
		}
		// Change the first line, drop the others: updated and closed in step.
		lines[0]["quantity"] = 25000
		r = e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.OrgAdmin, Body: map[string]any{"lines": lines[:1]}})
		if r.Status != 200 || e.Count("baerum", "listings", "id = ? AND quantity_tonnes = 67500", p.Lines[0].ListingID) != 1 {
			t.Fatalf("update in step: %d %s", r.Status, r.Body)
		}
		if e.Count("baerum", "listings", "id IN ? AND status = 'closed'", []string{p.Lines[1].ListingID, p.Lines[2].ListingID}) != 2 {
			t.Fatal("removed lines must close their listings")
		}
		// Bad input: nothing saved.
		n := e.Count("baerum", "mass_plan_lines", "")
		for name, bad := range map[string]map[string]any{
			"negative":      {"direction": "cut", "fraction": "sand", "quantity": -1, "unit": "t", "period_from": apitest.Month(2), "period_to": apitest.Month(3)},
			"backwards":     {"direction": "cut", "fraction": "sand", "quantity": 1, "unit": "t", "period_from": apitest.Month(6), "period_to": apitest.Month(3)},
			"no use":        {"direction": "fill", "fraction": "sand", "quantity": 1, "unit": "t", "period_from": apitest.Month(2), "period_to": apitest.Month(3)},
			"fraction":      {"direction": "cut", "fraction": "gold", "quantity": 1, "unit": "t", "period_from": apitest.Month(2), "period_to": apitest.Month(3)},
			"pukk in place": {"direction": "cut", "fraction": "pukk", "quantity": 1, "unit": "m3_in_place", "period_from": apitest.Month(2), "period_to": apitest.Month(3)},
			"direction":     {"direction": "up", "fraction": "sand", "quantity": 1, "unit": "t", "period_from": apitest.Month(2), "period_to": apitest.Month(3)},
		} {
			body := map[string]any{"lines": []map[string]any{lines[0], bad}}
			if r := e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.OrgAdmin, Body: body}); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if e.Count("baerum", "mass_plan_lines", "") != n {
			t.Fatal("a refused plan changed the saved one")
		}
		// Exports.
		r = e.Do(apitest.Request{Path: path + ".pdf", As: apitest.OrgAdmin})
		if r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %d %.20q", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Path: path + ".xlsx", As: apitest.OrgAdmin, Header: map[string]string{"Accept-Language": "en"}})
		if r.Status != 200 {
			t.Fatalf("xlsx: %d", r.Status)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if v, _ := x.GetCellValue("Mass handling plan", "C6"); v != "Blasted rock" {
			t.Fatalf("xlsx C6 = %q, sheets %v", v, x.GetSheetList())
		}
		if v, _ := x.GetCellValue("Mass handling plan", "G6"); v != "67500" {
			t.Fatalf("xlsx tonnes = %q", v)
		}
		// Access.
		apitest.Problem(t, e.Do(apitest.Request{Path: path}), 401, "unauthorized")
		apitest.Problem(t, e.Do(apitest.Request{Path: path + ".pdf", As: apitest.Member}), 403, "not_own_organization")
		apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: path, As: apitest.Member, Body: map[string]any{"lines": []any{}}}), 403, "not_own_organization")
		if r := e.Do(apitest.Request{Path: path, As: apitest.Supervisor}); r.Status != 200 {
			t.Fatalf("supervisor: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/sites/" + site + "/plan", As: apitest.RogAdmin}), 404, "not_found")
		facility := e.FirstID("baerum", "sites", "kind = 'facility' AND organization_id = ?", e.OrgID("baerum", "vestmarka-pukk"))
		apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/sites/" + facility + "/plan", As: apitest.TenantAdmin, Body: map[string]any{"lines": []any{}}}), 422, "validation")
	})
}

func TestLabImport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		path := "/api/v1/tenants/baerum/listings/" + id + "/samples/import"
		send := func(name string, data []byte) *apitest.Response {
			body, ct := marketMultipart(t, "", name, data)
			return e.Do(apitest.Request{Method: "POST", Path: path, As: apitest.OrgAdmin, Body: body, Header: map[string]string{"Content-Type": ct}})
		}
		csvData := "Prøve;Parameter;Verdi;Enhet\nPR-1;pb;45;mg/kg TS\nPR-1;as;<2;mg/kg TS\nPR-2;pah16;9,5;mg/kg TS\nPR-2;zn;180;mg/kg TS\n"
		r := send("prøver.csv", []byte(csvData))
		if r.Status != 201 || strings.Count(string(r.Body), `"name":"PR-`) != 2 || !strings.Contains(string(r.Body), `"class":3`) {
			t.Fatalf("csv: %d %s", r.Status, r.Body)
		}
		// XLSX in English.
		x := excelize.NewFile()
		for i, row := range [][]any{{"Sample", "Parameter", "Value", "Unit"}, {"S-9", "cu", 150, "mg/kg"}, {"S-9", "hg", 0.3, "mg/kg"}} {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = x.SetCellValue("Sheet1", cell, v)
			}
		}
		var xb bytes.Buffer
		_ = x.Write(&xb)
		if r := send("lab.xlsx", xb.Bytes()); r.Status != 201 || !strings.Contains(string(r.Body), `"class":2`) {
			t.Fatalf("xlsx: %d %s", r.Status, r.Body)
		}
		n := e.Count("baerum", "lab_samples", "listing_id = ?", id)
		// One bad row refuses the whole file.
		for name, data := range map[string]string{
			"wrong unit":   "sample,parameter,value,unit\nA,pb,4,mg/kg\nB,pb,4,mg/l\n",
			"negative":     "sample,parameter,value,unit\nA,pb,-4,mg/kg\n",
			"not a number": "sample,parameter,value,unit\nA,pb,lots,mg/kg\n",
			"no columns":   "a,b\n1,2\n",
			"empty":        "",
			"unknown":      "sample,parameter,value,unit\nA,gold,4,mg/kg\n",
		} {
			if r := send("x.csv", []byte(data)); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		if r := send("x.txt", []byte("a")); r.Status != 415 {
			t.Errorf("txt: %d", r.Status)
		}
		if r := send("fake.xlsx", []byte("not a zip")); r.Status != 415 {
			t.Errorf("fake xlsx: %d", r.Status)
		}
		if e.Count("baerum", "lab_samples", "listing_id = ?", id) != n {
			t.Fatal("a refused import saved samples")
		}
	})
}

func TestMatchDiscoveryNotifies(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		var mu sync.Mutex
		var got []events.Envelope
		e.App.Events.Listen(func(ev events.Envelope) { mu.Lock(); got = append(got, ev); mu.Unlock() })
		mailer := e.App.Matching.Mailer.(*logmail.Mailer)
		sentBefore := len(mailer.Messages())
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.Member, Body: map[string]any{"kind": "need", "title": "Fylling ved Fornebu", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
			"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(-5), "available_to": apitest.Month(1), "lat": 59.8960, "lon": 10.6300, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var l struct{ ID string }
		r.JSON(t, &l)
		e.Settle() // discovery runs after the request, from the outbox
		surplus := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		if e.Count("baerum", "matches", "listing_id = ? AND counterpart_id = ?", l.ID, surplus) != 1 {
			t.Fatal("match not stored")
		}
		// listing.published first, then match.found for the new match.
		mu.Lock()
		if len(got) < 2 || got[0].Type() != "listing.published" || got[1].Type() != "match.found" || got[1].TenantID != e.Tenant("baerum").ID ||
			got[1].Event.(events.MatchFound).ListingID != l.ID {
			t.Fatalf("events %+v", got)
		}
		mu.Unlock()
		if len(mailer.Messages()) <= sentBefore {
			t.Fatal("no mail")
		}
		// Kari (Fornebu) is told about her surplus's new counterpart.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/notifications", As: apitest.OrgAdmin})
		if r.Status != 200 || !strings.Contains(string(r.Body), "Fylling ved Fornebu") {
			t.Fatalf("notifications: %d %s", r.Status, r.Body)
		}
		var ns struct{ Items []struct{ ID string } }
		r.JSON(t, &ns)
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + ns.Items[0].ID + "/read", As: apitest.Member}), 404, "not_found")
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + ns.Items[0].ID + "/read", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("read: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/notifications"}), 401, "unauthorized")
		// Publishing again finds nothing new: no duplicates.
		n := e.Count("baerum", "matches", "")
		if r := e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/listings/" + l.ID, As: apitest.Member, Body: map[string]any{"title": "Fylling ved Fornebu (oppdatert)"}}); r.Status != 200 {
			t.Fatal(r.Status)
		}
		e.Settle()
		if e.Count("baerum", "matches", "") != n {
			t.Fatal("duplicate matches stored")
		}
	})
}

// TestMatchesWithOSRM: with routing.osrm the ranked matches carry the road
// router's distances.
func TestMatchesWithOSRM(t *testing.T) {
	var calls atomic.Int64 // Refine asks for legs concurrently
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte(`{"code":"Ok","routes":[{"distance":12345.6,"duration":900}]}`))
	}))
	defer srv.Close()
	a := marketOpsApp(t, func(c *app.Config) {
		c.Routing, c.Settings = "routing.osrm", map[string]string{"MASSEFLYT_OSRM_URL": srv.URL}
	}, &bytes.Buffer{})
	e := &apitest.Env{T: t, App: a, Backend: "sqlite"}
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	e.Settle()
	// A read never waits on the router: legs not measured yet keep their
	// estimates (and say so).
	before := calls.Load()
	r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id + "/matches?limit=100", As: apitest.OrgAdmin})
	if r.Status != 200 || calls.Load() != before {
		t.Fatalf("a read asked the router %d times: %d %s", calls.Load()-before, r.Status, r.Body)
	}
	// The road router measures in match discovery, after a write, never in
	// a read: announce the listing again and let discovery run.
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/publish", As: apitest.OrgAdmin}); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	e.Settle()
	measured := calls.Load()
	r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + id + "/matches", As: apitest.OrgAdmin})
	if calls.Load() != measured {
		t.Fatal("reading matches asked the router")
	}
	if r.Status != 200 || !strings.Contains(string(r.Body), `"router":"osrm"`) || !strings.Contains(string(r.Body), `"road_km":12.3456`) || calls.Load() == 0 {
		t.Fatalf("%d calls, %s", calls.Load(), r.Body)
	}
}

func TestListingLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		base := "/api/v1/tenants/baerum/listings/" + id
		draft := e.FirstID("baerum", "listings", "status = 'draft'")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + draft + "/fully-matched", As: apitest.Member}), 409, "conflict")
		if r := e.Do(apitest.Request{Method: "POST", Path: base + "/partly-matched", As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `"status":"partly_matched"`) {
			t.Fatalf("partly: %s", r.Body)
		}
		need := e.FirstID("baerum", "listings", "title = 'Fyllmasser til skolegård'")
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + need + "/matches", As: apitest.TenantAdmin}); !strings.Contains(string(r.Body), id) {
			t.Fatal("a partly matched listing still matches")
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: base + "/fully-matched", As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `"status":"fully_matched"`) {
			t.Fatalf("fully: %s", r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings/" + need + "/matches", As: apitest.TenantAdmin}); strings.Contains(string(r.Body), id) {
			t.Fatal("a fully matched listing must leave matching")
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
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "oslo-bybygg"), As: apitest.TenantAdmin}); r.Status != 204 {
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
		r := marketPostForm(e, "/t/baerum/listings/new", apitest.OrgAdmin, url.Values{"kind": {"surplus"}, "organization_id": {org}, "title": {"Pukk fra knuseverk"}, "fractions": {"sprengstein"},
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
		r = marketPostForm(e, "/t/baerum/listings/"+id+"/edit", apitest.OrgAdmin, url.Values{"title": {"Pukk fra knuseverk"}, "fractions": {"sprengstein"}, "quantity": {"-5"}, "unit": {"t"},
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
