package tests

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// reportPages are the supervision package's pages for the axe check
// (issue 14): the supervisors' reports page, and the download form on a
// project's and an organization's page.
func reportPages(e *apitest.Env, T string) []browserPage {
	project := e.FirstID("baerum", "sites", "name = ?", "E18 Vestkorridoren, Ramstadsletta–Nesbru")
	fornebu := e.OrgID("baerum", "fornebu-anlegg")
	return []browserPage{
		{Path: T + "/reports", As: apitest.Supervisor},
		{Path: T + "/reports?from=" + apitest.Day(-60) + "&to=" + apitest.Day(0), As: apitest.TenantAdmin},
		{Path: T + "/sites/" + project, As: apitest.Supervisor},
		{Path: T + "/organizations/" + fornebu, As: apitest.Member},
	}
}

// TestBrowserReportPages: the supervision package's pages alone through
// axe at 390 and 1280 px (TestBrowserEveryPageAxe runs them with the rest).
func TestBrowserReportPages(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	pages := reportPages(e, "/t/baerum")
	cookies := map[string]string{}
	for _, p := range pages {
		name, value, _ := strings.Cut(apitest.Cookie(p.As), "=")
		cookies[p.As] = name + "\x00" + value
	}
	pj, _ := json.Marshal(pages)
	cj, _ := json.Marshal(cookies)
	cmd := runNode(t, node, "pages.mjs", map[string]string{"PLATFORM": platform, "PAGES": string(pj), "COOKIES": string(cj), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("axe found violations: %v", err)
	}
}
