package tests

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestBrowserBackForwardCache: a visitor going back to a public page gets
// it from Chromium's back/forward cache (issue 16: pages were no-store, and
// Chromium evicts such a page when the next one sets a cookie, as a first
// visit's CSRF cookie does) (tests/browser/bfcache.mjs).
func TestBrowserBackForwardCache(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	T := "/t/baerum"
	listing := e.FirstID("baerum", "listings", "status = 'published' AND visibility = 'public'")
	pages, _ := json.Marshal([]string{"/", T + "/", T + "/listings", T + "/listings/" + listing, T + "/map", T + "/statistics"})
	out, err := runNode(t, node, "bfcache.mjs", map[string]string{"PLATFORM": platform, "PAGES": string(pages), "AWAY": T + "/organizations",
		"SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")}).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("back/forward cache: %v", err)
	}
}
