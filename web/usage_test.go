package web_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestUsagePage (K14): the tenant admin's usage page shows each
// organization's project with its agreements, tonnes and loads, and links
// the CSV and XLSX of the same period; a bad period is the form again with
// the field's message and nothing else (422).
func TestUsagePage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 17.5)
		e.Settle()
		r := e.Do(apitest.Request{Path: "/t/baerum/admin/usage", As: apitest.TenantAdmin})
		body := string(r.Body)
		if r.Status != 200 {
			t.Fatalf("usage page: %d %s", r.Status, body)
		}
		for _, want := range []string{"Fornebu Anlegg AS", "Sandvika Bygg AS", "E18 Vestkorridoren, Ramstadsletta–Nesbru", "17,5", "/admin/usage.csv?from=", "/admin/usage.xlsx?from="} {
			if !strings.Contains(body, want) {
				t.Errorf("usage page lacks %q", want)
			}
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/admin/usage?from=2026-11-30&to=2026-11-01", As: apitest.TenantAdmin})
		body = string(r.Body)
		if r.Status != 422 || !strings.Contains(body, `id="uto-err"`) || !strings.Contains(body, `aria-invalid="true"`) || strings.Contains(body, "Fornebu Anlegg AS") {
			t.Errorf("bad period: %d %s", r.Status, body)
		}
		if r := e.Do(apitest.Request{Path: "/t/baerum/admin/usage", As: apitest.OrgAdmin}); r.Status != 403 {
			t.Errorf("an organization admin: %d", r.Status)
		}
	})
}
