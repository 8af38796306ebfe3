package api_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestDialogsAPI: the journey from a listing to a conversation through the
// API, its refusals as problem+json with JSON pointers, attachments, read
// state, the disclosure as the listing API shows it (B6), the inbox and
// the mail preferences. Every answer is checked against the OpenAPI
// document by the harness.
func TestDialogsAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		fornebu := e.OrgID("baerum", "fornebu-anlegg")
		listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published' AND price_nok_per_tonne IS NOT NULL AND price_public = ?", fornebu, false)
		r := e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs", As: apitest.OrgAdmin, Body: map[string]any{"listing_id": listing}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/listing_id"`) || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") {
			t.Fatalf("own listing: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs", As: apitest.Member, Body: map[string]any{"listing_id": e.FirstID("rogaland", "listings", "")}})
		if r.Status != 404 {
			t.Fatalf("another region's listing: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs", As: apitest.Member, Body: map[string]any{"listing_id": listing, "text": strings.Repeat("ø", 5001)}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/text"`) || e.Count("baerum", "dialogs", "") != 0 {
			t.Fatalf("huge first message: %d %s", r.Status, r.Body)
		}
		var d struct {
			ID, Side string
			Unread   int
		}
		price := func(as string) any {
			var l map[string]any
			e.Do(apitest.Request{Path: T + "/listings/" + listing, As: as}).JSON(t, &l)
			return l["price_nok_per_tonne"]
		}
		if p := price(apitest.Member); p != nil {
			t.Fatalf("a member sees a private price %v", p)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs", As: apitest.Member, Body: map[string]any{"listing_id": listing, "text": "Hei! Ledig i mars?"}})
		if r.Status != 200 {
			t.Fatalf("open: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &d)
		// A file that is not what its name says.
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		fw, _ := w.CreateFormFile("file", "kart.png")
		_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"))
		_ = w.Close()
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs/" + d.ID + "/attachments", As: apitest.Member, Body: b.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType()}})
		if r.Status != 415 || e.Count("baerum", "dialog_messages", "") != 1 {
			t.Fatalf("mismatched attachment: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs/" + d.ID + "/messages", As: apitest.Member, Body: map[string]any{"text": ""}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/text"`) {
			t.Fatalf("empty message: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs/" + d.ID + "/messages", As: apitest.Transporter, Body: map[string]any{"text": "Hei"}})
		if r.Status != 404 {
			t.Fatalf("a third organization: %d", r.Status)
		}
		// The owner has one unread message, then none.
		e.Do(apitest.Request{Path: T + "/dialogs/" + d.ID, As: apitest.OrgAdmin}).JSON(t, &d)
		if d.Side != "owner" || d.Unread != 1 {
			t.Fatalf("owner's view %+v", d)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs/" + d.ID + "/read", As: apitest.OrgAdmin}); r.Status != 204 {
			t.Fatalf("read: %d", r.Status)
		}
		e.Do(apitest.Request{Path: T + "/dialogs/" + d.ID, As: apitest.OrgAdmin}).JSON(t, &d)
		if d.Unread != 0 {
			t.Fatalf("unread after reading: %d", d.Unread)
		}
		var msgs struct {
			Items []struct {
				Text   string   `json:"text"`
				SeenBy []string `json:"seen_by"`
			} `json:"items"`
		}
		e.Do(apitest.Request{Path: T + "/dialogs/" + d.ID + "/messages", As: apitest.Member}).JSON(t, &msgs)
		if len(msgs.Items) != 1 || msgs.Items[0].Text != "Hei! Ledig i mars?" || len(msgs.Items[0].SeenBy) != 1 {
			t.Fatalf("messages %+v", msgs)
		}
		if r := e.Do(apitest.Request{Path: T + "/dialogs/" + d.ID + "/messages", As: apitest.Supervisor}); r.Status != 403 {
			t.Fatalf("a supervisor read the messages: %d", r.Status)
		}
		// Disclosure: the counterpart sees the price while it stands; a
		// third organization never.
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/dialogs/" + d.ID + "/disclosure", As: apitest.OrgAdmin}); r.Status != 200 {
			t.Fatalf("disclose: %d %s", r.Status, r.Body)
		}
		if p := price(apitest.Member); p == nil {
			t.Fatal("the counterpart does not see the disclosed price")
		}
		if p := price(apitest.Transporter); p != nil {
			t.Fatalf("a third organization sees the price %v", p)
		}
		if r := e.Do(apitest.Request{Method: "DELETE", Path: T + "/dialogs/" + d.ID + "/disclosure", As: apitest.OrgAdmin}); r.Status != 200 {
			t.Fatalf("revoke: %d", r.Status)
		}
		if p := price(apitest.Member); p != nil {
			t.Fatalf("the counterpart sees the price %v after it was taken back", p)
		}
		var hist struct{ Items []map[string]any }
		e.Do(apitest.Request{Path: T + "/dialogs/" + d.ID + "/disclosure", As: apitest.Member}).JSON(t, &hist)
		if len(hist.Items) != 2 {
			t.Fatalf("disclosure history %+v", hist)
		}
		// The inbox: the owner was told of the message.
		e.Settle()
		var inbox struct {
			Items []struct{ ID, Title, Link string }
		}
		e.Do(apitest.Request{Path: T + "/inbox", As: apitest.OrgAdmin}).JSON(t, &inbox)
		if len(inbox.Items) == 0 || !strings.HasPrefix(inbox.Items[0].Title, "Ny melding fra") || inbox.Items[0].Link != "/dialogs/"+d.ID {
			t.Fatalf("inbox %+v", inbox)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: T + "/inbox/" + inbox.Items[0].ID + "/read", As: apitest.Member}); r.Status != 404 {
			t.Fatalf("someone else's notification: %d", r.Status)
		}
		r = e.Do(apitest.Request{Method: "PUT", Path: T + "/me/mail-preferences", As: apitest.Member, Body: map[string]any{"mail": "weekly"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/mail"`) {
			t.Fatalf("bad preference: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "PUT", Path: T + "/me/mail-preferences", As: apitest.Member, Body: map[string]any{"mail": "digest", "locale": "en"}})
		if r.Status != 200 {
			t.Fatalf("preference: %d %s", r.Status, r.Body)
		}
	})
}
