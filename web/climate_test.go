package web_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestClimatePages: an account's page shows its figures, an accessible
// chart beside each table and the exports, which parse; a bad period is
// a form message (422) above the default account; the method page is
// public; the API answers the same totals.
func TestClimatePages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 15)
		w.Received(w.Order, 12)
		e.Settle()
		base := "/t/baerum/climate/organizations/" + w.Fornebu
		r := e.Do(apitest.Request{Path: base, As: apitest.OrgAdmin})
		page := string(r.Body)
		if r.Status != 200 {
			t.Fatalf("account page %d", r.Status)
		}
		for _, want := range []string{"Klimaregnskap", `role="img"`, "<title id=\"climate-series-t\">", "<desc id=\"climate-series-d\">", "defra-2025",
			"Sprengstein", "format=csv", "format=xlsx", "format=pdf", "<strong>27 t</strong>", "<strong>2</strong> <span>Lass</span>"} {
			if !strings.Contains(page, want) {
				t.Errorf("account page lacks %q", want)
			}
		}
		if strings.Contains(page, "Beregn på nytt med") {
			t.Error("a recompute is offered with no newer factor set")
		}
		csvResp := e.Do(apitest.Request{Path: base + "?format=csv", As: apitest.OrgAdmin})
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(csvResp.Body), "\ufeff")))
		cr.Comma, cr.FieldsPerRecord = ';', -1
		rows, err := cr.ReadAll()
		if err != nil || len(rows) != 6 || rows[4][2] != "2" || !strings.HasPrefix(csvResp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("csv %v %q", err, rows)
		}
		x := e.Do(apitest.Request{Path: base + "?format=xlsx", As: apitest.OrgAdmin})
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatalf("xlsx: %v", err)
		}
		if v, _ := f.GetCellValue(f.GetSheetName(0), "D6"); v != "27" {
			t.Errorf("xlsx tonnes %q", v)
		}
		if p := e.Do(apitest.Request{Path: base + "?format=pdf", As: apitest.OrgAdmin}); !bytes.HasPrefix(p.Body, []byte("%PDF")) {
			t.Errorf("pdf %d", p.Status)
		}
		bad := e.Do(apitest.Request{Path: base + "?from=2026-13", As: apitest.OrgAdmin})
		if bad.Status != 422 || !strings.Contains(string(bad.Body), "ÅÅÅÅ-MM") {
			t.Errorf("bad period: %d", bad.Status)
		}
		// An export with a bad period is the page with the message, not a
		// file of the default period.
		for _, f := range []string{"csv", "xlsx", "pdf"} {
			bad := e.Do(apitest.Request{Path: base + "?from=2026-13&format=" + f, As: apitest.OrgAdmin})
			if bad.Status != 422 || !strings.Contains(string(bad.Body), "ÅÅÅÅ-MM") {
				t.Errorf("bad period, %s: %d %.40q", f, bad.Status, bad.Body)
			}
		}
		if m := e.Do(apitest.Request{Path: "/t/baerum/climate/method"}); m.Status != 200 || !strings.Contains(string(m.Body), "1,371") {
			t.Errorf("method page %d", m.Status)
		}
		var acc struct {
			Totals struct {
				Loads  int     `json:"loads"`
				Tonnes float64 `json:"tonnes"`
			} `json:"totals"`
			FactorSets []string `json:"factor_sets"`
		}
		api := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/climate/organizations/" + w.Fornebu, As: apitest.OrgAdmin})
		api.JSON(t, &acc)
		if acc.Totals.Loads != 2 || acc.Totals.Tonnes != 27 || len(acc.FactorSets) != 1 {
			t.Errorf("api %d: %+v", api.Status, acc)
		}
		if p := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/climate/region?to=2026-02&from=2026-05", As: apitest.TenantAdmin}); p.Status != 422 || !strings.Contains(string(p.Body), `"/to"`) {
			t.Errorf("api bad period %d %s", p.Status, p.Body)
		}
	})
}
