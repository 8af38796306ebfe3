package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// agreementPages are the agreements' pages for the axe run: the list, a
// sealed agreement (its parties), a proposal (the party that answers), the
// form of a new agreement from a listing and of a draft.
func agreementPages(e *apitest.Env, T string) []browserPage {
	draft, proposed, _, sealed := agreementsIn(e)
	e.Settle()
	need := e.FirstID("baerum", "listings", "title = 'Forsterkningslag til parkeringskjeller'")
	return []browserPage{
		{Path: T + "/agreements", As: apitest.OrgAdmin},
		{Path: T + "/agreements/" + sealed, As: apitest.OrgAdmin},
		{Path: T + "/agreements/" + sealed, As: apitest.Member},
		{Path: T + "/agreements/" + proposed, As: apitest.Member},
		{Path: T + "/agreements/new?listing=" + need, As: apitest.OrgAdmin},
		{Path: T + "/agreements/" + draft + "/edit", As: apitest.OrgAdmin},
	}
}

// TestBrowserAgreement: two people go from a match to a signed agreement
// in the browser (tests/browser/agreement.mjs), on each test backend: Kari
// (Fornebu Anlegg's admin) opens her listing's matches and makes contact
// about Sandvika Bygg's need; Ola (Sandvika, its admin here) finds the
// dialog unread on "Mitt" and replies; Kari proposes an agreement from the
// dialog, Ola counter-proposes, Kari accepts, both sign, the PDF downloads,
// and both listings show what was agreed and what is left.
func TestBrowserAgreement(t *testing.T) {
	node := browserSetup(t)
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// Ola signs for Sandvika: make him its admin, as its admin would.
		err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("memberships").Where("user_id = ? AND organization_id = ?", e.User(member).ID, e.OrgID("baerum", "sandvika-bygg")).Update("role", "admin").Error
		})
		if err != nil {
			t.Fatal(err)
		}
		platform := apitest.Serve(t, e.App, "127.0.0.1")
		need := e.FirstID("baerum", "listings", "title = 'Forsterkningslag til parkeringskjeller'")
		mine := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
		ck := func(email string) string {
			name, value, _ := strings.Cut(apitest.Cookie(email), "=")
			return name + "=" + value
		}
		shots := os.Getenv("MASSEFLYT_SCREENSHOTS")
		if shots != "" && len(apitest.Backends(t)) > 1 {
			shots = filepath.Join(shots, e.Backend)
			if err := os.MkdirAll(shots, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmd := runNode(t, node, "agreement.mjs", map[string]string{"PLATFORM": platform, "LISTING": "/t/baerum/listings/" + mine,
			"NEED": "/t/baerum/listings/" + need, "NEED_TITLE": "Forsterkningslag til parkeringskjeller",
			"COOKIE_A": ck(orgAdmin), "COOKIE_B": ck(member), "SHOTS": shots})
		out, err := cmd.CombinedOutput()
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("the agreement flow failed: %v", err)
		}
		if n := e.Count("baerum", "dialogs", "listing_id = ? AND match_listing_id = ?", need, mine); n != 1 {
			t.Fatalf("%d dialogs about the need from Kari's match, want 1", n)
		}
		if n := e.Count("baerum", "dialog_messages", ""); n != 2 {
			t.Fatalf("%d messages after the flow, want 2", n)
		}
		if n := e.Count("baerum", "agreements", "status = 'sealed' AND dialog_id IS NOT NULL"); n != 1 {
			t.Fatalf("%d sealed agreements linked to the dialog after the flow, want 1", n)
		}
	})
}
