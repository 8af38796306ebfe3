package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/report"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// The supervision package over HTTP: streamed as a ZIP that verifies; bad
// periods are 422 with the field's pointer; an unknown scope 404.
func TestReportPackageAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		w.Received(w.Order, 17)
		e.Settle()
		T := "/api/v1/tenants/baerum/reports/projects/" + w.FornebuSite
		period := "?from=" + apitest.Day(-1) + "&to=" + apitest.Day(1)
		r := e.Do(apitest.Request{Path: T + "/package" + period, As: apitest.Supervisor})
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" || !strings.Contains(r.Header.Get("Content-Disposition"), "tilsynspakke-e18-vestkorridoren") {
			t.Fatalf("package: %d %v", r.Status, r.Header)
		}
		v, err := report.VerifyPackage(bytes.NewReader(r.Body), int64(len(r.Body)))
		if err != nil || !v.Signed || v.Chains != 1 {
			t.Fatalf("verify: %v %+v", err, v)
		}
		if r := e.Do(apitest.Request{Path: T + period, As: apitest.Member}); r.Status != 200 || !strings.Contains(string(r.Body), `"accepted_tonnes":17`) {
			t.Fatalf("summary: %d %s", r.Status, r.Body)
		}
		for _, c := range []struct{ query, pointer string }{
			{"?from=" + apitest.Day(1) + "&to=" + apitest.Day(-1), "/to"},
			{"?from=" + apitest.Day(-2000) + "&to=" + apitest.Day(1), "/to"},
			{"?from=01.01.2026&to=" + apitest.Day(1), "/from"},
			{"?to=" + apitest.Day(1), "/from"},
		} {
			for _, path := range []string{T, T + "/loads", T + "/package"} {
				r := e.Do(apitest.Request{Path: path + c.query, As: apitest.Supervisor})
				if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"`+c.pointer+`"`) {
					t.Fatalf("%s%s: %d %s", path, c.query, r.Status, r.Body)
				}
			}
		}
		other := e.FirstID("trondelag", "sites", "kind = ?", "project")
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/reports/projects/" + other + "/package", As: apitest.Supervisor}); r.Status != 404 {
			t.Fatalf("another region's project: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/reports/organizations/" + w.Fornebu + "/package", As: apitest.Member}); r.Status != 403 {
			t.Fatalf("a non-member: %d", r.Status)
		}
	})
}
