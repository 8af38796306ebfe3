package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestFontVendoredAndCached: the typeface Designsystemet expects (Inter) is
// served from the app itself, never a font host. Every file the font's
// stylesheet names carries its current content hash, so it is cached for a
// year as a font; the page preloads the main weight by the very URL the
// stylesheet uses (one download), and its text falls back while it loads
// (font-display: swap).
func TestFontVendoredAndCached(t *testing.T) {
	e := apitest.New(t, "sqlite")
	page := string(e.Do(apitest.Request{Path: "/t/baerum/"}).Body)
	css := regexp.MustCompile(`href="(/static/vendor/inter/inter\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatalf("the page does not load the font's stylesheet by its hashed URL")
	}
	r := e.Do(apitest.Request{Path: css[1]})
	if r.Status != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("font stylesheet: %d %q", r.Status, r.Header.Get("Cache-Control"))
	}
	body := string(r.Body)
	if strings.Count(body, "font-display:swap") != strings.Count(body, "@font-face") || strings.Contains(body, "//") {
		t.Errorf("every face swaps in, and none comes from another host:\n%s", body)
	}
	urls := regexp.MustCompile(`url\(([^)?]+)\?v=([0-9a-f]+)\)`).FindAllStringSubmatch(body, -1)
	if len(urls) != 6 {
		t.Fatalf("want latin and latin-ext at 400, 500 and 600: %d faces", len(urls))
	}
	for _, u := range urls {
		path := "/static/vendor/inter/" + u[1] + "?v=" + u[2]
		f := e.Do(apitest.Request{Path: path})
		if f.Status != 200 || f.Header.Get("Content-Type") != "font/woff2" || !strings.Contains(f.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q %q (a stale hash in inter.css is cached for 5 minutes only)", path, f.Status, f.Header.Get("Content-Type"), f.Header.Get("Cache-Control"))
		}
		if strings.HasPrefix(u[1], "inter-latin-400-") && !strings.Contains(page, `<link rel="preload" href="`+path+`" as="font" type="font/woff2" crossorigin>`) {
			t.Errorf("the main weight is not preloaded by the stylesheet's URL %s", path)
		}
	}
	if lic := e.Do(apitest.Request{Path: "/static/vendor/inter/LICENSE"}); lic.Status != 200 || !strings.Contains(string(lic.Body), "SIL Open Font License") {
		t.Errorf("the font's licence is not beside it: %d", lic.Status)
	}
}
