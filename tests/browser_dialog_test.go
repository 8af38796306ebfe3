package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// dialogPages are the dialogs' pages for the axe run: the list, a dialog
// for each of its parties and for a supervisor, "Ta kontakt", "Mitt" and
// the inbox.
func dialogPages(e *apitest.Env, T string) []browserPage {
	id, _ := openDialog(e) // tests/authz_dialog_test.go
	fornebu := e.OrgID("baerum", "fornebu-anlegg")
	listing := e.FirstID("baerum", "listings", "status = 'published' AND organization_id NOT IN ?", []string{fornebu, e.OrgID("baerum", "sandvika-bygg")})
	return []browserPage{
		{Path: T + "/dialogs", As: apitest.OrgAdmin},
		{Path: T + "/dialogs/" + id, As: apitest.OrgAdmin},
		{Path: T + "/dialogs/" + id, As: apitest.Member},
		{Path: T + "/dialogs/" + id, As: apitest.Supervisor},
		{Path: T + "/dialogs/new?listing=" + listing, As: apitest.Member},
		{Path: T + "/dialogs/new?org=" + fornebu, As: apitest.Member},
		{Path: T + "/mitt", As: apitest.OrgAdmin},
		{Path: T + "/mitt", As: apitest.Member},
		{Path: T + "/inbox", As: apitest.OrgAdmin},
	}
}

// TestBrowserDialog: two people talk about a listing in the browser
// (tests/browser/dialog.mjs): Ola (Sandvika Bygg, on a phone) opens a
// dialog from Fornebu Anlegg's listing with "Ta kontakt" and writes; Kari
// (Fornebu, at 1280 px) finds it unread in her dialogs, reads it and
// replies; Ola sees the reply and that Kari has seen his message.
func TestBrowserDialog(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	listing := e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", e.OrgID("baerum", "fornebu-anlegg"))
	ck := func(email string) string {
		name, value, _ := strings.Cut(apitest.Cookie(email), "=")
		return name + "=" + value
	}
	cmd := runNode(t, node, "dialog.mjs", map[string]string{"PLATFORM": platform, "LISTING": "/t/baerum/listings/" + listing,
		"COOKIE_A": ck(member), "COOKIE_B": ck(orgAdmin), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the dialog flow failed: %v", err)
	}
	if n := e.Count("baerum", "dialog_messages", ""); n != 3 {
		t.Fatalf("%d messages after the flow, want 3", n)
	}
}
