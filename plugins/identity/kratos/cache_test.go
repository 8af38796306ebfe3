package kratos

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/plugins/identity/kratos/kratostest"
)

// The issue: 11,153 requests with made-up cookies cost 11,161 Kratos calls.
// An unknown cookie is asked once and then remembered negatively; many
// different made-up cookies from one client cost at most lookupsPerMinute
// calls; a valid session is asked once.
func TestSessionLookupsAreCachedAndLimited(t *testing.T) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	k := New(f.URL)
	ctx := context.Background()

	for i := 0; i < 1000; i++ {
		s, err := k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=made-up", ClientIP: "192.0.2.1"})
		if s != nil || err != nil {
			t.Fatalf("made-up cookie: %v %v", s, err)
		}
	}
	if n := f.Whoami.Load(); n != 1 {
		t.Fatalf("1000 requests with one made-up cookie cost %d Kratos calls, want 1", n)
	}

	for i := 0; i < 1000; i++ {
		_, _ = k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=made-up-" + strconv.Itoa(i), ClientIP: "192.0.2.2"})
	}
	if n := f.Whoami.Load() - 1; n != lookupsPerMinute {
		t.Fatalf("1000 different made-up cookies from one client cost %d calls, want %d", n, lookupsPerMinute)
	}

	id := f.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Verified: true})
	tok := f.Session(id.ID, "aal1")
	before := f.Whoami.Load()
	for i := 0; i < 500; i++ {
		s, err := k.Authenticate(ctx, auth.Credentials{CookieHeader: "lang=nb; ory_kratos_session=" + tok, ClientIP: "192.0.2.3"})
		if err != nil || s == nil || s.Subject != id.ID || !s.EmailVerified {
			t.Fatalf("valid session: %+v %v", s, err)
		}
	}
	if n := f.Whoami.Load() - before; n != 1 {
		t.Fatalf("500 requests with one valid session cost %d calls, want 1", n)
	}
	// Forget (a self-service page was shown: a login or step-up may follow)
	// asks Kratos every time for a while, so the new session shows at once.
	k.Forget(auth.Credentials{CookieHeader: "ory_kratos_session=" + tok})
	for i := 0; i < 2; i++ {
		_, _ = k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=" + tok, ClientIP: "192.0.2.3"})
	}
	if n := f.Whoami.Load() - before; n != 3 {
		t.Fatalf("after Forget: %d calls, want 3", n)
	}
	// The cache never holds the cookie itself.
	for key := range k.cache.entries {
		if key == tok || len(key) != 64 {
			t.Fatalf("cache key %q is not a hash", key)
		}
	}
}

// Kratos down: an error (the app then serves public pages anonymously),
// never cached, so the next request asks again.
func TestKratosDownIsNotCached(t *testing.T) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	k := New(f.URL)
	f.Down.Store(true)
	creds := auth.Credentials{CookieHeader: "ory_kratos_session=x", ClientIP: "192.0.2.9"}
	if _, err := k.Authenticate(context.Background(), creds); !errors.Is(err, auth.ErrProviderUnavailable) {
		t.Fatalf("down: %v, want ErrProviderUnavailable", err)
	}
	f.Down.Store(false)
	if s, err := k.Authenticate(context.Background(), creds); err != nil || s != nil {
		t.Fatalf("up again: %v %v", s, err)
	}
	if n := f.Whoami.Load(); n != 1 { // the 503 answered without counting
		t.Fatalf("whoami calls %d, want 1", n)
	}
}

// session_aal2_required (whoami demanding the highest AAL) is a step-up,
// not "no session".
func TestSessionAAL2RequiredIsStepUp(t *testing.T) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	f.WhoamiHighest = true
	k := New(f.URL)
	id := f.AddIdentity(kratostest.Identity{Email: "admin@example.no", Verified: true, TOTP: true})
	s, err := k.Authenticate(context.Background(), auth.Credentials{SessionToken: f.Session(id.ID, "aal1")})
	if !errors.Is(err, auth.ErrStepUpRequired) || s != nil {
		t.Fatalf("aal1 with TOTP: %v %v, want ErrStepUpRequired", s, err)
	}
	s, err = k.Authenticate(context.Background(), auth.Credentials{SessionToken: f.Session(id.ID, "aal2")})
	if err != nil || s == nil || s.AAL != auth.AAL2 {
		t.Fatalf("aal2: %+v %v", s, err)
	}
}

// Only an address Kratos verified counts.
func TestVerifiedAddress(t *testing.T) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	k := New(f.URL)
	id := f.AddIdentity(kratostest.Identity{Email: "ny@example.no"})
	s, err := k.Authenticate(context.Background(), auth.Credentials{SessionToken: f.Session(id.ID, "aal1")})
	if err != nil || s == nil || s.EmailVerified {
		t.Fatalf("unverified identity: %+v %v", s, err)
	}
}

// BenchmarkMadeUpCookies: requests with made-up session cookies from a
// few clients, and a valid session, as the load test sent them
// (11,153 requests gave 11,161 Kratos calls). Reports Kratos calls per
// request (docs/PERFORMANCE.md).
func BenchmarkMadeUpCookies(b *testing.B) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	k := New(f.URL)
	id := f.AddIdentity(kratostest.Identity{Email: "kari@example.no", Verified: true})
	valid := "ory_kratos_session=" + f.Session(id.ID, "aal1")
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		creds := auth.Credentials{CookieHeader: "ory_kratos_session=made-up-" + strconv.Itoa(i%5000), ClientIP: "192.0.2." + strconv.Itoa(i%4)}
		if i%10 == 0 {
			creds.CookieHeader = valid
		}
		_, _ = k.Authenticate(ctx, creds)
	}
	b.ReportMetric(float64(f.Whoami.Load())/float64(b.N), "kratos-calls/req")
}

// TestSelfServicePagesCannotFloodTheCache: self-service pages drop the
// cached answer of whatever credentials a visitor sends; made-up cookies
// sent to them keep at most maxBypass bypass entries and never wipe the
// cached sessions of others.
func TestSelfServicePagesCannotFloodTheCache(t *testing.T) {
	c := newSessionCache()
	good := cacheKey("", "ory_kratos_session=good")
	c.put(good, &auth.Session{Subject: "kratos:good"}, nil, time.Minute)
	for i := 0; i < maxEntries+10; i++ {
		c.forget(cacheKey("", "ory_kratos_session=made-up-"+strconv.Itoa(i)))
	}
	bypass := 0
	for _, e := range c.entries {
		if e.bypass {
			bypass++
		}
	}
	if bypass > maxBypass {
		t.Fatalf("%d bypass entries, cap %d", bypass, maxBypass)
	}
	// New answers are cached again, and the good session survived.
	for i := 0; i < 100; i++ {
		c.put(cacheKey("", "other-"+strconv.Itoa(i)), nil, errors.New("unknown"), time.Minute)
	}
	if s, _, ok := c.get(good); !ok || s == nil || s.Subject != "kratos:good" {
		t.Fatalf("the cached session of another visitor was lost: %v %v", s, ok)
	}
}
