package web_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The download form: a package streams as a ZIP; a bad period shows the
// period form again with the field's message (422).
func TestReportDownloadUI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		project := e.FirstID("baerum", "sites", "name = ?", "E18 Vestkorridoren, Ramstadsletta–Nesbru")
		T := "/t/baerum/sites/" + project
		if r := e.Do(apitest.Request{Path: T, As: apitest.Supervisor}); r.Status != 200 || !strings.Contains(string(r.Body), T+"/report-package") {
			t.Fatalf("project page: %d", r.Status)
		}
		r := e.Do(apitest.Request{Path: T + "/report-package", As: apitest.Supervisor})
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" || len(r.Body) < 100 || string(r.Body[:2]) != "PK" {
			t.Fatalf("download: %d %v", r.Status, r.Header)
		}
		r = e.Do(apitest.Request{Path: T + "/report-package?from=" + apitest.Day(1) + "&to=" + apitest.Day(-3), As: apitest.Supervisor})
		if body := string(r.Body); r.Status != 422 || !strings.Contains(body, `id="rto-err"`) || !strings.Contains(body, "Sluttdato kan ikke være før startdato") || !strings.Contains(body, T+"/report-package") {
			t.Fatalf("bad period: %d %s", r.Status, body)
		}
		r = e.Do(apitest.Request{Path: T + "/report-package?from=2026-13-01&to=" + apitest.Day(0), As: apitest.Supervisor})
		if r.Status != 422 || !strings.Contains(string(r.Body), "ÅÅÅÅ-MM-DD") {
			t.Fatalf("bad date: %d", r.Status)
		}
	})
}
