package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

func csrfCookie(t *testing.T, h http.Header) string {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "mf_csrf" {
			return c.Value
		}
	}
	return ""
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCSRFCostsNoMemoryH1: page requests without the mf_csrf cookie each
// get a fresh token, and the server keeps nothing for them: 10 000 such
// requests leave the heap where it was (the old token store kept every
// token for four hours).
func TestCSRFCostsNoMemoryH1(t *testing.T) {
	e := apitest.New(t, "sqlite")
	get := func() string {
		resp, err := e.App.Fiber.Test(httptest.NewRequest("GET", "/t/baerum/theme.css", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return csrfCookie(t, resp.Header)
	}
	for i := 0; i < 500; i++ { // warm up pools and caches
		get()
	}
	before := heapInUse()
	seen := map[string]bool{}
	const n = 10000
	for i := 0; i < n; i++ {
		tok := get()
		if tok == "" {
			t.Fatal("no token")
		}
		if i < 100 {
			if seen[tok] {
				t.Fatal("a token was handed out twice")
			}
			seen[tok] = true
		}
	}
	seen = nil
	after := heapInUse()
	grew := int64(after) - int64(before)
	t.Logf("%d cookieless requests: heap %+d KB", n, grew>>10)
	if grew > 768<<10 {
		t.Fatalf("%d cookieless page requests kept %d KB on the heap", n, grew>>10)
	}
}

// TestCSRFTokenBoundToSessionM10: a form token is accepted only with the
// session it was minted for: one from another user, from the visitor
// before logging in, signed with another key, or without its cookie is
// refused.
func TestCSRFTokenBoundToSessionM10(t *testing.T) {
	e := apitest.New(t, "sqlite")
	post := func(as, cookieTok, fieldTok string) int {
		t.Helper()
		cookie := apitest.Cookie(as)
		if cookieTok != "" {
			cookie = "mf_csrf=" + cookieTok + "; " + cookie
		}
		v := url.Values{"name": {"ci"}, "scopes": {"read"}, "_csrf": {fieldTok}}
		return e.Do(apitest.Request{Method: "POST", Path: "/t/baerum/me/tokens", Body: []byte(v.Encode()),
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}}).Status
	}
	mine := e.CSRF("baerum", apitest.Member)
	other := e.CSRF("baerum", apitest.OrgAdmin)
	visitor := e.CSRF("baerum", "")
	forged := strings.SplitN(mine, ".", 2)[0] + "." + strings.Repeat("A", 43)
	for _, c := range []struct {
		name          string
		cookie, field string
	}{
		{"another user's token", other, other},
		{"the visitor's token after logging in", visitor, visitor},
		{"a forged signature", forged, forged},
		{"no cookie", "", mine},
		{"a field that is not the cookie", mine, other},
		{"no field", mine, ""},
	} {
		if s := post(apitest.Member, c.cookie, c.field); s != 403 {
			t.Errorf("%s: %d, want 403", c.name, s)
		}
	}
	if s := post(apitest.Member, mine, mine); s == 403 {
		t.Errorf("the session's own token was refused")
	}
	// A page opened with a token from another session gets a new one.
	r := e.Do(apitest.Request{Path: "/t/baerum/", Header: map[string]string{"Cookie": "mf_csrf=" + visitor + "; " + apitest.Cookie(apitest.Member)}})
	if tok := csrfCookie(t, r.Header); tok == "" || tok == visitor {
		t.Errorf("a visitor's token was kept after login: %q", tok)
	}
	// …and one that belongs to the session is kept (no new cookie).
	r = e.Do(apitest.Request{Path: "/t/baerum/", Header: map[string]string{"Cookie": "mf_csrf=" + mine + "; " + apitest.Cookie(apitest.Member)}})
	if tok := csrfCookie(t, r.Header); tok != "" {
		t.Errorf("a valid token was replaced")
	}
}

// TestUIRateLimitH1: the UI is rate limited per client address, like the
// API (MASSEFLYT_UI_RATE_LIMIT).
func TestUIRateLimitH1(t *testing.T) {
	e := apitest.New(t, "sqlite")
	a := e.Variant(func(c *app.Config) { c.UIRateLimit = 3 }, app.Options{})
	for i := 1; i <= 4; i++ {
		resp, err := a.Fiber.Test(httptest.NewRequest("GET", "/t/baerum/theme.css", nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 200, false: 429}[i <= 3]; resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}

// TestPersonalPagesNotCachedL9: a logged-in user's pages are private and
// not stored, and every UI answer varies by cookie; public files keep their
// public caching.
func TestPersonalPagesNotCachedL9(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for _, p := range []string{"/t/baerum/me", "/t/baerum/", "/t/baerum/listings"} {
		r := e.Do(apitest.Request{Path: p, As: apitest.Member})
		if cc := r.Header.Get("Cache-Control"); r.Status != 200 || cc != "private, no-store" {
			t.Errorf("%s as a member: %d, Cache-Control %q", p, r.Status, cc)
		}
		if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Cookie") {
			t.Errorf("%s: Vary %q", p, r.Header.Values("Vary"))
		}
	}
	for _, as := range []string{"", apitest.Member} {
		r := e.Do(apitest.Request{Path: "/t/baerum/theme.css", As: as})
		if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
			t.Errorf("theme.css (as %q): Cache-Control %q", as, cc)
		}
	}
}

// TestLiveStreamsCappedM6: live-view streams are capped per client address
// (a further stream from the address replaces its oldest) and per region
// (beyond it 503 with Retry-After), and other regions' live views keep
// working.
func TestLiveStreamsCappedM6(t *testing.T) {
	e := apitest.New(t, "sqlite")
	open := func(t *testing.T, base, slug string) (*http.Response, func()) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/t/"+slug+"/live/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		return resp, func() { resp.Body.Close(); cancel() }
	}
	t.Run("per client", func(t *testing.T) {
		a := e.Variant(func(c *app.Config) { c.MaxLivePerClient, c.MaxLivePerTenant = 2, 0 }, app.Options{})
		base := apitest.Serve(t, a, "127.0.0.1")
		first, done := open(t, base, "baerum")
		defer done()
		second, done2 := open(t, base, "rogaland")
		defer done2()
		third, done3 := open(t, base, "trondelag")
		defer done3()
		if first.StatusCode != 200 || second.StatusCode != 200 || third.StatusCode != 200 {
			t.Fatalf("streams: %d %d %d", first.StatusCode, second.StatusCode, third.StatusCode)
		}
		// The address's oldest stream was ended for the newest.
		if _, err := io.ReadAll(first.Body); err != nil {
			t.Fatalf("the oldest stream was not ended: %v", err)
		}
		if n := a.Live.Clients(); n != 2 {
			t.Fatalf("%d streams from one address, want 2", n)
		}
	})
	t.Run("per region", func(t *testing.T) {
		a := e.Variant(func(c *app.Config) { c.MaxLivePerClient, c.MaxLivePerTenant = 0, 2 }, app.Options{})
		base := apitest.Serve(t, a, "127.0.0.1")
		for i := 0; i < 2; i++ {
			r, done := open(t, base, "baerum")
			defer done()
			if r.StatusCode != 200 {
				t.Fatalf("stream %d: %d", i, r.StatusCode)
			}
		}
		if r, done := open(t, base, "baerum"); r.StatusCode != 503 {
			done()
			t.Fatalf("a third stream for the region: %d", r.StatusCode)
		} else {
			done()
		}
		r, done := open(t, base, "rogaland")
		defer done()
		if r.StatusCode != 200 {
			t.Fatalf("another region's live view is blacked out: %d", r.StatusCode)
		}
	})
}
