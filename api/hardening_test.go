package api_test

import (
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// pointers returns the JSON pointers a validation problem names.
func pointers(t *testing.T, r *apitest.Response) map[string]bool {
	t.Helper()
	p := apitest.Problem(t, r, 422, "validation")
	out := map[string]bool{}
	for _, f := range p.Errors {
		out[f.Pointer] = true
	}
	return out
}

// TestLabValueOverflowL1: 1e308 g/kg is more than all of the dry matter: a
// validation error on the value, not +Inf and a 500 (issue 10, L1).
func TestLabValueOverflowL1(t *testing.T) {
	e := apitest.New(t, "sqlite")
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	for _, v := range []map[string]any{{"parameter": "pb", "value": 1e308, "unit": "g/kg"}, {"parameter": "pb", "value": 1_000_001, "unit": "mg/kg TS"}} {
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/samples", As: apitest.OrgAdmin,
			Body: map[string]any{"name": "PR-9", "values": []map[string]any{v}}})
		if !pointers(t, r)["/values/0/value"] {
			t.Errorf("%v: %s", v, r.Body)
		}
	}
}

// TestTinyQuantitiesL10: a quantity below one tonne is refused, so 4.9e-324 t
// cannot rank first (issue 10, L10).
func TestTinyQuantitiesL10(t *testing.T) {
	e := apitest.New(t, "sqlite")
	org := e.OrgID("baerum", "fornebu-anlegg")
	for _, q := range []any{4.9e-324, 0.5} {
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: apitest.OrgAdmin, Body: map[string]any{
			"kind": "surplus", "title": "Smått", "organization_id": org, "fractions": []string{"sand"}, "quantity": q, "unit": "t",
			"available_from": apitest.Month(2), "available_to": apitest.Month(7), "lat": 59.9, "lon": 10.6, "transport": "buyer_collects"}})
		if !pointers(t, r)["/quantity"] {
			t.Errorf("%v t: %s", q, r.Body)
		}
	}
}

// TestReadTokenCannotMarkReadL2: marking a notification read is a write; a
// read-only token may list notifications but not change them (issue 10, L2).
func TestReadTokenCannotMarkReadL2(t *testing.T) {
	e := apitest.New(t, "sqlite")
	e.Settle()
	id := e.FirstID("baerum", "notifications", "user_id = ? AND read_at IS NULL", e.User(apitest.OrgAdmin).ID)
	read := e.Token("baerum", apitest.OrgAdmin, "read")
	if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/notifications", Token: read}); r.Status != 200 {
		t.Fatalf("list with a read token: %d", r.Status)
	}
	apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + id + "/read", Token: read}), 403, "token_scope")
	write := e.Token("baerum", apitest.OrgAdmin, "read", "write")
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/notifications/" + id + "/read", Token: write}); r.Status != 204 {
		t.Fatalf("mark read with a write token: %d %s", r.Status, r.Body)
	}
}
