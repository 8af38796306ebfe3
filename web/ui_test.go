package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestUIForms(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		before := e.Count("baerum", "organizations", "")
		r := e.PostForm("/t/baerum/organizations/new", apitest.Member, url.Values{"org_number": {"12345"}, "kinds": {"lab"}, "description": {"Lab"}})
		body := string(r.Body)
		if r.Status != 422 || !strings.Contains(body, "Organisasjonsnummeret må ha 9 siffer.") || !strings.Contains(body, `aria-invalid="true"`) || !strings.Contains(body, ">Lab</textarea>") {
			t.Fatalf("form error: %d %.300s", r.Status, body)
		}
		r = e.PostForm("/t/baerum/organizations/new", apitest.Member, url.Values{"org_number": {"974760673"}, "kinds": {"lab"}, "lat": {"59,3293"}, "lon": {"18,0686"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Koordinatene ligger utenfor Norge.") {
			t.Fatalf("outside Norway: %d", r.Status)
		}
		if e.Count("baerum", "organizations", "") != before {
			t.Fatal("a refused form saved something")
		}
		r = e.PostForm("/t/baerum/organizations/new", apitest.Member, url.Values{"org_number": {"974760673"}, "kinds": {"lab"}})
		if r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "/t/baerum/organizations/") {
			t.Fatalf("register: %d %s", r.Status, r.Header.Get("Location"))
		}
		// Without a CSRF token the form is refused, with a localized page.
		v := url.Values{"org_number": {"974760673"}, "kinds": {"lab"}}
		r = e.Do(apitest.Request{Method: "POST", Path: "/t/baerum/organizations/new", As: apitest.Member, Body: []byte(v.Encode()), Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		if r.Status != 403 || !strings.Contains(string(r.Body), "Skjemaet er utløpt") {
			t.Fatalf("missing CSRF: %d", r.Status)
		}
		// Site form: negative quantity and reversed dates named in the form.
		org := e.OrgID("baerum", "sandvika-bygg")
		r = e.PostForm("/t/baerum/organizations/"+org+"/sites/new", apitest.Member, url.Values{"kind": {"project"}, "name": {"X"}, "phase": {"idea"}, "lat": {"59.9"}, "lon": {"10.5"},
			"expected_surplus_tonnes": {"-10"}, "planned_start": {apitest.YearString(4) + "-01-01"}, "planned_end": {apitest.YearString(3) + "-01-01"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Forventet overskudd (tonn) kan ikke være under null.") || !strings.Contains(string(r.Body), "Sluttdato kan ikke være før startdato.") {
			t.Fatalf("site form: %d", r.Status)
		}
		r = e.PostForm("/t/baerum/organizations/"+org+"/sites/new", apitest.Member, url.Values{"kind": {"project"}, "name": {"X"}, "phase": {"idea"}, "lat": {"abc"}, "lon": {"10.5"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Breddegrad: ventet et tall.") {
			t.Fatalf("non-numeric latitude: %d", r.Status)
		}
		// Contacts are hidden from visitors on the organization page.
		page := e.Do(apitest.Request{Path: "/t/baerum/organizations/" + e.OrgID("baerum", "fornebu-anlegg")})
		if strings.Contains(string(page.Body), "@example.no") || !strings.Contains(string(page.Body), "Kontaktpersoner vises når du er logget inn.") {
			t.Fatal("contacts shown to an anonymous visitor")
		}
		page = e.Do(apitest.Request{Path: "/t/baerum/organizations/" + e.OrgID("baerum", "fornebu-anlegg"), As: apitest.Member})
		if !strings.Contains(string(page.Body), "@example.no") {
			t.Fatal("contacts hidden from a logged-in user")
		}
		// Language: cookie set by /lang/en, then English.
		r = e.Do(apitest.Request{Path: "/lang/en?return_to=/t/baerum/"})
		if r.Status != 303 || !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), ";"), "lang=en") {
			t.Fatalf("lang: %d", r.Status)
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/organizations", Header: map[string]string{"Cookie": "lang=en"}})
		if !strings.Contains(string(r.Body), "Directory") || !strings.Contains(string(r.Body), `lang="en"`) {
			t.Fatal("English UI")
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/organizations?lang=nn"})
		if !strings.Contains(string(r.Body), "Aktørar") {
			t.Fatal("Nynorsk UI")
		}
		// htmx partial: only the results.
		r = e.Do(apitest.Request{Path: "/t/baerum/organizations?kind=quarry", Header: map[string]string{"HX-Request": "true"}})
		if strings.Contains(string(r.Body), "<html") || !strings.Contains(string(r.Body), "Vestmarka") {
			t.Fatalf("htmx partial: %.200s", r.Body)
		}
		// Security headers on every page.
		if h := r.Header; h.Get("Content-Security-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Request-Id") == "" {
			t.Fatalf("headers %v", h)
		}
		if h := e.Do(apitest.Request{Path: "/t/baerum/", Header: map[string]string{"X-Forwarded-Proto": "https"}}).Header; h.Get("Strict-Transport-Security") != "" {
			t.Fatal("HSTS from an untrusted proxy header")
		}
	})
}
