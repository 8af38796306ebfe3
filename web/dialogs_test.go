package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestDialogPages: "Ta kontakt" from a listing, the dialog with its
// messages (a plain form and htmx), unread first in the list and on
// "Mitt", the inbox, disclosure shown on the listing page, and refusals
// shown in the form.
func TestDialogPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", fornebu)
		// Visitors are asked to log in; another organization's member gets
		// the button; the owner does not.
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/listings/" + listing}).Body); !strings.Contains(b, "Logg inn for å ta kontakt") {
			t.Fatal("the public listing page does not offer to log in to make contact")
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/listings/" + listing, As: apitest.Member}).Body); !strings.Contains(b, "/t/baerum/dialogs/new?listing="+listing) {
			t.Fatal("no Ta kontakt for another organization's member")
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/listings/" + listing, As: apitest.OrgAdmin}).Body); strings.Contains(b, "/dialogs/new?listing="+listing) {
			t.Fatal("the owner is offered to contact itself")
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/organizations/" + fornebu, As: apitest.Member}).Body); !strings.Contains(b, "/t/baerum/dialogs/new?org="+fornebu) {
			t.Fatal("no Ta kontakt on the organization page")
		}
		r := e.Do(apitest.Request{Path: "/t/baerum/dialogs/new?org=" + fornebu, As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), `name="listing_id" value="`+listing+`"`) {
			t.Fatalf("contact from the organization page: %d", r.Status)
		}
		r = e.Do(apitest.Request{Path: "/t/baerum/dialogs/new?listing=" + listing, As: apitest.Member})
		if r.Status != 200 || !strings.Contains(string(r.Body), "Første melding") {
			t.Fatalf("contact form: %d %.300s", r.Status, r.Body)
		}
		// The owner's own listing: refused in the form, nothing written.
		r = e.PostForm("/t/baerum/dialogs", apitest.OrgAdmin, url.Values{"listing_id": {listing}, "text": {"Hei"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "din egen organisasjons annonse") {
			t.Fatalf("own listing: %d %.400s", r.Status, r.Body)
		}
		if e.Count("baerum", "dialogs", "") != 0 {
			t.Fatal("a refused contact opened a dialog")
		}
		r = e.PostForm("/t/baerum/dialogs", apitest.Member, url.Values{"listing_id": {listing}, "text": {"Hei! Er steinen ledig i mars? Blåbær & «sitat»"}})
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/t/baerum/dialogs/") {
			t.Fatalf("open: %d %s", r.Status, r.Header.Get("Location"))
		}
		dialog := r.Header.Get("Location")
		page := string(e.Do(apitest.Request{Path: dialog, As: apitest.Member}).Body)
		if !strings.Contains(page, "Blåbær &amp; «sitat»") || !strings.Contains(page, "Foreslå avtale") || strings.Contains(page, "Del nøyaktig plassering") {
			t.Fatalf("dialog page for the counterpart: %.2000s", page[strings.Index(page, "<main"):])
		}
		// Contact again: straight to the dialog.
		if r := e.Do(apitest.Request{Path: "/t/baerum/dialogs/new?listing=" + listing, As: apitest.Member}); r.Status != 303 || r.Header.Get("Location") != dialog {
			t.Fatalf("contact again: %d %s", r.Status, r.Header.Get("Location"))
		}
		// A message with htmx gets the thread back; an empty one its error.
		tok := e.CSRF("baerum", apitest.Member)
		r = e.Do(apitest.Request{Method: "POST", Path: dialog + "/messages", Body: []byte(url.Values{"_csrf": {tok}, "text": {"Vi kan hente selv."}}.Encode()),
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "Cookie": "mf_csrf=" + tok + "; " + apitest.Cookie(apitest.Member)}})
		if r.Status != 200 || !strings.Contains(string(r.Body), `id="thread"`) || !strings.Contains(string(r.Body), "Vi kan hente selv.") || strings.Contains(string(r.Body), "<html") {
			t.Fatalf("htmx post: %d %.500s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: dialog + "/messages", Body: []byte(url.Values{"_csrf": {tok}, "text": {" "}}.Encode()),
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "Cookie": "mf_csrf=" + tok + "; " + apitest.Cookie(apitest.Member)}})
		if r.Status != 200 || !strings.Contains(string(r.Body), "Melding må fylles ut.") || !strings.Contains(string(r.Body), `id="thread"`) {
			t.Fatalf("htmx empty message: %d %.500s", r.Status, r.Body)
		}
		r = e.PostForm(dialog+"/messages", apitest.Member, url.Values{"text": {"   "}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "Melding må fylles ut.") {
			t.Fatalf("empty message: %d %.300s", r.Status, r.Body)
		}
		// The owner sees it unread, first; reading clears it.
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/mitt", As: apitest.OrgAdmin}).Body); !strings.Contains(b, "Dialoger med uleste meldinger: 1") {
			t.Fatalf("Mitt: %.3000s", b)
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/dialogs", As: apitest.OrgAdmin}).Body); !strings.Contains(b, "2 ulest") {
			t.Fatal("the dialog list does not show the unread messages")
		}
		e.Settle()
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/inbox", As: apitest.OrgAdmin}).Body); !strings.Contains(b, "Ny melding fra") {
			t.Fatal("the inbox lacks the new message")
		}
		page = string(e.Do(apitest.Request{Path: dialog, As: apitest.OrgAdmin}).Body)
		if !strings.Contains(page, "Del nøyaktig plassering, mengde og pris") {
			t.Fatal("the owner is not offered to disclose")
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/dialogs", As: apitest.OrgAdmin}).Body); strings.Contains(b, "ulest") {
			t.Fatal("still unread after reading")
		}
		if r := e.PostForm(dialog+"/messages", apitest.OrgAdmin, url.Values{"text": {"Ja, fra uke 10."}}); r.Status != 303 {
			t.Fatalf("reply: %d", r.Status)
		}
		if b := string(e.Do(apitest.Request{Path: dialog, As: apitest.Member}).Body); !strings.Contains(b, "Sett av") {
			t.Fatal("the counterpart does not see who has seen its messages")
		}
		// Disclosure: the counterpart sees the listing as the owner does.
		if r := e.PostForm(dialog+"/disclosure", apitest.OrgAdmin, url.Values{"disclosed": {"1"}}); r.Status != 303 {
			t.Fatalf("disclose: %d", r.Status)
		}
		if r := e.PostForm(dialog+"/disclosure", apitest.Member, url.Values{"disclosed": {"0"}}); r.Status != 403 {
			t.Fatalf("the counterpart took the disclosure back: %d", r.Status)
		}
		if b := string(e.Do(apitest.Request{Path: dialog, As: apitest.Member}).Body); !strings.Contains(b, "har delt nøyaktig plassering, mengde og pris med dere") {
			t.Fatal("the counterpart is not told of the disclosure")
		}
		// The owner's listing page leads to its dialogs; another listing has none.
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/dialogs?listing=" + listing, As: apitest.OrgAdmin}).Body); !strings.Contains(b, dialog) {
			t.Fatal("the dialogs about the listing do not list it")
		}
		other := e.FirstID("baerum", "listings", "id <> ? AND status = 'published'", listing)
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/dialogs?listing=" + other, As: apitest.OrgAdmin}).Body); strings.Contains(b, dialog) {
			t.Fatal("the listing filter shows another listing's dialog")
		}
		// A supervisor sees that it exists, not what it says.
		b := string(e.Do(apitest.Request{Path: dialog, As: apitest.Supervisor}).Body)
		if !strings.Contains(b, "bare medlemmer av de to organisasjonene") || strings.Contains(b, "Vi kan hente selv") {
			t.Fatal("a supervisor sees the content")
		}
		// Mail preferences on the user's page.
		if r := e.PostForm("/t/baerum/me/mail-preferences", apitest.Member, url.Values{"mail": {"hourly"}}); r.Status != 422 {
			t.Fatalf("bad preference: %d", r.Status)
		}
		if r := e.PostForm("/t/baerum/me/mail-preferences", apitest.Member, url.Values{"mail": {"digest"}, "locale": {"nn"}}); r.Status != 303 {
			t.Fatalf("preference: %d", r.Status)
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/me", As: apitest.Member}).Body); !strings.Contains(b, `value="digest" checked`) {
			t.Fatal("the preference is not shown")
		}
		// The market filtered by owner.
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/listings?owner=" + fornebu, As: apitest.Member}).Body); strings.Contains(b, "Sandvika Bygg</td>") {
			t.Fatal("the owner filter shows another organization's listings")
		}
	})
}
