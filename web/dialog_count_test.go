package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestDialogCountAfterHtmxReply: a message sent with htmx swaps the thread
// and, out of band, the page's message count, so it is not left stale; the
// full page carries the count once, without the out-of-band copy.
func TestDialogCountAfterHtmxReply(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", fornebu)
		r := e.PostForm("/t/baerum/dialogs", apitest.Member, url.Values{"listing_id": {listing}, "text": {"Er steinen ledig i mars?"}})
		if r.Status != 303 {
			t.Fatalf("open: %d", r.Status)
		}
		dialog := r.Header.Get("Location")
		page := string(e.Do(apitest.Request{Path: dialog, As: apitest.Member}).Body)
		if strings.Count(page, `id="dialog-count"`) != 1 || !strings.Contains(page, `<span id="dialog-count">Meldinger: 1</span>`) || strings.Contains(page, "hx-swap-oob") {
			t.Fatalf("dialog page's count: %.1500s", page[strings.Index(page, "<main"):])
		}
		tok := e.CSRF("baerum", apitest.Member)
		for i, c := range []struct{ text, want string }{
			{"Vi kan hente selv.", "Meldinger: 2"},
			{" ", "Meldinger: 2"}, // refused: the count stays
		} {
			r = e.Do(apitest.Request{Method: "POST", Path: dialog + "/messages", Body: []byte(url.Values{"_csrf": {tok}, "text": {c.text}}.Encode()),
				Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "Cookie": "mf_csrf=" + tok + "; " + apitest.Cookie(apitest.Member)}})
			if b := string(r.Body); r.Status != 200 || !strings.Contains(b, `<span id="dialog-count" hx-swap-oob="true">`+c.want+`</span>`) {
				t.Fatalf("reply %d: %d %.600s", i, r.Status, b)
			}
		}
	})
}
