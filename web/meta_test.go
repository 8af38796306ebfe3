package web_test

import (
	"bytes"
	"html"
	"image"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

var (
	metaDescription = regexp.MustCompile(`<meta name="description" content="([^"]*)">`)
	themeHref       = regexp.MustCompile(`href="(/t/[a-z]+/theme\.css\?v=[^"]+)"`)
	logoSrc         = regexp.MustCompile(`src="(/api/v1/tenants/[a-z]+/logo\?v=[^"]+)"`)
)

// TestPortalPagesDescribed: every portal page has its own meta description
// in the visitor's language (issue 16: Lighthouse, search engines and link
// previews), and a visitor's page may be kept for the back/forward cache
// (no no-store) while a member's is never stored.
func TestPortalPagesDescribed(t *testing.T) {
	e := apitest.New(t, "sqlite")
	listing := e.FirstID("baerum", "listings", "status = 'published' AND visibility = 'public'")
	seen := map[string]string{}
	for _, p := range []string{"/", "/t/baerum/", "/t/baerum/listings", "/t/baerum/listings/" + listing, "/t/baerum/map", "/t/baerum/statistics", "/t/baerum/live", "/t/baerum/organizations"} {
		for _, lang := range []string{"nb", "nn", "en"} {
			r := e.Do(apitest.Request{Path: p, Header: map[string]string{"Cookie": "lang=" + lang}})
			m := metaDescription.FindSubmatch(r.Body)
			if r.Status != 200 || m == nil {
				t.Fatalf("%s (%s): %d, no meta description", p, lang, r.Status)
			}
			d := html.UnescapeString(string(m[1]))
			if len(d) < 40 || strings.Contains(d, "Meta") || (p != "/" && !strings.Contains(d, "Bærum")) {
				t.Errorf("%s (%s): description %q", p, lang, d)
			}
			if other, dup := seen[lang+d]; dup {
				t.Errorf("%s and %s share the description %q", p, other, d)
			}
			seen[lang+d] = p
			if cc := r.Header.Get("Cache-Control"); strings.Contains(cc, "no-store") || !strings.Contains(cc, "no-cache") {
				t.Errorf("%s for a visitor: Cache-Control %q", p, cc)
			}
		}
		if cc := e.Do(apitest.Request{Path: p, As: apitest.Member}).Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("%s for a member: Cache-Control %q", p, cc)
		}
	}
	if d := metaDescription.FindSubmatch(e.Do(apitest.Request{Path: "/t/baerum/live", Header: map[string]string{"Cookie": "lang=en"}}).Body); !strings.HasPrefix(string(d[1]), "Live from") {
		t.Errorf("live view in English: %q", d[1])
	}
}

// TestThemeAndLogoCachedByVersion: the region's stylesheet and logo, under
// the URL its pages use (a hash of what they are), are cached for a year;
// a new logo or new colours give a new URL; any other URL is cached
// briefly.
func TestThemeAndLogoCachedByVersion(t *testing.T) {
	e := apitest.New(t, "sqlite")
	tn := e.Tenant("rogaland")
	var logo bytes.Buffer
	_ = png.Encode(&logo, image.NewGray(image.Rect(0, 0, 40, 40)))
	if err := e.App.Tenants.SetLogo(e.Ctx("rogaland"), tn.ID, "image/png", logo.Bytes()); err != nil {
		t.Fatal(err)
	}
	urls := func() (string, string) {
		b := e.Do(apitest.Request{Path: "/t/rogaland/"}).Body
		th, lg := themeHref.FindSubmatch(b), logoSrc.FindSubmatch(b)
		if th == nil || lg == nil {
			t.Fatalf("page without theme or logo URL")
		}
		return html.UnescapeString(string(th[1])), html.UnescapeString(string(lg[1]))
	}
	theme, logoURL := urls()
	for _, u := range []string{theme, logoURL} {
		if cc := e.Do(apitest.Request{Path: u}).Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
	}
	for _, u := range []string{"/t/rogaland/theme.css", "/t/rogaland/theme.css?v=1", "/api/v1/tenants/rogaland/logo?v=1"} {
		if cc := e.Do(apitest.Request{Path: u}).Header.Get("Cache-Control"); strings.Contains(cc, "immutable") || !strings.HasPrefix(cc, "public") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
	}
	var other bytes.Buffer
	_ = png.Encode(&other, image.NewGray(image.Rect(0, 0, 41, 41)))
	if err := e.App.Tenants.SetLogo(e.Ctx("rogaland"), tn.ID, "image/png", other.Bytes()); err != nil {
		t.Fatal(err)
	}
	if _, l2 := urls(); l2 == logoURL {
		t.Error("a new logo kept the logo's URL")
	}
	if cc := e.Do(apitest.Request{Path: logoURL}).Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("the old logo URL still immutable: %q", cc)
	}
}
