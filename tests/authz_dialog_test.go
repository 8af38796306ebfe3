package tests

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/url"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The dialogs' rows of the authorization matrix (K11, B6), with the inbox
// and mail preferences. The target dialog is between Sandvika Bygg (Ola, a
// member, who made contact) and Fornebu Anlegg (Kari, org admin, the
// owner) about Fornebu's published surplus; Lars (transporter) is a third
// party; supervisors and tenant admins see that it exists, not what it
// says.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: dialogAPIRows, ui: dialogUIRows, targets: dialogTargets})
}

func dialogAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"GET", T + "/dialogs", nil, "ddoooooo"},
		{"POST", T + "/dialogs", map[string]any{"listing_id": "{listing}"}, "ddoobddd"},
		{"GET", T + "/dialogs/{dialog}", nil, "ddonoooo"},
		{"GET", T + "/dialogs/{dialog}/messages", nil, "ddonoddd"},
		{"POST", T + "/dialogs/{dialog}/messages", map[string]any{"text": "Hei"}, "ddonoddd"},
		{"POST", T + "/dialogs/{dialog}/attachments", nil, "ddbnbddd"},
		{"GET", T + "/attachments/{attachment}", nil, "ddonoddd"},
		{"POST", T + "/dialogs/{dialog}/read", nil, "ddonoddd"},
		{"GET", T + "/dialogs/{dialog}/disclosure", nil, "ddonoddd"},
		{"POST", T + "/dialogs/{dialog}/disclosure", nil, "dddnoddd"},
		{"DELETE", T + "/dialogs/{dialog}/disclosure", nil, "dddnoddd"},
		{"GET", T + "/inbox", nil, "dooooooo"},
		{"POST", T + "/inbox/{note}/read", nil, "dnnnonnn"},
		{"GET", T + "/me/mail-preferences", nil, "dooooooo"},
		{"PUT", T + "/me/mail-preferences", map[string]any{"mail": "digest", "locale": "nn"}, "dooooooo"},
	}
}

func dialogUIRows() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"POST", T + "/me/mail-preferences", form("mail", "digest", "locale", ""), "dooooooo"},
		{"GET", T + "/mitt", nil, "dooooooo"},
		{"GET", T + "/inbox", nil, "dooooooo"},
		{"POST", T + "/inbox/{note}/read", nil, "dnnnonnn"},
		{"GET", T + "/dialogs", nil, "ddoooooo"},
		{"GET", T + "/dialogs/new", nil, "ddnnnddn"}, // without ?listing= or ?org= there is nothing to contact: 404 past the guard
		{"POST", T + "/dialogs", form("listing_id", "{listing}"), "ddoobddd"},
		{"GET", T + "/dialogs/{dialog}", nil, "ddonoooo"},
		{"POST", T + "/dialogs/{dialog}/messages", form("text", "Hei"), "ddonoddd"},
		{"POST", T + "/dialogs/{dialog}/disclosure", form("disclosed", "1"), "dddnoddd"},
	}
}

// dialogTargets opens the target dialog (Ola to Kari about {listing}),
// posts an attachment in it, lets the outbox notify Kari, and has Kari read
// it, so that reading pages changes nothing.
func dialogTargets(e *apitest.Env, tg map[string]string) {
	id, attachment := openDialog(e)
	tg["dialog"], tg["attachment"] = id, attachment
	tg["note"] = e.FirstID("baerum", "inbox", "user_id = ?", e.User(orgAdmin).ID)
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/dialogs/" + id + "/read", As: orgAdmin}); r.Status != 204 {
		e.T.Fatalf("read: %d %s", r.Status, r.Body)
	}
}

// openDialog opens the dialog of Ola (Sandvika) with Fornebu about its
// published surplus through the API, posts a PNG in it, and returns the
// dialog's and the attachment's IDs once the outbox has notified Fornebu.
func openDialog(e *apitest.Env) (dialogID, attachmentID string) {
	listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", e.OrgID("baerum", "fornebu-anlegg"))
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/dialogs", As: member, Body: map[string]any{"listing_id": listing}})
	if r.Status != 200 {
		e.T.Fatalf("open dialog: %d %s", r.Status, r.Body)
	}
	var d struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		e.T.Fatal(err)
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("text", "Kart over hentestedet")
	fw, _ := w.CreateFormFile("file", "kart.png")
	_, _ = fw.Write([]byte(png1x1))
	_ = w.Close()
	r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/dialogs/" + d.ID + "/attachments", As: member, Body: b.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType()}})
	if r.Status != 201 {
		e.T.Fatalf("attachment: %d %s", r.Status, r.Body)
	}
	e.Settle() // the outbox notifies Fornebu's members
	return d.ID, e.FirstID("baerum", "dialog_attachments", "dialog_id = ?", d.ID)
}
