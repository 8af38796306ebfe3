package billing

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The platform bills regions; a public body also gets EHF.
func TestRegionEHF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		platform := storetest.Ctx("")
		rp, err := w.s.SaveRegionPlan(platform, PlanForm{Name: "Region", LicenceOre: 2500000})
		if err != nil {
			t.Fatal(err)
		}
		w.s.Seller = Platform{Name: "Masseflyt AS", OrgNumber: "923456783", Address: "Storgata 1", PostCode: "0155", City: "Oslo", Email: "faktura@masseflyt.example"}
		// Not set up yet, then not a public body: no EHF.
		var buf bytes.Buffer
		if err := w.s.RegionInvoiceEHF(platform, &buf, w.tid, "Bærum kommune", db.Now()); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("no subscription: %v", err)
		}
		// A public body needs its organization number and reference.
		_, err = w.s.SetRegion(platform, w.tid, RegionInput{PlanID: rp.ID, PublicBody: true, OrgNumber: "12345"})
		if f := fields(err); f["/org_number"] == "" || f["/buyer_reference"] == "" {
			t.Fatalf("public body without number and reference: %v", err)
		}
		sub, err := w.s.SetRegion(platform, w.tid, RegionInput{PlanID: rp.ID, PublicBody: true, OrgNumber: "974 556 758", BuyerReference: "Prosjekt 4410", BillingEmail: "faktura@baerum.kommune.no", FeePercent: 5})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SetRegion(platform, w.tid, RegionInput{PlanID: rp.ID, Version: sub.Version + 5}); err == nil {
			t.Fatal("a stale version was accepted")
		}
		if err := w.s.RegionInvoiceEHF(platform, &buf, w.tid, "Bærum kommune", db.Now()); err != nil {
			t.Fatal(err, fields(err))
		}
		x := buf.String()
		for _, want := range []string{"974556758", "Prosjekt 4410", `unitCode="C62"`, "<cbc:PayableAmount currencyID=\"NOK\">31250.00</cbc:PayableAmount>", "Plattformlisens"} {
			if !strings.Contains(x, want) {
				t.Errorf("EHF lacks %q", want)
			}
		}
		st, _ := w.s.Settings(storetest.Ctx(w.tid))
		if st.FeePercent != 5 {
			t.Fatalf("fee %v", st.FeePercent)
		}
	})
}
