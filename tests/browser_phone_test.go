package tests

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestBrowserPhoneWidth: at 390 px no page of a region scrolls sideways,
// the menu is a closed disclosure and wide tables fit; at 1280 px the menu
// is shown in full (tests/browser/phone.mjs).
func TestBrowserPhoneWidth(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	listing := e.FirstID("baerum", "listings", "status = ?", "published")
	site := e.FirstID("baerum", "sites", "")
	pages := []string{"/t/baerum/", "/t/baerum/listings", "/t/baerum/listings/" + listing, "/t/baerum/statistics", "/t/baerum/admin",
		"/t/baerum/live", "/t/baerum/map", "/t/baerum/organizations", "/t/baerum/sites", "/t/baerum/sites/" + site + "/plan", "/t/baerum/me"}
	pj, _ := json.Marshal(pages)
	cmd := runNode(t, node, "phone.mjs", map[string]string{"PLATFORM": platform, "PAGES": string(pj),
		"COOKIE": apitest.Cookie("admin@baerum-ressursbank.no"), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("phone-width checks failed: %v", err)
	}
}
