package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestUsageAPI (K14): the region's usage as JSON, CSV and XLSX for its
// tenant admin, with the same numbers in each; a bad period is a 422
// naming the field (nothing else answered); another region's admin and
// Bærum's admin on another region get nothing of it.
func TestUsageAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 17.5)
		w.Received(w.Order, 12.25)
		e.Settle()
		T := "/api/v1/tenants/baerum"
		day := apitest.Now().Format("2006-01-02")
		q := "?from=" + apitest.Now().AddDate(0, 0, -1).Format("2006-01-02") + "&to=" + day
		r := e.Do(apitest.Request{Path: T + "/usage" + q, As: apitest.TenantAdmin})
		if r.Status != 200 {
			t.Fatalf("usage: %d %s", r.Status, r.Body)
		}
		var rep struct {
			Lines []struct {
				OrgName         string  `json:"org_name"`
				ProjectName     string  `json:"project_name"`
				Agreements      int     `json:"agreements"`
				DeliveredTonnes float64 `json:"delivered_tonnes"`
				Loads           int     `json:"loads"`
			} `json:"lines"`
			Total struct {
				Agreements      int     `json:"agreements"`
				AgreedTonnes    float64 `json:"agreed_tonnes"`
				DeliveredTonnes float64 `json:"delivered_tonnes"`
				Loads           int     `json:"loads"`
			} `json:"total"`
		}
		r.JSON(t, &rep)
		// One agreement of 400 t, two loads (29.75 t), counted for each party.
		if len(rep.Lines) != 2 || rep.Total.Agreements != 2 || rep.Total.AgreedTonnes != 800 || rep.Total.DeliveredTonnes != 59.5 || rep.Total.Loads != 4 {
			t.Fatalf("usage %+v", rep)
		}
		csv := e.Do(apitest.Request{Path: T + "/usage.csv" + q, As: apitest.TenantAdmin})
		if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.Body), "29,750") || !strings.Contains(string(csv.Body), "Sum;;;2;800,000;59,500;4") {
			t.Fatalf("csv: %d %s", csv.Status, csv.Body)
		}
		x := e.Do(apitest.Request{Path: T + "/usage.xlsx" + q, As: apitest.TenantAdmin})
		if x.Status != 200 {
			t.Fatalf("xlsx: %d", x.Status)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows("Forbruk")
		if err != nil || len(rows) != 4 || rows[3][1] != "Sum" || rows[3][7] != "4" {
			t.Fatalf("xlsx rows %v (%v)", rows, err)
		}
		for _, c := range []struct{ q, pointer string }{
			{"?from=2026-13-01", "/from"},
			{"?to=26.11.2026", "/to"},
			{"?from=" + day + "&to=2020-01-01", "/to"},
			{"?from=2001-01-01&to=2026-01-01", "/to"},
			{"?from=%27%3B--", "/from"},
		} {
			for _, path := range []string{"/usage", "/usage.csv", "/usage.xlsx"} {
				r := e.Do(apitest.Request{Path: T + path + c.q, As: apitest.TenantAdmin})
				if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+c.pointer+`"`) {
					t.Errorf("%s%s: %d %s", path, c.q, r.Status, r.Body)
				}
			}
		}
		for _, c := range []struct{ path, as string }{
			{"/api/v1/tenants/rogaland/usage", apitest.TenantAdmin},
			{T + "/usage", apitest.RogAdmin},
		} {
			if r := e.Do(apitest.Request{Path: c.path, As: c.as}); r.Status != 403 && r.Status != 404 {
				t.Errorf("%s as %s: %d %s", c.path, c.as, r.Status, r.Body)
			}
		}
		// Rogaland's admin reads Rogaland's usage: none of Bærum's.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/usage" + q, As: apitest.RogAdmin})
		if r.Status != 200 || strings.Contains(string(r.Body), "Fornebu") {
			t.Errorf("rogaland's usage: %d %s", r.Status, r.Body)
		}
	})
}
