package billing

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/pdftext"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// monthOf is the start of the harness clock's month (the suite passes at
// any date).
func monthOf() time.Time { return PeriodStart(storetest.DefaultClock().Now()) }

// TestCloseMonthOnce: when a month has ended, the offline provider stores
// one invoice per organization on a paid plan (lines in Norwegian,
// proration across a plan change, VAT 25 %, totals in NOK) and one
// platform invoice per region on a plan, exactly once though four closes
// run at once on two instances; an open invoice past its due date makes
// the organization "forfalt" until the region's admin marks it paid; each
// invoice is written as PDF and EHF.
func TestCloseMonthOnce(t *testing.T) {
	start := monthOf()
	mc := clock.NewManual(start.Add(36 * time.Hour))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(start.Add(36 * time.Hour)) // day 2, noon
		w := setup(t, db)
		w.s.Provider = &Local{}
		mails := &mailbox{}
		w.s.Mailer, w.s.PublicURL, w.s.Seller = mails, "https://masseflyt.example", Platform{Name: "Masseflyt AS", OrgNumber: "923456783"}
		small, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 30000, UnitOre: 10000})
		big, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Stor", LicenceOre: 60000, UnitOre: 10000})
		subA, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: small.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Assign(w.admin, w.orgB, AssignInput{PlanID: small.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Assign(w.admin, w.orgFree, AssignInput{Free: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.UpdateContact(w.orgAdminA, w.orgA, BillingContact{BillingEmail: "faktura@sandvika.no", Version: subA.Version}); err != nil {
			t.Fatal(err)
		}
		subA.Version++
		platform := storetest.Ctx("")
		rp, err := w.s.SaveRegionPlan(platform, PlanForm{Name: "Region", LicenceOre: 2500000})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SetRegion(platform, w.tid, RegionInput{PlanID: rp.ID, PublicBody: true, OrgNumber: "974556758", BuyerReference: "Prosjekt 4410", BillingEmail: "faktura@baerum.kommune.no"}); err != nil {
			t.Fatal(err)
		}
		mc.Set(start.Add(10*24*time.Hour + 36*time.Hour)) // day 12: A moves up
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: big.ID, Version: subA.Version}); err != nil {
			t.Fatal(err)
		}
		if err := w.s.Record(storetest.Ctx(w.tid), "e1", db.Now(), sealed("ag1", w.orgA, w.orgB, 10)); err != nil {
			t.Fatal(err)
		}
		if r, err := w.s.Close(context.Background()); err != nil || r.Invoices+r.RegionInvoices != 0 {
			t.Fatalf("closed a running month: %+v %v", r, err)
		}
		previewA, _ := w.s.Preview(w.admin, w.orgA, start)

		// The month ends; two instances close it, twice each, at once.
		mc.Set(PeriodEnd(start).Add(time.Hour))
		other := &Service{DB: db, Provider: &Local{}, Mailer: mails, PublicURL: w.s.PublicURL, Seller: w.s.Seller}
		var wg sync.WaitGroup
		results := make(chan CloseResult, 4)
		errs := make(chan error, 4)
		for _, s := range []*Service{w.s, other, w.s, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := s.Close(context.Background())
				results <- r
				errs <- err
			}()
		}
		wg.Wait()
		close(results)
		close(errs)
		total := CloseResult{}
		for r := range results {
			total.Invoices += r.Invoices
			total.RegionInvoices += r.RegionInvoices
		}
		for err := range errs {
			if err != nil {
				t.Fatalf("close: %v", err)
			}
		}
		if total.Invoices != 2 || total.RegionInvoices != 1 {
			t.Fatalf("made %+v; want 2 member invoices and 1 platform invoice", total)
		}
		if n := count(t, db, storetest.Ctx(w.tid), &Invoice{}); n != 2 {
			t.Fatalf("%d invoices stored", n)
		}
		if r, err := w.s.Close(context.Background()); err != nil || r.Invoices+r.RegionInvoices+r.Mailed != 0 {
			t.Fatalf("a second close made or mailed more: %+v %v", r, err)
		}
		invs, err := items(w.s.Invoices(w.orgAdminA, w.orgA, page.Request{}))
		if err != nil || len(invs) != 1 {
			t.Fatalf("A's invoices: %+v %v", invs, err)
		}
		a := invs[0]
		// One notice each, though four closes ran: A's to its billing e-mail,
		// the region's to its own; B has no address and gets none.
		got := mails.all()
		if len(got) != 2 {
			t.Fatalf("%d notices: %+v", len(got), got)
		}
		for _, m := range got {
			switch m.To {
			case "faktura@sandvika.no":
				for _, want := range []string{a.Number, kroner(a.TotalOre) + " kr", "Forfall", "https://masseflyt.example/t/baerum/billing/organizations/" + w.orgA} {
					if !strings.Contains(m.Subject+m.Text, want) {
						t.Errorf("A's notice lacks %q: %s", want, m.Text)
					}
				}
				// The invoice itself is attached, as its page downloads it.
				if len(m.Attachments) != 1 || m.Attachments[0].Filename != "faktura-"+strings.ReplaceAll(a.Number, "/", "_")+".pdf" ||
					m.Attachments[0].ContentType != "application/pdf" || !strings.Contains(m.Text, "vedlagt som PDF") {
					t.Fatalf("A's notice attaches %+v", m.Attachments)
				}
				text := strings.Join(slices.Concat(pdftext.Pages(m.Attachments[0].Data)...), "\n")
				for _, want := range []string{"Faktura", a.Number, "Lisens «Liten»", "Lisens «Stor»", kroner(a.TotalOre), "Ubetalt"} {
					if !strings.Contains(text, want) {
						t.Errorf("A's attached PDF lacks %q", want)
					}
				}
			case "faktura@baerum.kommune.no":
				if !strings.Contains(m.Subject, "fra Masseflyt AS") {
					t.Errorf("the region's notice: %s", m.Subject)
				}
				if len(m.Attachments) != 1 || !strings.Contains(strings.Join(slices.Concat(pdftext.Pages(m.Attachments[0].Data)...), "\n"), "923456783") {
					t.Errorf("the region's notice attaches %d files, or its PDF lacks the platform's organization number", len(m.Attachments))
				}
			default:
				t.Errorf("a notice to %s", m.To)
			}
		}
		if a.NetOre != previewA.NetOre || a.TotalOre != previewA.TotalOre || len(a.Lines) != 3 {
			t.Fatalf("stored %+v, previewed %+v", a, previewA)
		}
		if !strings.Contains(a.Lines[0].Text, "Lisens «Liten»") || !strings.Contains(a.Lines[0].Text, "forholdsmessig, 10 av") ||
			!strings.Contains(a.Lines[1].Text, "Lisens «Stor»") || !strings.HasPrefix(a.Lines[2].Text, "Signerte avtaler") {
			t.Fatalf("lines %+v", a.Lines)
		}
		if a.VATOre != divRound(a.NetOre*25, 100) || a.TotalOre != a.NetOre+a.VATOre || a.Status != InvoiceOpen || a.DueAt == nil {
			t.Fatalf("totals or state: %+v", a)
		}
		// B's, by hand: the small licence from day 2 noon, one agreement.
		days := monthDays(start)
		wantB := divRound(30000*int64((days-1.5)*1000+0.5), int64(days*1000+0.5)) + 10000
		all, _ := items(w.s.MemberInvoices(w.admin, page.Request{}))
		var b Invoice
		for _, x := range all {
			if x.OrgID == w.orgB {
				b = x
			}
		}
		if b.NetOre != wantB || b.Number == a.Number || !strings.HasPrefix(b.Number, start.In(oslo).Format("2006")+"-") {
			t.Fatalf("B's invoice %+v, want net %d", b, wantB)
		}
		// K14: the invoice's transactions are the export's.
		var csv bytes.Buffer
		_ = w.s.ExportCSV(w.admin, &csv, start, PeriodEnd(start))
		if got := parseExport(t, csv.String()); got[w.orgA] != int64(a.Lines[2].Quantity) {
			t.Fatalf("export %v, invoice %v", got, a.Lines[2])
		}

		// Row rules: A's admin cannot read B's invoice; another region
		// cannot find it.
		if _, err := w.s.Invoice(w.orgAdminA, b.ID); !errors.Is(err, access.NotOwnOrganization()) {
			t.Fatalf("A's admin reads B's invoice: %v", err)
		}
		if _, err := w.s.Invoice(storetest.Ctx(w.rog, access.From(w.admin)), b.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("another region reads it: %v", err)
		}

		// The platform's invoice to the region.
		rinv, _ := items(w.s.RegionInvoices(platform, "", page.Request{}))
		wantR := divRound(2500000*int64((days-1.5)*1000+0.5), int64(days*1000+0.5)) // from day 2 noon
		wantR += divRound(wantR*25, 100)
		if len(rinv) != 1 || rinv[0].RegionID != w.tid || rinv[0].TotalOre != wantR || !strings.HasPrefix(rinv[0].Number, "MF-") || !strings.Contains(rinv[0].Lines[0].Text, "Plattformlisens «Region»") {
			t.Fatalf("platform invoices %+v", rinv)
		}
		if got, err := w.s.StoredRegionInvoice(platform, w.tid, start); err != nil || got == nil || got.ID != rinv[0].ID {
			t.Fatalf("the month's stored platform invoice: %+v %v", got, err)
		}
		if got, _ := w.s.StoredRegionInvoice(platform, w.tid, PeriodEnd(start)); got != nil {
			t.Fatalf("a month not closed has a stored invoice: %+v", got)
		}
		if mine, _ := items(w.s.RegionInvoices(platform, w.rog, page.Request{})); len(mine) != 0 {
			t.Fatalf("Rogaland sees %+v", mine)
		}

		// Past due: "forfalt" until paid.
		mc.Set(PeriodEnd(start).Add(16 * 24 * time.Hour))
		r, err := w.s.Close(context.Background())
		if err != nil || r.PastDue != 3 {
			t.Fatalf("past due %+v %v", r, err)
		}
		if due, _ := w.s.PastDue(w.admin, w.orgA); !due {
			t.Fatal("A is not forfalt")
		}
		paid, err := w.s.MarkPaid(w.admin, a.ID)
		if err != nil || paid.Status != InvoicePaid || paid.PaidAt == nil {
			t.Fatalf("paid %+v %v", paid, err)
		}
		if _, err := w.s.MarkPaid(w.admin, a.ID); err != nil {
			t.Fatalf("a replay: %v", err)
		}
		if due, _ := w.s.PastDue(w.admin, w.orgA); due {
			t.Fatal("A is still forfalt after paying")
		}
		if due, _ := w.s.PastDue(w.admin, w.orgB); !due {
			t.Fatal("B's payment state followed A's")
		}

		// PDF and EHF (the buyer's organization number from the register).
		if err := db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Table("organizations").Where("id = ?", w.orgA).Update("org_number", "987654325").Error
		}); err != nil {
			t.Fatal(err)
		}
		bad := "1234 56 78900"
		if _, err := w.s.SaveSettings(w.admin, SettingsInput{Metric: MetricAgreements, Consequence: ConsequenceNone, AccountNumber: &bad}); fields(err)["/account_number"] != "ErrBillingAccountNumber" {
			t.Fatalf("a bad account number: %v", err)
		}
		good := "1234.56.78903"
		if st, err := w.s.SaveSettings(w.admin, SettingsInput{Metric: MetricAgreements, Consequence: ConsequenceNone, AccountNumber: &good}); err != nil || st.AccountNumber != "12345678903" {
			t.Fatalf("the account number: %+v %v", st, err)
		}
		if st, _ := w.s.SaveSettings(w.admin, SettingsInput{Metric: MetricAgreements, Consequence: ConsequenceNone}); st.AccountNumber != "12345678903" {
			t.Fatalf("left out, the account number changed: %q", st.AccountNumber)
		}
		doc, err := w.s.MemberDocument(w.admin, paid, "Bærum")
		if err != nil {
			t.Fatal(err)
		}
		var pdf bytes.Buffer
		if err := doc.WritePDF(&pdf); err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, page := range pdftext.Pages(pdf.Bytes()) {
			cells = append(cells, page...)
		}
		text := strings.Join(cells, "\n")
		for _, want := range []string{"Faktura", paid.Number, "Lisens «Stor»", "Merverdiavgift 25 %", kroner(paid.TotalOre), "Betalt", "Betales til konto 1234.56.78903"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
		var ehf bytes.Buffer
		if err := doc.WriteEHF(&ehf); err != nil {
			t.Fatal(err, fields(err))
		}
		x := ehf.String()
		for _, want := range []string{"974556758", paid.Number, `unitCode="C62"`, "<cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>", "<cbc:ID>12345678903</cbc:ID>", `<cbc:PayableAmount currencyID="NOK">` + strings.Replace(strconv.FormatFloat(float64(paid.TotalOre)/100, 'f', 2, 64), ",", ".", 1)} {
			if !strings.Contains(x, want) {
				t.Errorf("the EHF lacks %q", want)
			}
		}
		rdoc, err := w.s.RegionDocument(platform, &rinv[0], "Bærum")
		if err != nil {
			t.Fatal(err)
		}
		ehf.Reset()
		if err := rdoc.WriteEHF(&ehf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ehf.String(), "Prosjekt 4410") || !strings.Contains(ehf.String(), `<cbc:PayableAmount currencyID="NOK">`+strconv.FormatFloat(float64(wantR)/100, 'f', 2, 64)) {
			t.Fatalf("region EHF: %s", ehf.String())
		}
		// The Stripe provider invoices itself: nothing is made offline.
		w.s.Provider = w.fake
		mc.Set(PeriodEnd(PeriodEnd(start)).Add(time.Hour))
		if r, err := w.s.Close(context.Background()); err != nil || r.Invoices != 0 {
			t.Fatalf("a provider that invoices itself: %+v %v", r, err)
		}
	}, storetest.Clock(mc))
}

// TestDrainTwoInstances: two instances draining one ledger at once call the
// provider once per row (the lease), counted by the recording fake.
func TestDrainTwoInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", UnitOre: 15000})
		for _, o := range []string{w.orgA, w.orgB} {
			if _, err := w.s.Assign(w.admin, o, AssignInput{PlanID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
		const n = 30
		for i := range n {
			if err := w.s.Record(storetest.Ctx(w.tid), "ev"+strconv.Itoa(i), db.Now(), sealed("ag"+strconv.Itoa(i), w.orgA, w.orgB, 1)); err != nil {
				t.Fatal(err)
			}
		}
		due(t, db, w.tid)
		// A slow provider, so the two drains overlap.
		w.fake.Fail = func(string) error { time.Sleep(3 * time.Millisecond); return nil }
		other := &Service{DB: db, Provider: w.fake}
		var wg sync.WaitGroup
		for _, s := range []*Service{w.s, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &Drainer{S: s, Batch: 10, Workers: 2}
				for range 20 {
					if k, err := d.Drain(context.Background()); err != nil {
						t.Error(err)
						return
					} else if k == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if distinct, calls := w.fake.Counts(); distinct != 2*n || calls != 2*n {
			t.Fatalf("distinct %d, calls %d; want %d of each", distinct, calls, 2*n)
		}
		var unsent int64
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Model(&Usage{}).Where("sent_at IS NULL OR claimed_by <> ''").Count(&unsent).Error
		})
		if unsent != 0 {
			t.Fatalf("%d rows unsent or still claimed", unsent)
		}
	})
}

// TestMeterReceivedTonnes: a region counting received tonnes bills each
// paying party of a received load its accepted tonnes, once per event; a
// rejected load (0 tonnes) and agreement events bill nothing; the meter
// takes load.received from the outbox.
func TestMeterReceivedTonnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		if _, err := w.s.SaveSettings(w.admin, SettingsInput{Metric: MetricReceived, Consequence: ConsequenceNone}); err != nil {
			t.Fatal(err)
		}
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", UnitOre: 2000})
		for _, o := range []string{w.orgA, w.orgB} {
			if _, err := w.s.Assign(w.admin, o, AssignInput{PlanID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
		ctx := storetest.Ctx(w.tid)
		for _, st := range []struct {
			id string
			e  AgreementEvent
		}{
			{"l1", received("ag1", "load1", w.orgA, w.orgB, 12.345)},
			{"l1", received("ag1", "load1", w.orgA, w.orgB, 12.345)},
			{"l2", received("ag1", "load2", w.orgA, w.orgB, 0)},
			{"l3", received("ag1", "load3", w.orgA, w.orgB, -4)},
			{"s1", sealed("ag1", w.orgA, w.orgB, 100)},
		} {
			if err := w.s.Record(ctx, st.id, db.Now(), st.e); err != nil {
				t.Fatal(err)
			}
		}
		usage, _ := w.s.Usage(w.admin, PeriodStart(db.Now()), PeriodEnd(PeriodStart(db.Now())), "")
		if len(usage) != 2 || usage[0].Quantity != 12345 || usage[1].Quantity != 12345 || usage[0].Metric != MetricReceived || usage[0].Events != 1 {
			t.Fatalf("usage %+v", usage)
		}

		// Through the outbox.
		d, err := events.NewDispatcher(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Poll = 50 * time.Millisecond
		w.s.Subscribe(d)
		if !w.s.LoadsMetered() {
			t.Fatal("the meter does not take load.received from the outbox")
		}
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := db.Tx(ctx, func(tx *gorm.DB) error {
			return events.Emit(tx, events.LoadReceived{AgreementID: "ag2", LoadID: "load9", ByOrgID: w.orgB, ToOrgID: w.orgFree, Tonnes: 5})
		}); err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := d.Settle(sctx); err != nil {
			t.Fatal(err)
		}
		usage, _ = w.s.Usage(w.admin, PeriodStart(db.Now()), PeriodEnd(PeriodStart(db.Now())), w.orgB)
		if len(usage) != 1 || usage[0].Quantity != 12345+5000 {
			t.Fatalf("after the outbox: %+v", usage)
		}
	})
}

// TestProrationToAndFromFree: an organization made free in the month pays
// its plan's licence for the days before; one moved from free to a plan
// pays from the change, not for the whole month.
func TestProrationToAndFromFree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 30000, UnitOre: 10000})
		start := PeriodStart(db.Now())
		days := monthDays(start)
		change := start.Add(10 * 24 * time.Hour)
		subA, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		subB, err := w.s.Assign(w.admin, w.orgB, AssignInput{Free: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{Free: true, Version: subA.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Assign(w.admin, w.orgB, AssignInput{PlanID: p.ID, Version: subB.Version}); err != nil {
			t.Fatal(err)
		}
		// The subscriptions began with the month; the changes were on day 11.
		history(t, db, w.admin, subA.ID, PlanChange{PlanID: &p.ID, At: start}, PlanChange{At: change})
		history(t, db, w.admin, subB.ID, PlanChange{At: start}, PlanChange{PlanID: &p.ID, At: change})
		for _, c := range []struct {
			org  string
			days float64
		}{{w.orgA, 10}, {w.orgB, days - 10}} {
			d, err := w.s.Preview(w.admin, c.org, start)
			if err != nil {
				t.Fatal(err)
			}
			want := divRound(30000*int64(c.days*1000+0.5), int64(days*1000+0.5))
			if len(d.Lines) != 1 || d.NetOre != want || !strings.Contains(d.Lines[0].Text, "forholdsmessig") {
				t.Fatalf("%s: %+v, want net %d", c.org, d, want)
			}
		}
	})
}

// history replaces a subscription's plan changes with changes (the test
// puts them in the past).
func history(t *testing.T, db *store.DB, ctx context.Context, subID string, changes ...PlanChange) {
	t.Helper()
	if err := db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("subscription_id = ?", subID).Delete(&PlanChange{}).Error; err != nil {
			return err
		}
		for _, c := range changes {
			c.ID, c.SubscriptionID, c.CreatedAt = store.NewID(), subID, c.At
			if err := tx.Create(&c).Error; err != nil {
				return err
			}
		}
		return tx.Model(&Subscription{}).Where("id = ?", subID).Update("created_at", changes[0].At).Error
	}); err != nil {
		t.Fatal(err)
	}
}

// mailbox records the notices sent.
type mailbox struct {
	mu   sync.Mutex
	sent []events.Message
}

func (m *mailbox) Send(_ context.Context, msg events.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	return nil
}

func (m *mailbox) all() []events.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]events.Message(nil), m.sent...)
}
