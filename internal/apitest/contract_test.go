package apitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestContractCatches checks the harness's contract check fails what the
// document does not say: an unknown field, a missing required field, a
// field sent under another name, null for an array, an undeclared status or
// content type, a route outside the document.
func TestContractCatches(t *testing.T) {
	const tenant = "/api/v1/tenants/baerum"
	totals := `{"fraction":"sprengstein","cut_tonnes":1,"fill_tonnes":0,"balance_tonnes":1}`
	site := `{"id":"s","organization_id":"o","kind":"project","name":"n","description":"","address":"","postcode":"","city":"","municipality_no":"","lat":59.9,"lon":10.7,"permanent":true,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`
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
		{"totals null", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":null}`, "totals"},
		{"an unknown field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":[],"extra":1}`, "extra"},
		{"a missing required field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[]}`, "totals"},
		{"a renamed field", "GET", tenant + "/sites/x/plan", 200, json, `{"site":` + site + `,"lines":[],"totals":[{"Fraction":"sprengstein","cut_tonnes":1,"fill_tonnes":0,"balance_tonnes":1}]}`, "Fraction"},
		{"a documented error", "GET", tenant + "/sites/x/plan", 404, problemJSON, problem, ""},
		{"an undocumented status", "GET", tenant + "/sites/x/plan", 201, json, `{}`, "status 201"},
		{"an undocumented content type", "GET", tenant + "/sites/x/plan", 200, http.Header{"Content-Type": {"text/plain"}}, "ok", "content type"},
		{"a problem that is not one", "GET", tenant + "/sites/x/plan", 404, problemJSON, `{"error":"nope"}`, "match"},
		{"a route outside the document", "GET", tenant + "/nowhere/x", 200, json, `{}`, "no path"},
		{"a method outside the document", "PUT", tenant + "/sites/x/plan.pdf", 200, json, `{}`, "not in the OpenAPI document"},
		{"the router's 404", "GET", tenant + "/nowhere/x", 404, problemJSON, problem, ""},
		{"no body where none is documented", "DELETE", tenant + "/documents/x", 204, http.Header{}, "", ""},
		{"a body where none is documented", "DELETE", tenant + "/documents/x", 204, json, `{}`, "without a body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, nil)
			err := contractCheck(req, c.path, &Response{Status: c.status, Header: c.header, Body: []byte(c.body)})
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("want no mismatch, got %v", err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("want a mismatch about %q, got none", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("want a mismatch about %q, got %v", c.wantErr, err)
			}
		})
	}
}
