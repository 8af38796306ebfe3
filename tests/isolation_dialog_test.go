package tests

import (
	"net/url"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The dialogs' and notifications' share of the isolation suites: tenant
// A's (Bærum's) dialog with a message, an attachment, read state and a
// disclosure; a notification, a mail preference and a digest record; and
// tenant B's rows that reference A's through a tenant foreign key.

func init() {
	isolationParts = append(isolationParts, isolationPart{ids: dialogIDs, refs: dialogRefs,
		createdOnly: []string{"dialog_messages", "dialog_attachments", "dialog_disclosures", "inbox", "mail_digests"}})
}

func dialogIDs(t *testing.T, e *apitest.Env, ids map[string]string) {
	id, attachment := openDialog(e)
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/dialogs/" + id + "/disclosure", As: orgAdmin}); r.Status != 200 {
		t.Fatalf("disclose: %d %s", r.Status, r.Body)
	}
	if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/me/mail-preferences", As: member, Body: map[string]any{"mail": "digest"}}); r.Status != 200 {
		t.Fatalf("preferences: %d %s", r.Status, r.Body)
	}
	digest := &notify.Digest{ID: store.NewID(), UserID: e.User(member).ID, Day: "2030-01-01", CreatedAt: apitest.Now()}
	if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Create(digest).Error }); err != nil {
		t.Fatal(err)
	}
	ids["dialogs"] = id
	ids["attachments"] = attachment
	ids["dialog_attachments"] = attachment
	ids["dialog_messages"] = e.FirstID("baerum", "dialog_messages", "dialog_id = ?", id)
	ids["dialog_reads"] = e.FirstID("baerum", "dialog_reads", "dialog_id = ?", id)
	ids["dialog_disclosures"] = e.FirstID("baerum", "dialog_disclosures", "dialog_id = ?", id)
	ids["inbox"] = e.FirstID("baerum", "inbox", "")
	ids["mail_preferences"] = e.FirstID("baerum", "mail_preferences", "")
	ids["mail_digests"] = digest.ID
}

func dialogRefs(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
	now := apitest.Now().UTC()
	rogOrg := e.OrgID("rogaland", "forus")
	rogListing := e.FirstID("rogaland", "listings", "")
	user := e.User(member).ID
	refs["dialogs→listings"] = &dialog.Dialog{ID: store.NewID(), ListingID: ids["listings"], OwnerOrgID: rogOrg, CounterpartOrgID: rogOrg, CreatedAt: now, UpdatedAt: now}
	refs["dialogs→organizations"] = &dialog.Dialog{ID: store.NewID(), ListingID: rogListing, OwnerOrgID: rogOrg, CounterpartOrgID: ids["organizations"], CreatedAt: now, UpdatedAt: now}
	refs["dialog_messages→dialogs"] = &dialog.Message{ID: store.NewID(), DialogID: ids["dialogs"], Seq: 99, AuthorID: user, AuthorOrgID: rogOrg, Text: "x", CreatedAt: now}
	refs["dialog_attachments→dialog_messages"] = &dialog.Attachment{ID: store.NewID(), DialogID: ids["dialogs"], MessageID: ids["dialog_messages"], Filename: "x.png", ContentType: "image/png", Size: 1, SHA256: "x", BlobKey: "x", CreatedAt: now}
	refs["dialog_reads→dialogs"] = &dialog.Read{ID: store.NewID(), DialogID: ids["dialogs"], UserID: user, OrgID: rogOrg, LastSeq: 1, UpdatedAt: now}
	refs["dialog_disclosures→dialogs"] = &dialog.Disclosure{ID: store.NewID(), DialogID: ids["dialogs"], Disclosed: true, By: user, CreatedAt: now}
}

// TestDialogIsolationUI: tenant B's admin and the platform's superadmin,
// with a valid CSRF token, reach none of tenant A's dialogs, attachments or
// notifications through B's pages and API, and change nothing of A's.
func TestDialogIsolationUI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ids := map[string]string{}
		dialogIDs(t, e, ids)
		e.Settle() // the disclosure's event is delivered: the outbox is still
		before := fingerprint(t, e, "baerum")
		for _, as := range []string{rogAdmin, platform} {
			for _, p := range []string{"/dialogs/" + ids["dialogs"] + "/messages", "/dialogs/" + ids["dialogs"] + "/disclosure", "/inbox/" + ids["inbox"] + "/read"} {
				if r := e.PostForm("/t/rogaland"+p, as, url.Values{"text": {"x"}, "disclosed": {"1"}}); r.Status != 404 && r.Status != 403 {
					t.Errorf("UI POST %s as %s: %d, want 404 (or 403 where B's role may not write)", p, as, r.Status)
				}
			}
			if r := e.PostForm("/t/rogaland/dialogs", as, url.Values{"listing_id": {e.FirstID("baerum", "listings", "")}}); r.Status < 400 {
				t.Errorf("UI contact about A's listing as %s: %d", as, r.Status)
			}
			for _, p := range []string{"/t/rogaland/dialogs/" + ids["dialogs"], "/api/v1/tenants/rogaland/dialogs/" + ids["dialogs"], "/api/v1/tenants/rogaland/attachments/" + ids["attachments"]} {
				if r := e.Do(apitest.Request{Path: p, As: as}); r.Status != 404 {
					t.Errorf("GET %s as %s: %d, want 404", p, as, r.Status)
				}
			}
		}
		after := fingerprint(t, e, "baerum")
		for k, v := range before {
			if after[k] != v {
				t.Errorf("tenant A's %s changed", k)
			}
		}
	})
}
