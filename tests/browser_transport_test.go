package tests

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// transportPages are the transport pages for the axe run: the overview of
// planned transports (map, week calendar, list), booking from a sealed
// agreement, a request as the transporter who answers it, an order, and
// the form that registers a plan.
func transportPages(e *apitest.Env, T string) []browserPage {
	ag, request, order, _ := transportWorld(e) // tests/authz_transport_test.go
	return []browserPage{
		{Path: T + "/transport"}, // the anonymised aggregate
		{Path: T + "/transport", As: apitest.Member},
		{Path: T + "/transport", As: apitest.Transporter},
		{Path: T + "/agreements/" + ag + "/transport", As: apitest.OrgAdmin},
		{Path: T + "/transport/requests/" + request, As: apitest.Transporter},
		{Path: T + "/transport/orders/" + order, As: apitest.Member},
		{Path: T + "/transport/planned/new", As: apitest.Transporter},
	}
}

// TestBrowserTransportAxe: axe-core on the transport pages alone, at 390
// and 1280 px (the full run is TestBrowserEveryPageAxe; this one is quick
// to rerun while working on them, with MASSEFLYT_SCREENSHOTS for shots).
func TestBrowserTransportAxe(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	pages := transportPages(e, "/t/baerum")
	cookies := map[string]string{}
	for _, p := range pages {
		if p.As == "" {
			continue
		}
		name, value, _ := strings.Cut(apitest.Cookie(p.As), "=")
		cookies[p.As] = name + "\x00" + value
	}
	pj, _ := json.Marshal(pages)
	cj, _ := json.Marshal(cookies)
	out, err := runNode(t, node, "pages.mjs", map[string]string{"PLATFORM": platform, "PAGES": string(pj), "COOKIES": string(cj), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")}).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("axe found violations: %v", err)
	}
}
