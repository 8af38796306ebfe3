package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

var (
	nextLink  = regexp.MustCompile(`href="([^"]*cursor=[^"]*)"`)
	loadTitle = regexp.MustCompile(`Belastning \d{5}`)
)

// TestListPagesWalk: the market and site lists page by cursor like the API:
// following "Neste side" shows every listing once and ends; a broken cursor
// is a form error, not a silent first page.
func TestListPagesWalk(t *testing.T) {
	e := apitest.New(t, "sqlite")
	e.MarketLoad(300, 0)
	seen := map[string]bool{}
	path, pages := "/t/baerum/listings?kind=surplus", 0
	for path != "" && pages < 20 {
		r := e.Do(apitest.Request{Path: path})
		if r.Status != 200 {
			t.Fatalf("%s: %d", path, r.Status)
		}
		pages++
		for _, title := range loadTitle.FindAllString(string(r.Body), -1) {
			if seen[title] {
				t.Fatalf("%s shown twice", title)
			}
			seen[title] = true
		}
		path = ""
		if m := nextLink.FindStringSubmatch(string(r.Body)); m != nil {
			path = html.UnescapeString(m[1])
			if !strings.Contains(path, "kind=surplus") {
				t.Fatalf("the next page lost the filter: %s", path)
			}
		}
	}
	want := e.Count("baerum", "listings", "title LIKE 'Belastning%' AND kind = 'surplus'")
	if int64(len(seen)) != want || pages < 2 {
		t.Fatalf("walked %d pages, saw %d of %d load listings", pages, len(seen), want)
	}
	if r := e.Do(apitest.Request{Path: "/t/baerum/listings?cursor=%21%21"}); r.Status != 422 {
		t.Fatalf("broken cursor: %d", r.Status)
	}
	if r := e.Do(apitest.Request{Path: "/t/baerum/sites?cursor=%21%21"}); r.Status != 422 {
		t.Fatalf("broken site cursor: %d", r.Status)
	}
}

// TestTokenCannotManageTokensInTheUI: an API token on the UI is the token's
// principal too, and a token never lists or revokes tokens.
func TestTokenCannotManageTokensInTheUI(t *testing.T) {
	e := apitest.New(t, "sqlite")
	secret := e.Token("baerum", apitest.OrgAdmin, "read", "write")
	other := e.FirstID("baerum", "api_tokens", "")
	r := e.Do(apitest.Request{Path: "/t/baerum/me", Token: secret})
	if r.Status != 200 || strings.Contains(string(r.Body), "/me/tokens/"+other+"/revoke") {
		t.Fatalf("the page shows a token its tokens: %d", r.Status)
	}
	csrf := ""
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "mf_csrf="); ok {
			csrf = strings.SplitN(v, ";", 2)[0]
		}
	}
	r = e.Do(apitest.Request{Method: "POST", Path: "/t/baerum/me/tokens/" + other + "/revoke", Token: secret, Body: []byte("_csrf=" + csrf),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mf_csrf=" + csrf}})
	if r.Status != 403 {
		t.Fatalf("a token revoked a token: %d", r.Status)
	}
	if e.Count("baerum", "api_tokens", "id = ? AND revoked_at IS NULL", other) != 1 {
		t.Fatal("the token is revoked")
	}
}

// TestOpenRedirectsM11: the language switch and logout send back only to
// paths on this site (issue 10, M11; confirmed in Chromium before).
func TestOpenRedirectsM11(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for _, p := range []string{"/lang/en?return_to=/%5Cevil.example", "/auth/logout?return_to=/%09/evil.example", "/lang/nn?return_to=//evil.example", "/lang/en?return_to=https://evil.example"} {
		r := e.Do(apitest.Request{Path: p})
		if r.Status != 303 || r.Header.Get("Location") != "/" {
			t.Errorf("%s: %d to %q", p, r.Status, r.Header.Get("Location"))
		}
	}
	if r := e.Do(apitest.Request{Path: "/lang/en?return_to=/t/baerum/listings%3Fkind%3Dneed"}); r.Header.Get("Location") != "/t/baerum/listings?kind=need" {
		t.Errorf("a path on the site: %q", r.Header.Get("Location"))
	}
}
