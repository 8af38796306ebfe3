package tests

import (
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The tracked loads' share of the isolation suites: Bærum's loads (one
// received with a photo, with its steps, an idempotency key and a tally),
// a release code and a receipt check template by path segment and table;
// and Rogaland's rows that would reference them.

func init() {
	isolationParts = append(isolationParts, isolationPart{
		ids: func(t *testing.T, e *apitest.Env, ids map[string]string) {
			w, order, _, _, received := haulLoads(e)
			_, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: order, VehicleID: w.Vehicle, EstTonnes: 12, Key: "isolation-1"})
			w.Must(err)
			rc, err := w.S.IssueCode(w.Kari, haul.IssueCodeInput{OrderID: order})
			w.Must(err)
			tpl, err := w.S.SaveTemplate(w.Admin, haul.TemplateInput{SiteID: w.SandvikaSite, Steps: []haul.Step{{Key: "colour", Text: "Grå stein"}}})
			if err != nil { // Sandvika's site is a project: the template is the region's own
				tpl, err = w.S.SaveTemplate(w.Admin, haul.TemplateInput{Fraction: "sprengstein", Steps: []haul.Step{{Key: "colour", Text: "Grå stein"}}})
			}
			w.Must(err)
			ids["loads"] = received.ID
			ids["load-photos"] = received.Photos[0].ID
			ids["load_photos"] = received.Photos[0].ID
			ids["load_events"] = e.FirstID("baerum", "load_events", "load_id = ?", received.ID)
			ids["load_requests"] = e.FirstID("baerum", "load_requests", "")
			ids["load_tallies"] = w.Agreement.ID
			ids["release_codes"] = rc.ID
			ids["receipt-templates"] = tpl.ID
			ids["receipt_templates"] = tpl.ID
			e.Settle()
		},
		refs: func(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
			now := apitest.Now().UTC()
			forus, jaeren := e.OrgID("rogaland", "forus"), e.OrgID("rogaland", "jaeren-anlegg")
			// A Rogaland agreement, so that each reference below fails on
			// the one foreign key it names.
			rog := &agreement.Agreement{ID: store.NewID(), Number: "AVT-H-" + store.NewID()[:8], Status: agreement.StatusSealed, Version: 1, SealedVersion: 1,
				TemplateKey: "delivery", Locale: "nb", SupplierOrgID: forus, ReceiverOrgID: jaeren, CreatedAt: now, UpdatedAt: now}
			if err := e.App.DB.Tx(e.Ctx("rogaland"), func(tx *gorm.DB) error { return tx.Create(rog).Error }); err != nil {
				t.Fatal(err)
			}
			rogAgreement := rog.ID
			load := func() *haul.Load {
				return &haul.Load{ID: store.NewID(), Number: "X-" + store.NewID(), Code: store.NewID()[:12], ReleaseCode: store.NewID()[:12], Kind: haul.KindDelivery,
					AgreementID: rogAgreement, TransporterOrgID: forus, SupplierOrgID: forus, ReceiverOrgID: jaeren, VehicleID: "x", DriverID: "x",
					Status: haul.StatusAwaiting, Checks: haul.Checks{}, Flags: haul.Flags{}, DepartedAt: now, CreatedAt: now, UpdatedAt: now}
			}
			l := load()
			l.AgreementID = ids["agreements"]
			refs["loads→agreements"] = l
			l = load()
			l.SupplierOrgID = ids["organizations"]
			refs["loads→organizations"] = l
			l = load()
			site := ids["sites"]
			l.PickupSiteID = &site
			refs["loads→sites"] = l
			l = load()
			ret := ids["loads"]
			l.ReturnOfID = &ret
			refs["loads→loads"] = l
			refs["load_events→loads"] = &haul.Event{ID: store.NewID(), LoadID: ids["loads"], Kind: "x", ServerAt: now, Data: "{}", CreatedAt: now}
			refs["load_photos→loads"] = &haul.Photo{ID: store.NewID(), LoadID: ids["loads"], Step: "x", Filename: "x.png", ContentType: "image/png", Size: 1, SHA256: "x", BlobKey: "x", CreatedAt: now}
			refs["release_codes→agreements"] = &haul.ReleaseCode{ID: store.NewID(), Code: "X" + store.NewID()[:8], OrderID: "x", AgreementID: ids["agreements"], OrgID: forus, IssuedBy: "x", ExpiresAt: now, CreatedAt: now}
			refs["receipt_templates→sites"] = &haul.Template{ID: store.NewID(), SiteID: &site, ScopeKey: "x|" + site, Steps: haul.StepList{{Key: "a", Text: "A"}}, CreatedAt: now, UpdatedAt: now}
			refs["load_tallies→agreements"] = &haul.Tally{ID: ids["agreements"], UpdatedAt: now}
		},
		createdOnly: []string{"load_events", "load_photos", "load_requests", "release_codes"},
	})
}
