package billing

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/invoice"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// Review finding: the platform admin could mark a void platform invoice
// paid (a member invoice refuses it).
func TestMarkRegionPaidRefusesVoid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		platform := storetest.Ctx("")
		start := PeriodStart(db.Now())
		inv := RegionInvoice{ID: store.NewID(), RegionID: w.tid, Number: "MF-REVIEW-1", PeriodStart: start, PeriodEnd: PeriodEnd(start),
			Status: InvoiceVoid, CreatedAt: db.Now(), UpdatedAt: db.Now()}
		if err := db.Tx(platform, func(tx *gorm.DB) error { return tx.Create(&inv).Error }); err != nil {
			t.Fatal(err)
		}
		_, err := w.s.MarkRegionPaid(platform, inv.ID)
		if fe, ok := fail.As(err); !ok || fe.Kind != fail.Conflict {
			t.Fatalf("a void platform invoice marked paid: %v", err)
		}
		got, err := w.s.RegionInvoice(platform, "", inv.ID)
		if err != nil || got.Status != InvoiceVoid || got.PaidAt != nil {
			t.Fatalf("after: %+v %v", got, err)
		}
	})
}

// Review finding: the EHF of a payment provider's invoice (totals, no
// lines) failed with an internal error, and its PDF was an invoice without
// lines; both are refused with a clear conflict.
func TestProviderInvoiceHasNoDocument(t *testing.T) {
	d := &Document{Number: "in_1Abc", NetOre: 10000, VATOre: 2500, Tot: 12500, Seller: invoice.Party{Name: "Bærum", OrgNumber: "974556758"}}
	for _, write := range []func(io.Writer) error{d.WritePDF, d.WriteEHF} {
		var buf bytes.Buffer
		err := write(&buf)
		if fe, ok := fail.As(err); !ok || fe.Kind != fail.Conflict || buf.Len() != 0 {
			t.Fatalf("a provider invoice's document: %v, %d bytes", err, buf.Len())
		}
	}
}

// Review finding: an EHF was written without the buyer's organization
// number (its PEPPOL address), and a platform invoice without the
// platform's number told the region that the region's number was missing.
func TestEHFNeedsBothOrganizationNumbers(t *testing.T) {
	line := []Line{{Text: "Lisens", Quantity: 1, Unit: "mnd", UnitOre: 10000, AmountOre: 10000}}
	for _, c := range []struct {
		d    Document
		want string
	}{
		{Document{Number: "1", Lines: line, NetOre: 10000, VATOre: 2500, Tot: 12500, Seller: invoice.Party{Name: "Bærum", OrgNumber: "974556758"}, Buyer: invoice.Party{Name: "Uten nummer"}}, "ErrBillingNoBuyerNumber"},
		{Document{Number: "2", Lines: line, NetOre: 10000, VATOre: 2500, Tot: 12500, Seller: invoice.Party{Name: "Masseflyt AS"}, Buyer: invoice.Party{Name: "Bærum", OrgNumber: "974556758"}, Platform: true}, "ErrBillingNoPlatformNumber"},
	} {
		var buf bytes.Buffer
		err := c.d.WriteEHF(&buf)
		if fe, ok := fail.As(err); !ok || fe.MsgID != c.want || buf.Len() != 0 {
			t.Errorf("invoice %s: %v (want %s), %d bytes", c.d.Number, err, c.want, buf.Len())
		}
	}
}

// Review finding: a month closed after a plan change (the first paying
// member of a region, or an instance down over a month end) was billed at
// today's plan: a member free in the month and paid since got a full
// licence for it, one paid in it and free since got nothing.
func TestLateCloseBillsTheMonthsPlan(t *testing.T) {
	start := monthOf()
	mc := clock.NewManual(start.Add(36 * time.Hour))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(start.Add(36 * time.Hour)) // day 2 of the month
		w := setup(t, db)
		w.s.Provider = &Local{}
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 30000, UnitOre: 10000})
		subA, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		subB, err := w.s.Assign(w.admin, w.orgB, AssignInput{Free: true})
		if err != nil {
			t.Fatal(err)
		}
		// Day 2 of the next month, before any close ran: A leaves its plan,
		// B takes one.
		mc.Set(PeriodEnd(start).Add(36 * time.Hour))
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{Free: true, Version: subA.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Assign(w.admin, w.orgB, AssignInput{PlanID: p.ID, Version: subB.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		var invs []Invoice
		if err := db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Where("period_start = ?", start).Find(&invs).Error
		}); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, inv := range invs {
			got[inv.OrgID] = inv.NetOre
		}
		days := monthDays(start)
		wantA := divRound(30000*int64((days-1.5)*1000+0.5), int64(days*1000+0.5)) // from day 2, noon
		if len(got) != 1 || got[w.orgA] != wantA {
			t.Fatalf("invoices of the month: %v, want only A at %d (B was free)", got, wantA)
		}
	}, storetest.Clock(mc))
}
