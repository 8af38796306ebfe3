package apitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/route"
)

// A small API for the harness's own test, documented by the generator as
// the app's is (the app's table is tested in tests/openapi_test.go).
type (
	fakeSite struct {
		ID   string  `json:"id"`
		Name string  `json:"name"`
		Lat  float64 `json:"lat"`
	}
	fakeTotal struct {
		Fraction string  `json:"fraction"`
		Cut      float64 `json:"cut_tonnes"`
	}
	fakePlan struct {
		Site   *fakeSite   `json:"site"`
		Lines  []string    `json:"lines"`
		Totals []fakeTotal `json:"totals"`
	}
)

func fakeContract(t *testing.T) *contract {
	t.Helper()
	h := func(*fiber.Ctx) error { return nil }
	entries := route.Entries(route.Table{Surface: "api", Groups: []route.Group{{Prefix: "/api/v1/tenants/:tenant", Routes: []route.Route{
		{Method: "GET", Path: "/sites/:id/plan", Perm: access.DirectoryRead, Handler: h, Doc: &route.Doc{ID: "getPlan", Tag: "Market", Out: fakePlan{}}},
		{Method: "GET", Path: "/sites/:id/plan.pdf", Perm: access.DirectoryRead, Handler: h, Doc: &route.Doc{ID: "planPDF", Tag: "Market", Files: []string{"application/pdf"}}},
		{Method: "DELETE", Path: "/documents/:id", Perm: access.ListingsUpdate, Handler: h, Doc: &route.Doc{ID: "deleteDocument", Tag: "Market", Status: 204}},
	}}}})
	cfg := apidoc.Config()
	cfg.Notes = nil // they annotate the app's types
	doc, err := oas.Build(entries, cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadContract(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestContractCatches checks the harness's contract check fails what the
// document does not say: an unknown field, a missing required field, a
// field sent under another name, null for an array, an undeclared status or
// content type, a route outside the document.
func TestContractCatches(t *testing.T) {
	c := fakeContract(t)
	const tenant = "/api/v1/tenants/baerum"
	totals := `{"fraction":"sprengstein","cut_tonnes":1}`
	site := `{"id":"s","name":"n","lat":59.9}`
	problem := `{"type":"urn:masseflyt:problem:not_found","title":"Ikke funnet","status":404}`
	json := http.Header{"Content-Type": {"application/json"}}
	problemJSON := http.Header{"Content-Type": {"application/problem+json; charset=utf-8"}}
	cases := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		wantErr            string // "" when the response is true to the document
	}{
		{"a plan", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":[` + totals + `]}`, ""},
		{"a plan without a site", "GET", tenant + "/sites/x/plan", 200, json, `{"site":null,"lines":[],"totals":[]}`, ""},
		{"totals null", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":null}`, "totals"},
		{"an unknown field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":[],"extra":1}`, "extra"},
		{"a missing required field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[]}`, "totals"},
		{"a renamed field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":[{"Fraction":"sprengstein","cut_tonnes":1}]}`, "Fraction"},
		{"a wrong type", "GET", tenant + "/sites/x/plan", 200, json, `{"site":{"id":"s","name":"n","lat":"59.9"},"lines":[],"totals":[]}`, "lat"},
		{"a documented error", "GET", tenant + "/sites/x/plan", 404, problemJSON, problem, ""},
		{"an undocumented status", "GET", tenant + "/sites/x/plan", 201, json, `{}`, "status 201"},
		{"an undocumented content type", "GET", tenant + "/sites/x/plan", 200, http.Header{"Content-Type": {"text/plain"}}, "ok", "content type"},
		{"a problem that is not one", "GET", tenant + "/sites/x/plan", 404, problemJSON, `{"error":"nope"}`, "match"},
		{"a route outside the document", "GET", tenant + "/nowhere/x", 200, json, `{}`, "no path"},
		{"a method outside the document", "PUT", tenant + "/sites/x/plan.pdf", 200, json, `{}`, "not in the OpenAPI document"},
		{"the router's 404", "GET", tenant + "/nowhere/x", 404, problemJSON, problem, ""},
		{"a file", "GET", tenant + "/sites/x/plan.pdf", 200, http.Header{"Content-Type": {"application/pdf"}}, "%PDF", ""},
		{"no body where none is documented", "DELETE", tenant + "/documents/x", 204, http.Header{}, "", ""},
		{"a body where none is documented", "DELETE", tenant + "/documents/x", 204, json, `{}`, "without a body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			err := c.check(req, tc.path, &Response{Status: tc.status, Header: tc.header, Body: []byte(tc.body)})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("want no mismatch, got %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("want a mismatch about %q, got none", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("want a mismatch about %q, got %v", tc.wantErr, err)
			}
		})
	}
}
