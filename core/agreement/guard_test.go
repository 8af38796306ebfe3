package agreement_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestAgreementsOutliveNoParty: deleting an organization or a site that a
// proposed or signed agreement names is refused (409, nothing deleted);
// its drafts go with it.
func TestAgreementsOutliveNoParty(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newWorld(t, e)
		draft, err := w.s.Create(w.kari, w.input(1000))
		if err != nil {
			t.Fatal(err)
		}
		ag := w.accepted(t, 2000)
		var siteID string
		if err := e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("listings").Select("site_id").Where("id = ?", w.listing).Scan(&siteID).Error
		}); err != nil || siteID == "" {
			t.Fatalf("the listing's site: %q %v", siteID, err)
		}
		kari := access.With(context.Background(), access.From(w.kari))
		_ = draft
		before := w.count("agreements")
		// Fornebu (the supplier) and the listing's site: refused, confirmed or not.
		for name, del := range map[string]func() error{
			"organization": func() error { return e.App.Directory.RemoveOrg(kari, w.fornebu, true) },
			"site":         func() error { return e.App.Directory.RemoveSite(kari, siteID, true) },
			"receiver":     func() error { return e.App.Directory.RemoveOrg(w.ola, w.sandvika, true) },
		} {
			err := del()
			fe, _ := fail.As(err)
			if fe == nil || fe.Kind != fail.Conflict || fe.Code != "has_agreements" {
				t.Errorf("%s: want 409 has_agreements, got %v", name, err)
			}
		}
		if w.count("agreements") != before || e.Count("baerum", "organizations", "id = ?", w.fornebu) != 1 || e.Count("baerum", "sites", "id = ?", siteID) != 1 {
			t.Fatal("a refused delete changed something")
		}
		// Once the agreement is cancelled it is still a record: still refused.
		if _, err := w.s.Cancel(w.kari, ag.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Directory.RemoveOrg(kari, w.fornebu, true); err == nil {
			t.Fatal("a cancelled agreement's party was deleted")
		}
		// Without the proposed one, the draft goes with the site.
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Exec("DELETE FROM agreements WHERE id = ?", ag.ID).Error
		}); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Directory.RemoveSite(kari, siteID, true); err != nil {
			t.Fatalf("site with only a draft: %v", err)
		}
		if e.Count("baerum", "agreements", "id = ?", draft.ID) != 0 {
			t.Fatal("the draft outlived its listing")
		}
	})
}
