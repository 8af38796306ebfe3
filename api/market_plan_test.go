package api_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

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
