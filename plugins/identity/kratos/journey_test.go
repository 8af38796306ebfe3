package kratos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/invite"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/plugins/identity/kratos/kratostest"
)

// site is the platform served with identity.kratos against the fake Kratos,
// and a browser (cookie jar, following redirects across both).
type site struct {
	t    *testing.T
	app  *app.App
	url  string
	fake *kratostest.Fake
	jar  *cookiejar.Jar
	c    *http.Client
	logs *logBuffer
}

// logBuffer keeps the app's log lines (JSON) for the tests to read.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSite(t *testing.T, b string) *site {
	t.Helper()
	base := apitest.New(t, b)
	fake := kratostest.New("")
	t.Cleanup(fake.Close)
	logs := &logBuffer{}
	a := base.Variant(func(c *app.Config) {
		c.Identity = "identity.kratos"
		c.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": fake.URL}
	}, app.Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	u := apitest.Serve(t, a, "127.0.0.1")
	fake.UI = u
	s := &site{t: t, app: a, url: u, fake: fake, logs: logs}
	s.browser()
	return s
}

// browser starts a new browser (no cookies).
func (s *site) browser() {
	s.jar, _ = cookiejar.New(nil)
	s.c = &http.Client{Jar: s.jar}
}

type page struct {
	status int
	url    string
	body   string
}

func (s *site) get(path string, header ...string) page {
	s.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = s.url + path
	}
	req, _ := http.NewRequest("GET", target, nil)
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(req)
}

func (s *site) do(req *http.Request) page {
	s.t.Helper()
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(b)}
}

var formRe = regexp.MustCompile(`(?s)<form method="([^"]*)" action="([^"]*)" class="form auth-form" data-group="([^"]*)">(.*?)</form>`)
var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// submitRe is a form's first submit button: the browser sends its name and
// value (method=password, method=totp).
var submitRe = regexp.MustCompile(`<button type="submit" name="([^"]*)" value="([^"]*)"`)

// submit fills the page's form of group with fields (and its hidden
// inputs, the CSRF token among them) and posts it where the form says:
// to Kratos.
func (s *site) submit(p page, group string, fields ...string) page {
	s.t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
		if m[3] != group {
			continue
		}
		v := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[4], -1) {
			v.Set(h[1], html.UnescapeString(h[2]))
		}
		if b := submitRe.FindStringSubmatch(m[4]); b != nil {
			v.Set(b[1], html.UnescapeString(b[2]))
		}
		for i := 0; i+1 < len(fields); i += 2 {
			v.Set(fields[i], fields[i+1])
		}
		req, _ := http.NewRequest(strings.ToUpper(m[1]), html.UnescapeString(m[2]), strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		return s.do(req)
	}
	s.t.Fatalf("no %s form on %s:\n%s", group, p.url, p.body)
	return page{}
}

func (s *site) api(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, s.url+path, r)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", s.url)
	p := s.do(req)
	var out map[string]any
	_ = json.Unmarshal([]byte(p.body), &out)
	return p.status, out
}

func must(t *testing.T, p page, status int, want ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.url, p.status, status, p.body)
	}
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Fatalf("%s: no %q in\n%s", p.url, w, p.body)
		}
	}
}

func roles(t *testing.T, s *site) []any {
	t.Helper()
	st, me := s.api("GET", "/api/v1/tenants/baerum/me", nil)
	if st != 200 {
		t.Fatalf("me: %d %v", st, me)
	}
	r, _ := me["roles"].([]any)
	return r
}

func has(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestSelfServiceJourney: register through the platform's own pages, verify
// the address (which accepts the invitation waiting for it), log in, add
// TOTP, step up to AAL2, administer, make an admin token, log out.
func TestSelfServiceJourney(t *testing.T) {
	for _, b := range apitest.Backends(t) {
		t.Run(b, func(t *testing.T) {
			s := newSite(t, b)
			ctx := context.Background()
			baerum, _ := s.app.Tenants.BySlug("baerum")
			out, err := s.app.Invites.Grant(ctx, baerum.ID, "Ny.Tilsyn@Example.no", auth.RoleSupervisor, "test", "nb")
			if err != nil || !out.Invited() {
				t.Fatalf("invite: %+v %v", out, err)
			}

			// Register on the region's page: Kratos' flow, our UI and branding.
			p := s.get("/t/baerum/registration")
			must(t, p, 200, "<h1>Opprett konto</h1>", baerum.Name, `name="csrf_token"`, "Opprett konto med ID-porten", `action="`+s.fake.URL+`/self-service/registration?flow=`)
			p = s.submit(p, "password", "traits.email", "ny.tilsyn@example.no", "password", "et langt passord")
			must(t, p, 200, "Vi har sendt en e-post med en kode for å bekrefte adressen.")
			// Logged in, but the address is not verified: the invitation waits.
			if r := roles(t, s); has(r, auth.RoleSupervisor) {
				t.Fatalf("an unverified address claimed the invitation: %v", r)
			}
			if u, err := s.app.Users.ByEmail(ctx, "ny.tilsyn@example.no"); err != nil || u.Verified() {
				t.Fatalf("user before verification: %+v %v", u, err)
			}
			must(t, s.submit(p, "code", "code", "000000"), 200, "Koden er ugyldig eller allerede brukt.")
			p = s.submit(p, "code", "code", kratostest.VerifyCode)
			must(t, p, 200, "E-postadressen er bekreftet.")
			if r := roles(t, s); !has(r, auth.RoleSupervisor) {
				t.Fatalf("verified address did not receive the invited role: %v", r)
			}

			// Make them tenant admin (verified now: granted at once).
			if out, err := s.app.Invites.Grant(ctx, baerum.ID, "ny.tilsyn@example.no", auth.RoleTenantAdmin, "test", "nb"); err != nil || out.Invited() {
				t.Fatalf("grant: %+v %v", out, err)
			}
			// AAL1: no admin menu, a step-up offer instead, and the API says why.
			p = s.get("/t/baerum/admin")
			must(t, p, 403, "Bekreft med andre faktor", "/login?aal=aal2&amp;return_to=%2ft%2fbaerum%2fadmin")
			if strings.Contains(p.body, `href="/t/baerum/admin">`) {
				t.Fatal("admin menu shown at AAL1")
			}
			if st, prob := s.api("GET", "/api/v1/tenants/baerum/admin/settings", nil); st != 403 || prob["type"] != "urn:masseflyt:problem:second_factor_required" {
				t.Fatalf("admin API at AAL1: %d %v", st, prob)
			}

			// Settings: add TOTP (a wrong code first).
			p = s.get("/settings")
			must(t, p, 200, "Autentiseringsapp (TOTP)", `id="f-totp-totp-qr"`, "JBSWY3DPEHPK3PXP", "Legg til sikkerhetsnøkkel", `data-ory-trigger="oryWebAuthnRegistration"`)
			must(t, s.submit(p, "totp", "totp_code", "111111"), 200, "Koden er feil.")
			must(t, s.submit(p, "totp", "totp_code", kratostest.TOTPCode), 200, "Endringene er lagret.")

			// Step up, from the offer on the 403 page, back to the admin page.
			p = s.get("/login?aal=aal2&return_to=/t/baerum/admin")
			must(t, p, 200, "<h1>Bekreft med andre faktor</h1>", "Kode fra autentiseringsappen")
			must(t, s.submit(p, "totp", "totp_code", "999999"), 200, "Koden er feil.")
			p = s.submit(p, "totp", "totp_code", kratostest.TOTPCode)
			must(t, p, 200, `href="/t/baerum/admin">`)
			if !strings.HasSuffix(p.url, "/t/baerum/admin") {
				t.Fatalf("step-up returned to %s", p.url)
			}

			// An admin action at AAL2, and an admin token (≤ 30 days).
			if st, _ := s.api("POST", "/api/v1/tenants/baerum/admin/rules", map[string]any{"role": "member", "object": "contacts", "action": "write", "effect": "deny"}); st != 201 {
				t.Fatalf("admin action at AAL2: %d", st)
			}
			if st, prob := s.api("POST", "/api/v1/tenants/baerum/tokens", map[string]any{"name": "katalog", "scopes": []string{"admin"}, "expires_in_days": 31}); st != 422 {
				t.Fatalf("31-day admin token: %d %v", st, prob)
			}
			st, tok := s.api("POST", "/api/v1/tenants/baerum/tokens", map[string]any{"name": "katalog", "scopes": []string{"admin"}, "expires_in_days": 30})
			if st != 201 {
				t.Fatalf("admin token: %d %v", st, tok)
			}
			secret, _ := tok["secret"].(string)
			bearer := func(path string) int {
				req, _ := http.NewRequest("GET", s.url+path, nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if st := bearer("/api/v1/tenants/baerum/admin/settings"); st != 200 {
				t.Fatalf("admin token on its region's administration: %d", st)
			}
			// Every use of an admin token is logged, with the token.
			if logs := s.logs.String(); !strings.Contains(logs, `"msg":"admin token used"`) || !strings.Contains(logs, `"path":"/api/v1/tenants/baerum/admin/settings"`) {
				t.Fatal("no log of the admin token's use")
			}
			// Refused outside its region: 401 (a token is looked up in its
			// own region only) or 403.
			if st := bearer("/api/v1/platform/tenants"); st != 401 && st != 403 {
				t.Fatalf("admin token on the platform: %d", st)
			}
			if st := bearer("/api/v1/tenants/rogaland/admin/settings"); st != 401 && st != 403 {
				t.Fatalf("admin token in another region: %d", st)
			}

			// A role by e-mail to an address nobody verified: an invitation,
			// listed as pending, not "ugyldig verdi".
			st, list := s.api("POST", "/api/v1/tenants/baerum/admin/assignments", map[string]any{"email": "ukjent@example.no", "role": "supervisor"})
			if st != 201 || !strings.Contains(fmt.Sprint(list["items"]), "ukjent@example.no") || !strings.Contains(fmt.Sprint(list["items"]), "pending:true") {
				t.Fatalf("assignment by e-mail to an unknown address: %d %v", st, list)
			}

			// A revoked admin: refused at once, token and session alike.
			if ok, err := s.app.Invites.Revoke(ctx, baerum.ID, "ny.tilsyn@example.no", auth.RoleTenantAdmin, "test"); !ok || err != nil {
				t.Fatalf("revoke: %v %v", ok, err)
			}
			if st, prob := s.api("GET", "/api/v1/tenants/baerum/admin/settings", nil); st != 403 || prob["type"] != "urn:masseflyt:problem:forbidden" || !strings.Contains(fmt.Sprint(prob["title"]), "ikke") {
				t.Fatalf("revoked admin: %d %v", st, prob)
			}
			if st := bearer("/api/v1/tenants/baerum/admin/settings"); st != 403 {
				t.Fatalf("revoked admin's token: %d", st)
			}

			// Log out.
			p = s.get("/auth/logout?return_to=" + url.QueryEscape(s.url+"/t/baerum/"))
			must(t, p, 200)
			if st, _ := s.api("GET", "/api/v1/tenants/baerum/me", nil); st != 401 {
				t.Fatalf("me after logout: %d", st)
			}
		})
	}
}

// TestSelfServiceBadInput: expired and replayed flows, a CSRF mismatch, an
// unknown flow and a wrong password each get a clear Norwegian message and
// change nothing.
func TestSelfServiceBadInput(t *testing.T) {
	s := newSite(t, "sqlite")
	s.fake.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Password: "hemmelig passord", Verified: true})

	must(t, s.get("/login?flow=not-a-flow"), 400, "Vi fant ikke dette skjemaet.")
	must(t, s.get("/login?flow=00000000-0000-4000-a000-000000000000"), 404, "Vi fant ikke dette skjemaet.")

	p := s.get("/t/baerum/login")
	must(t, p, 200, "<h1>Logg inn</h1>", "Glemt passordet?")
	must(t, s.submit(p, "password", "identifier", "kari@example.no", "password", "feil"), 200, "Feil e-post eller passord.")

	// Another browser cannot open this browser's flow (CSRF cookie).
	flowURL := p.url
	s.browser()
	must(t, s.get(flowURL), 403, "Skjemaet kunne ikke bekreftes for denne nettleseren (CSRF)")

	// A forged CSRF token is refused by Kratos: our error page says why.
	p = s.get("/t/baerum/login")
	must(t, s.submit(p, "password", "identifier", "kari@example.no", "password", "hemmelig passord", "csrf_token", "forged"), 200, "Skjemaet kunne ikke bekreftes for denne nettleseren (CSRF).")
	if st, _ := s.api("GET", "/api/v1/tenants/baerum/me", nil); st != 401 {
		t.Fatalf("a forged form logged in: %d", st)
	}

	// A flow submitted twice: the second time is refused (a new flow, with
	// the message that it expired).
	p = s.get("/t/baerum/login")
	ok := s.submit(p, "password", "identifier", "kari@example.no", "password", "hemmelig passord")
	must(t, ok, 200)
	must(t, s.submit(p, "password", "identifier", "kari@example.no", "password", "hemmelig passord"), 200, "Innloggingen tok for lang tid. Prøv igjen.")

	// An expired flow: a clear message and a fresh start.
	s.browser()
	p = s.get("/t/baerum/login")
	s.fake.Expire()
	must(t, s.get(p.url), 410, "Skjemaet er utløpt", `href="/login"`)
}

// TestInvitationsStayInTheirRegion: an invitation to another region gives
// a role there only, and this region cannot see or withdraw it.
func TestInvitationsStayInTheirRegion(t *testing.T) {
	s := newSite(t, "sqlite")
	ctx := context.Background()
	rog, _ := s.app.Tenants.BySlug("rogaland")
	if _, err := s.app.Invites.Grant(ctx, rog.ID, "kari@example.no", auth.RoleSupervisor, "test", "nb"); err != nil {
		t.Fatal(err)
	}
	id := s.fake.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Verified: true})
	s.jar.SetCookies(mustURL(s.url), []*http.Cookie{{Name: kratostest.SessionCookie, Value: s.fake.Session(id.ID, "aal1"), Path: "/"}})
	if r := roles(t, s); has(r, auth.RoleSupervisor) {
		t.Fatalf("invitation to rogaland gave a role in baerum: %v", r)
	}
	u, err := s.app.Users.ByVerifiedEmail(ctx, "kari@example.no")
	if err != nil {
		t.Fatal(err)
	}
	if rs := s.app.Roles.UserRoles(u.ID, rog.ID); len(rs) != 1 || rs[0] != auth.RoleSupervisor {
		t.Fatalf("roles in rogaland: %v", rs)
	}
	baerum, _ := s.app.Tenants.BySlug("baerum")
	var inv invite.Invitation
	if err := s.app.DB.Read(store.WithTenant(ctx, rog.ID), func(tx *gorm.DB) error { return tx.Take(&inv).Error }); err != nil {
		t.Fatal(err)
	}
	if err := s.app.Invites.Withdraw(store.WithTenant(ctx, baerum.ID), inv.ID, "test"); err == nil {
		t.Fatal("baerum withdrew rogaland's invitation")
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

// TestKratosDownAndStepUp: with Kratos down public pages and open data
// answer, with a notice, and member pages get 503; a session Kratos wants
// stepped up (session_aal2_required) goes to the step-up, not anonymous.
func TestKratosDownAndStepUp(t *testing.T) {
	s := newSite(t, "sqlite")
	id := s.fake.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Verified: true, TOTP: true})
	s.jar.SetCookies(mustURL(s.url), []*http.Cookie{{Name: kratostest.SessionCookie, Value: s.fake.Session(id.ID, "aal1"), Path: "/"}})

	s.fake.Down.Store(true)
	must(t, s.get("/t/baerum/"), 200, "Innlogging er utilgjengelig akkurat nå.")
	if st, _ := s.api("GET", "/api/v1/tenants/baerum/listings", nil); st != 200 {
		t.Fatalf("open data with Kratos down: %d", st)
	}
	if st, prob := s.api("GET", "/api/v1/tenants/baerum/me", nil); st != 503 || prob["type"] != "urn:masseflyt:problem:identity_unavailable" {
		t.Fatalf("member API with Kratos down: %d %v", st, prob)
	}
	must(t, s.get("/t/baerum/me"), 503, "Innlogging er utilgjengelig akkurat nå.")
	s.fake.Down.Store(false)

	s.fake.WhoamiHighest = true
	must(t, s.get("/t/baerum/"), 200, "Innloggingen din venter på andre faktor.")
	if st, prob := s.api("GET", "/api/v1/tenants/baerum/me", nil); st != 403 || prob["type"] != "urn:masseflyt:problem:second_factor_required" {
		t.Fatalf("session_aal2_required on the API: %d %v", st, prob)
	}
	p := s.get("/t/baerum/me")
	must(t, p, 200, "<h1>Bekreft med andre faktor</h1>")
}

// TestSelfServiceLanguages: the self-service pages in nb, nn and en (the
// lang cookie the language menu sets), Kratos' node labels translated by
// their message IDs, in the region's branding.
func TestSelfServiceLanguages(t *testing.T) {
	s := newSite(t, "sqlite")
	id := s.fake.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Password: "hemmelig passord", Verified: true})
	baerum, _ := s.app.Tenants.BySlug("baerum")
	pages := []string{"login", "registration", "recovery", "verification", "settings"}
	for _, c := range []struct {
		lang string
		want [][]string // per page
	}{
		{"nb", [][]string{{"<h1>Logg inn</h1>", "Passord *</label>"}, {"<h1>Opprett konto</h1>", "Opprett konto med ID-porten"}, {"<h1>Glemt passord</h1>"}, {"<h1>Bekreft e-postadressen</h1>"}, {"<h1>Konto og sikkerhet</h1>", "Sikkerhetsnøkler"}}},
		{"nn", [][]string{{"<h1>Logg inn</h1>", "Passord *</label>"}, {"<h1>Opprett konto</h1>", "Opprett konto med ID-porten"}, {"<h1>Gløymt passord</h1>"}, {"<h1>Stadfest e-postadressa</h1>"}, {"<h1>Konto og tryggleik</h1>", "Tryggleiksnøklar"}}},
		{"en", [][]string{{"<h1>Log in</h1>", "Password *</label>"}, {"<h1>Create an account</h1>", "Create an account with ID-porten"}, {"<h1>Forgotten password</h1>"}, {"<h1>Verify your e-mail address</h1>"}, {"<h1>Account and security</h1>", "Security keys"}}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			s.browser()
			s.jar.SetCookies(mustURL(s.url), []*http.Cookie{{Name: "lang", Value: c.lang, Path: "/"}})
			for i, kind := range pages {
				if kind == "settings" {
					s.jar.SetCookies(mustURL(s.url), []*http.Cookie{{Name: kratostest.SessionCookie, Value: s.fake.Session(id.ID, "aal1"), Path: "/"}})
				}
				p := s.get("/t/baerum/" + kind)
				must(t, p, 200, append([]string{`<html lang="` + c.lang + `"`, baerum.Name}, c.want[i]...)...)
			}
		})
	}
}

var (
	sessionRowRe  = regexp.MustCompile(`(?s)<tr><td class="cell-main">([^<]*)</td>.*?name="session_id" value="([^"]*)"`)
	sessionFormRe = regexp.MustCompile(`<form method="post" action="([^"]*/settings/sessions)"[^>]*><input type="hidden" name="_csrf" value="([^"]*)"><input type="hidden" name="flow" value="([^"]*)">`)
)

// TestOtherSessions: the settings page lists the person's sessions on
// other devices (Kratos' GET /sessions) and logs out one or all of them
// (DELETE /sessions/{id}, DELETE /sessions) through the platform's form,
// which needs the platform's CSRF token; the ended sessions no longer
// authenticate, the current one stays.
func TestOtherSessions(t *testing.T) {
	s := newSite(t, "sqlite")
	id := s.fake.AddIdentity(kratostest.Identity{Email: "kari@example.no", Name: "Kari", Password: "hemmelig passord", Verified: true})
	phone := s.fake.SessionOn(id.ID, "aal1", "Firefox på iPhone")
	s.fake.SessionOn(id.ID, "aal2", "Chrome på Windows")
	s.fake.SessionOn(s.fake.AddIdentity(kratostest.Identity{Email: "ola@example.no", Name: "Ola", Verified: true}).ID, "aal1", "Olas Safari")
	s.jar.SetCookies(mustURL(s.url), []*http.Cookie{{Name: kratostest.SessionCookie, Value: s.fake.Session(id.ID, "aal1"), Path: "/"}})

	p := s.get("/t/baerum/settings")
	must(t, p, 200, "Innlogget på andre enheter", "Firefox på iPhone", "Chrome på Windows", "To faktorer", "192.0.2.10 (Oslo, NO)", "Logg ut alle andre enheter")
	if strings.Contains(p.body, "Olas Safari") {
		t.Fatal("another person's session listed")
	}
	rows := map[string]string{}
	for _, m := range sessionRowRe.FindAllStringSubmatch(p.body, -1) {
		rows[m[1]] = m[2]
	}
	form := sessionFormRe.FindStringSubmatch(p.body)
	if len(rows) != 2 || form == nil {
		t.Fatalf("rows %v, form %v", rows, form)
	}
	post := func(fields ...string) page {
		v := url.Values{}
		for i := 0; i+1 < len(fields); i += 2 {
			v.Set(fields[i], fields[i+1])
		}
		req, _ := http.NewRequest("POST", s.url+html.UnescapeString(form[1]), strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/html")
		return s.do(req)
	}
	phoneWorks := func() int {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/tenants/baerum/me", nil)
		req.Header.Set("X-Session-Token", phone)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// Without the platform's CSRF token, or without a session to name:
	// refused, nothing ended.
	must(t, post("_csrf", "forged", "session_id", rows["Firefox på iPhone"]), 403)
	must(t, post("_csrf", html.UnescapeString(form[2]), "session_id", "not-a-session"), 422)
	if st := phoneWorks(); st != 200 {
		t.Fatalf("the phone's session after refused posts: %d", st)
	}
	// One device, back to the same settings flow.
	p = post("_csrf", html.UnescapeString(form[2]), "flow", form[3], "session_id", rows["Firefox på iPhone"])
	must(t, p, 200, "1 innlogging(er) på andre enheter er logget ut.", "Chrome på Windows", "flow="+form[3])
	if strings.Contains(p.body, "Firefox på iPhone") {
		t.Fatal("the ended session is still listed")
	}
	if st := phoneWorks(); st != 401 {
		t.Fatalf("the ended session still authenticates: %d", st)
	}
	// All the others.
	p = post("_csrf", html.UnescapeString(form[2]), "flow", form[3], "all", "1")
	must(t, p, 200, "1 innlogging(er) på andre enheter er logget ut.", "Du er ikke logget inn på andre enheter.")
	if st, _ := s.api("GET", "/api/v1/tenants/baerum/me", nil); st != 200 {
		t.Fatalf("this browser's own session after logging out the others: %d", st)
	}
}
