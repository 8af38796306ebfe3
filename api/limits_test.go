package api_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestCookieWritesNeedSameOriginM10: an API write authenticated by a
// session cookie must come from the same origin (Sec-Fetch-Site or an
// allowed Origin); a cross-site one is refused with 403 problem+json. A
// bearer token's writes are unaffected.
func TestCookieWritesNeedSameOriginM10(t *testing.T) {
	e := apitest.New(t, "sqlite")
	contacts := "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "sandvika-bygg") + "/contacts"
	write := func(h map[string]string, token string) *apitest.Response {
		req := apitest.Request{Method: "POST", Path: contacts, Body: map[string]any{"name": "Per Hansen"}, Header: h}
		if token != "" {
			req.Token = token
		} else {
			req.As = apitest.Member
		}
		return e.Do(req)
	}
	for name, h := range map[string]map[string]string{
		"cross-site":              {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"same-site, other origin": {"Sec-Fetch-Site": "same-site", "Origin": "http://evil.masseflyt.test"},
		"no Origin, cross-site":   {"Sec-Fetch-Site": "cross-site"},
		"Origin null":             {"Origin": "null"},
		"another region's domain": {"Origin": "https://trondelag.masseflyt.test"},
	} {
		apitest.Problem(t, write(h, ""), 403, "cross_origin")
		_ = name
	}
	for name, h := range map[string]map[string]string{
		"Sec-Fetch-Site same-origin": {"Sec-Fetch-Site": "same-origin"},
		"own origin":                 {"Origin": "http://example.com"},
		"region's subdomain":         {"Origin": "https://baerum.masseflyt.test"},
	} {
		if r := write(h, ""); r.Status != 201 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	tok := e.Token("baerum", apitest.Member, "read", "write")
	if r := write(map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, tok); r.Status != 201 {
		t.Errorf("a bearer token's cross-site write: %d %s", r.Status, r.Body)
	}
}

// TestPersonalAnswersNotCachedL9: an API answer to a logged-in caller is
// private and not stored and varies by Cookie and Authorization; open data
// keeps its public caching.
func TestPersonalAnswersNotCachedL9(t *testing.T) {
	e := apitest.New(t, "sqlite")
	tok := e.Token("baerum", apitest.Member, "read")
	for _, r := range []*apitest.Response{
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/me", As: apitest.Member}),
		e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/listings", Token: tok}),
	} {
		if cc := r.Header.Get("Cache-Control"); r.Status != 200 || cc != "private, no-store" {
			t.Errorf("%d, Cache-Control %q", r.Status, cc)
		}
		vary := strings.Join(r.Header.Values("Vary"), ",")
		if !strings.Contains(vary, "Cookie") || !strings.Contains(vary, "Authorization") {
			t.Errorf("Vary %q", vary)
		}
	}
	for _, as := range []string{"", apitest.Member} {
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/feed/listings", As: as})
		if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
			t.Errorf("the open feed (as %q): Cache-Control %q", as, cc)
		}
	}
}

// TestFeedLinkBaseL7: the feed's links use the configured public URL, or
// the region's own host; a made-up Host header gives relative links.
func TestFeedLinkBaseL7(t *testing.T) {
	e := apitest.New(t, "sqlite")
	feed := func(a *app.App, host string) string {
		req := httptest.NewRequest("GET", "/api/v1/tenants/baerum/feed/listings", nil)
		req.Host = host
		resp, err := a.Fiber.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("feed on %s: %d %s", host, resp.StatusCode, b)
		}
		return string(b)
	}
	for i := 0; i < 4; i++ { // the old rule: the first three hosts decided
		if b := feed(e.App, "evil"+string(rune('a'+i))+".example"); strings.Contains(b, "evil") || !strings.Contains(b, `"url":"/t/baerum/listings/`) {
			t.Fatalf("a made-up host reached the feed's links: %.300s", b)
		}
	}
	if b := feed(e.App, "baerum.masseflyt.test"); !strings.Contains(b, `"url":"http://baerum.masseflyt.test/t/baerum/listings/`) {
		t.Errorf("the region's own host: %.300s", b)
	}
	pub := e.Variant(func(c *app.Config) { c.PublicURL = "https://masseflyt.example/" }, app.Options{})
	if b := feed(pub, "evil.example"); !strings.Contains(b, `"url":"https://masseflyt.example/t/baerum/listings/`) {
		t.Errorf("the public URL: %.300s", b)
	}
}
