package tests

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// browserPage is one UI page the axe check opens, as a visitor (As "") or
// as a fixture user.
type browserPage struct {
	Path string `json:"path"`
	As   string `json:"as"`
}

// TestBrowserEveryPageAxe: axe-core (WCAG 2.0 and 2.1, A and AA) finds no
// violation on any UI page, at 390 px (a phone) and 1280 px, for a visitor
// and for the user each page is for (tests/browser/pages.mjs).
func TestBrowserEveryPageAxe(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	e.Settle() // matches discovered: the owner's listing page shows them
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	T := "/t/baerum"
	fornebu, lysaker := e.OrgID("baerum", "fornebu-anlegg"), e.OrgID("baerum", "lysaker-transport")
	listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", fornebu)
	site := e.FirstID("baerum", "sites", "organization_id = ?", fornebu)
	project := e.FirstID("baerum", "sites", "organization_id = ? AND kind = 'project'", fornebu)
	vehicle := e.FirstID("baerum", "vehicles", "organization_id = ?", lysaker)
	if r := e.Do(apitest.Request{Path: T + "/listings/" + listing, As: apitest.OrgAdmin}); !strings.Contains(string(r.Body), `id="matches"`) || !strings.Contains(string(r.Body), `<table class="ds-table stack">`) {
		t.Fatalf("the owner's listing shows no matches to check: %d", r.Status)
	}
	var pages []browserPage
	// What anyone may see, as a visitor and as a member.
	for _, p := range []string{"/", "/listings", "/listings/" + listing, "/organizations", "/organizations/" + fornebu, "/organizations/" + lysaker,
		"/sites", "/sites/" + site, "/map", "/statistics", "/live"} {
		pages = append(pages, browserPage{Path: T + p}, browserPage{Path: T + p, As: apitest.Member})
	}
	pages = append(pages,
		// The owner's pages: a listing with its matches, forms, the plan, one's own page.
		browserPage{Path: T + "/listings/" + listing, As: apitest.OrgAdmin},
		browserPage{Path: T + "/listings/new", As: apitest.OrgAdmin},
		browserPage{Path: T + "/organizations/" + fornebu, As: apitest.OrgAdmin},
		browserPage{Path: T + "/organizations/" + fornebu + "/edit", As: apitest.OrgAdmin},
		browserPage{Path: T + "/organizations/new", As: apitest.OrgAdmin},
		browserPage{Path: T + "/organizations/" + fornebu + "/sites/new", As: apitest.OrgAdmin},
		browserPage{Path: T + "/organizations/" + fornebu + "/contacts/new", As: apitest.OrgAdmin},
		browserPage{Path: T + "/sites/" + project, As: apitest.OrgAdmin},
		browserPage{Path: T + "/sites/" + project + "/edit", As: apitest.OrgAdmin},
		browserPage{Path: T + "/sites/" + project + "/plan", As: apitest.OrgAdmin},
		browserPage{Path: T + "/me", As: apitest.OrgAdmin},
		browserPage{Path: T + "/me", As: apitest.Pending},
		// The transport company's vehicles.
		browserPage{Path: T + "/organizations/" + lysaker, As: apitest.Transporter},
		browserPage{Path: T + "/organizations/" + lysaker + "/vehicles/new", As: apitest.Transporter},
		browserPage{Path: T + "/vehicles/" + vehicle + "/edit", As: apitest.Transporter},
		// Administration.
		browserPage{Path: T + "/admin", As: apitest.TenantAdmin},
		browserPage{Path: T + "/admin/templates", As: apitest.TenantAdmin},
		browserPage{Path: T + "/admin/templates/default-delivery-nb", As: apitest.TenantAdmin},
		browserPage{Path: "/admin", As: apitest.Platform},
	)
	pages = append(pages, agreementPages(e, T)...) // tests/browser_agreement_test.go
	pages = append(pages, dialogPages(e, T)...)    // tests/browser_dialog_test.go
	pages = append(pages, transportPages(e, T)...) // tests/browser_transport_test.go
	pages = append(pages, billingPages(e, T)...)   // tests/authz_billing_test.go
	pages = append(pages, haulPages(e, T)...)      // tests/browser_haul_test.go
	pages = append(pages, usagePages(e, T)...)     // tests/browser_usage_test.go
	pages = append(pages, climatePages(e, T)...)   // tests/browser_climate_test.go
	pages = append(pages, reportPages(e, T)...)    // tests/browser_report_test.go
	cookies := map[string]string{}
	for _, p := range pages {
		if p.As != "" {
			name, value, _ := strings.Cut(apitest.Cookie(p.As), "=")
			cookies[p.As] = name + "\x00" + value
		}
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
