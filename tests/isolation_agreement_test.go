package tests

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The agreements' share of the isolation suites: Bærum's agreement (sealed,
// so every table has a row) and stored template by path segment and table,
// and Rogaland's rows that would reference them.

func init() {
	isolationParts = append(isolationParts, isolationPart{
		ids: func(t *testing.T, e *apitest.Env, ids map[string]string) {
			_, _, _, sealed := agreementsIn(e)
			ids["agreements"] = sealed
			ids["templates"] = agreementTemplate(e)
			ids["contract_templates"] = ids["templates"]
			ids["agreement_versions"] = e.FirstID("baerum", "agreement_versions", "agreement_id = ?", sealed)
			ids["agreement_signatures"] = e.FirstID("baerum", "agreement_signatures", "agreement_id = ?", sealed)
			ids["agreement_events"] = e.FirstID("baerum", "agreement_events", "agreement_id = ?", sealed)
			e.Settle() // the steps' events delivered (notes, mail) before the suites take A's fingerprint
		},
		refs: func(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any) {
			now := apitest.Now().UTC()
			forus, jaeren := e.OrgID("rogaland", "forus"), e.OrgID("rogaland", "jaeren-anlegg")
			ag := func(sup, rec string, listing *string) *agreement.Agreement {
				return &agreement.Agreement{ID: store.NewID(), Number: "AVT-X-" + store.NewID()[:8], Status: agreement.StatusDraft, Version: 1, TemplateKey: "delivery", Locale: "nb",
					SupplierOrgID: sup, ReceiverOrgID: rec, ListingID: listing, CreatedAt: now, UpdatedAt: now}
			}
			listing := ids["listings"]
			refs["agreements→organizations"] = ag(ids["organizations"], jaeren, nil)
			refs["agreements→listings"] = ag(forus, jaeren, &listing)
			refs["agreement_versions→agreements"] = &agreement.Version{ID: store.NewID(), AgreementID: ids["agreements"], Version: 9, Terms: agreement.TermsJSON{}, CreatedAt: now}
			refs["agreement_signatures→agreements"] = &agreement.Signature{ID: store.NewID(), AgreementID: ids["agreements"], Version: 9, OrganizationID: forus,
				UserID: e.User(rogAdmin).ID, Name: "x", Method: "x", AAL: "aal2", DocHash: "x", SignedAt: now, CreatedAt: now}
			if d := ids["dialogs"]; d != "" { // the dialogs' part names one
				withDialog := ag(forus, jaeren, nil)
				withDialog.DialogID = &d
				refs["agreements→dialogs"] = withDialog
			}
			refs["agreement_events→agreements"] = &agreement.Event{ID: store.NewID(), AgreementID: ids["agreements"], Kind: "x", CreatedAt: now}
		},
		createdOnly: []string{"contract_templates", "agreement_versions", "agreement_signatures", "agreement_events"},
	})
}
