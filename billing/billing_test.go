package billing

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// The billing domain's tests: a database only, both backends, the in-repo
// fake provider recording every call.

func TestMain(m *testing.M) { storetest.Main(m) }

type world struct {
	db        *store.DB
	s         *Service
	fake      *Fake
	tid, rog  string
	admin     context.Context
	orgA      string // Sandvika Bygg
	orgB      string // Fornebu Anlegg
	orgFree   string // Bærum kommune (free)
	orgAdminA context.Context
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	w := &world{db: db, fake: &Fake{}}
	w.s = &Service{DB: db, Provider: w.fake}
	w.tid = storetest.Tenant(t, db, "baerum")
	w.rog = storetest.Tenant(t, db, "rogaland")
	admin := storetest.As(storetest.User(t, db, "admin@example.no"), auth.RoleTenantAdmin)
	w.admin = storetest.Ctx(w.tid, admin)
	w.orgA = org(t, db, w.tid, "Sandvika Bygg AS")
	w.orgB = org(t, db, w.tid, "Fornebu Anlegg AS")
	w.orgFree = org(t, db, w.tid, "Bærum kommune")
	oa := storetest.As(storetest.User(t, db, "kari@sandvika.no"), auth.RoleOrgAdmin)
	oa.Principal.Orgs = map[string]string{w.orgA: "admin"}
	w.orgAdminA = storetest.Ctx(w.tid, oa)
	return w
}

func org(t *testing.T, db *store.DB, tid, name string) string {
	t.Helper()
	o := &directory.Organization{ID: store.NewID(), OrgNumber: strconv.Itoa(910000000 + len(name)), Name: name, Kinds: directory.List{"contractor"}, Services: directory.List{}}
	if err := db.Tx(storetest.Ctx(tid), func(tx *gorm.DB) error { return tx.Create(o).Error }); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func count(t *testing.T, db *store.DB, ctx context.Context, model any) int64 {
	t.Helper()
	var n int64
	if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Model(model).Count(&n).Error }); err != nil {
		t.Fatal(err)
	}
	return n
}

func fields(err error) map[string]string {
	out := map[string]string{}
	if e, ok := fail.As(err); ok {
		for _, f := range e.Fields {
			out[f.Pointer] = f.MsgID
		}
	}
	return out
}

func TestPlanBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		for _, c := range []struct {
			name  string
			in    PlanForm
			field string
			msg   string
		}{
			{"negative licence", PlanForm{Name: "Liten", LicenceOre: -1}, "/licence_ore", "ErrBillingPrice"},
			{"negative unit price", PlanForm{Name: "Liten", UnitOre: -100}, "/unit_ore", "ErrBillingPrice"},
			{"currency other than NOK", PlanForm{Name: "Liten", Currency: "EUR"}, "/currency", "ErrBillingCurrency"},
			{"empty name", PlanForm{Name: "  "}, "/name", "ErrFieldRequired"},
			{"bad interval", PlanForm{Name: "Liten", Interval: "week"}, "/interval", "ErrBillingInterval"},
			{"huge price", PlanForm{Name: "Liten", LicenceOre: 1 << 60}, "/licence_ore", "ErrBillingPrice"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.s.SavePlan(w.admin, "", c.in)
				if got := fields(err)[c.field]; got != c.msg {
					t.Fatalf("field %s: got %q (%v), want %q", c.field, got, err, c.msg)
				}
			})
		}
		if n := count(t, db, w.admin, &MemberPlan{}); n != 0 {
			t.Fatalf("%d plans saved from bad input", n)
		}
		if _, err := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 49900, UnitOre: 15000}); err != nil {
			t.Fatal(err)
		}
		_, err := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten"})
		if fields(err)["/name"] != "ErrBillingPlanName" {
			t.Fatalf("duplicate name: %v", err)
		}
	})
}

func TestDeletePlanInUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		p, err := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", LicenceOre: 99000, UnitOre: 15000})
		if err != nil {
			t.Fatal(err)
		}
		unused, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Ubrukt"})
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID}); err != nil {
			t.Fatal(err)
		}
		err = w.s.DeletePlan(w.admin, p.ID)
		if e, ok := fail.As(err); !ok || e.Kind != fail.Conflict || e.MsgID != "ErrBillingPlanInUse" {
			t.Fatalf("deleting a plan in use: %v", err)
		}
		if _, err := w.s.Plan(w.admin, p.ID); err != nil {
			t.Fatalf("the plan in use is gone: %v", err)
		}
		if err := w.s.DeletePlan(w.admin, unused.ID); err != nil {
			t.Fatal(err)
		}
		// Another region cannot see or delete it.
		other := storetest.Ctx(w.rog, access.From(w.admin))
		if err := w.s.DeletePlan(other, p.ID); !errors.Is(err, fail.ErrNotFound) {
			t.Fatalf("other region deletes: %v", err)
		}
		// A plan left in the last twelve months (which the close may still
		// invoice) is still in use; one left before is not, and its old
		// changes go with it.
		old, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Gammel", LicenceOre: 10000})
		subB, err := w.s.Assign(w.admin, w.orgB, AssignInput{PlanID: old.ID})
		if err != nil {
			t.Fatal(err)
		}
		start := PeriodStart(db.Now())
		lastMonth := PeriodStart(start.Add(-time.Hour))
		for _, c := range []struct {
			left  time.Time
			inUse bool
		}{{start.Add(time.Hour), true}, {lastMonth.Add(time.Hour), true}, {endedMonths(db.Now())[0].Add(time.Hour), true}, {endedMonths(db.Now())[0].Add(-time.Hour), false}} {
			history(t, db, w.admin, subB.ID, PlanChange{PlanID: &old.ID, At: c.left.AddDate(0, -3, 0)}, PlanChange{PlanID: &p.ID, At: c.left})
			_ = db.Tx(w.admin, func(tx *gorm.DB) error {
				return tx.Model(&Subscription{}).Where("id = ?", subB.ID).Update("plan_id", p.ID).Error
			})
			err := w.s.DeletePlan(w.admin, old.ID)
			if e, ok := fail.As(err); c.inUse && (!ok || e.MsgID != "ErrBillingPlanInUse") || !c.inUse && err != nil {
				t.Fatalf("a plan left at %v: %v", c.left, err)
			}
		}
		var kept int64
		_ = db.Read(w.admin, func(tx *gorm.DB) error {
			return tx.Model(&PlanChange{}).Where("plan_id = ?", old.ID).Count(&kept).Error
		})
		if kept != 0 {
			t.Fatalf("%d changes to the deleted plan kept", kept)
		}
	})
}

func TestAssignConcurrentAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		small, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 49900})
		big, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Stor", LicenceOre: 199000})
		sub, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: small.ID})
		if err != nil {
			t.Fatal(err)
		}
		if sub.CustomerID == "" || sub.ProviderID == "" {
			t.Fatalf("not synced with the provider: %+v", sub)
		}
		// Two admins read version 1; the first change wins, the second gets
		// a conflict and changes nothing.
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: big.ID, Version: sub.Version}); err != nil {
			t.Fatal(err)
		}
		_, err = w.s.Assign(w.admin, w.orgA, AssignInput{Free: true, Version: sub.Version})
		if e, ok := fail.As(err); !ok || e.Kind != fail.Conflict {
			t.Fatalf("second admin: %v", err)
		}
		got, _ := w.s.Subscription(w.admin, w.orgA)
		if got.Free || got.PlanID == nil || *got.PlanID != big.ID || got.Version != 2 {
			t.Fatalf("after the conflict: %+v", got)
		}
		// Made free: the provider's subscription is cancelled.
		if got, err = w.s.Assign(w.admin, w.orgA, AssignInput{Free: true, Version: 2}); err != nil || got.ProviderID != "" {
			t.Fatalf("free: %+v %v", got, err)
		}
		if calls := strings.Join(w.fake.Calls, "\n"); !strings.Contains(calls, "cancel  "+sub.ProviderID) {
			t.Fatalf("no cancellation in %s", calls)
		}
		// Neither a plan nor free; both.
		for _, in := range []AssignInput{{}, {PlanID: small.ID, Free: true}} {
			if _, err := w.s.Assign(w.admin, w.orgB, in); fields(err)["/plan_id"] == "" {
				t.Fatalf("%+v: %v", in, err)
			}
		}
		if _, err := w.s.Assign(w.admin, w.orgB, AssignInput{PlanID: "nope"}); fields(err)["/plan_id"] != "ErrBillingPlanUnknown" {
			t.Fatalf("unknown plan: %v", err)
		}
	})
}

func TestContactRowRule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 49900})
		for _, o := range []string{w.orgA, w.orgB} {
			if _, err := w.s.Assign(w.admin, o, AssignInput{PlanID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sub, err := w.s.UpdateContact(w.orgAdminA, w.orgA, BillingContact{BillingEmail: "faktura@sandvika.no", InvoiceReference: "Prosjekt 42", Version: 1})
		if err != nil || sub.BillingEmail != "faktura@sandvika.no" {
			t.Fatalf("%+v %v", sub, err)
		}
		if _, err := w.s.UpdateContact(w.orgAdminA, w.orgB, BillingContact{BillingEmail: "x@y.no", Version: 1}); !errors.Is(err, access.NotOwnOrganization()) {
			t.Fatalf("another organization's contact: %v", err)
		}
		if _, err := w.s.UpdateContact(w.orgAdminA, w.orgA, BillingContact{BillingEmail: "ikke en adresse", Version: 2}); fields(err)["/billing_email"] != "ErrBillingEmail" {
			t.Fatalf("bad e-mail: %v", err)
		}
		if _, err := w.s.Subscription(w.orgAdminA, w.orgB); err == nil {
			t.Fatal("an org admin reads another organization's subscription")
		}
	})
}

// sealed is an agreement.sealed event between A and B as the outbox
// carries it.
func sealed(id, by, to string, tonnes float64) AgreementEvent {
	return AgreementEvent{AgreementID: id, ByOrgID: by, ToOrgID: to, Tonnes: tonnes}
}

// received is a load.received event as core/haul writes it to the outbox.
func received(agreement, load, by, to string, tonnes float64) AgreementEvent {
	return AgreementEvent{Type: EventLoadReceived, AgreementID: agreement, LoadID: load, ByOrgID: by, ToOrgID: to, Tonnes: tonnes}
}

// TestUsageExportEqualsMetered is K14: for a period with agreements, an
// amendment, a cancellation, received loads (one rejected, with 0 tonnes)
// and replays, under each metric, the tenant admin's usage export, the
// usage query and the quantities metered at the provider are equal.
func TestUsageExportEqualsMetered(t *testing.T) {
	for _, metric := range []string{MetricAgreements, MetricTonnes, MetricReceived} {
		t.Run(metric, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				w := setup(t, db)
				if _, err := w.s.SaveSettings(w.admin, SettingsInput{Metric: metric, Consequence: ConsequenceBanner}); err != nil {
					t.Fatal(err)
				}
				p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", LicenceOre: 99000, UnitOre: 15000})
				for _, o := range []string{w.orgA, w.orgB} {
					if _, err := w.s.Assign(w.admin, o, AssignInput{PlanID: p.ID}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := w.s.Assign(w.admin, w.orgFree, AssignInput{Free: true}); err != nil {
					t.Fatal(err)
				}
				at := db.Now()
				steps := []struct {
					event string
					e     AgreementEvent
				}{
					{"e1", sealed("ag1", w.orgA, w.orgB, 120.5)},
					{"e1", sealed("ag1", w.orgA, w.orgB, 120.5)},                                                                // redelivered
					{"e2", sealed("ag2", w.orgB, w.orgFree, 40)},                                                                // the free party pays nothing
					{"e3", sealed("ag1", w.orgB, w.orgA, 150)},                                                                  // amended: more tonnes
					{"e4", sealed("ag2", w.orgB, w.orgFree, 30)},                                                                // amended: fewer tonnes
					{"e5", AgreementEvent{Type: EventAgreementCancelled, AgreementID: "ag1", ByOrgID: w.orgA, ToOrgID: w.orgB}}, // cancelled: billed all the same
					// Received loads (core/haul's load.received): billed under received_tonnes only.
					{"l1", received("ag1", "load1", w.orgA, w.orgB, 12.5)},
					{"l1", received("ag1", "load1", w.orgA, w.orgB, 12.5)},    // redelivered
					{"l2", received("ag1", "load2", w.orgA, w.orgB, 0)},       // rejected: 0 tonnes
					{"l3", received("ag2", "load3", w.orgB, w.orgFree, 3.25)}, // the free receiver pays nothing
					{"l4", received("ag1", "load4", w.orgB, w.orgA, 7)},       // after the cancellation: still received
				}
				for _, st := range steps {
					if err := w.s.Record(storetest.Ctx(w.tid), st.event, at, st.e); err != nil {
						t.Fatal(err)
					}
				}
				from, to := PeriodStart(at), PeriodEnd(PeriodStart(at))
				usage, err := w.s.Usage(w.admin, from, to, "")
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]int64{w.orgA: 1, w.orgB: 2}
				switch metric {
				case MetricTonnes:
					want = map[string]int64{w.orgA: 150000, w.orgB: 190000}
				case MetricReceived:
					want = map[string]int64{w.orgA: 19500, w.orgB: 22750}
				}
				got := map[string]int64{}
				for _, u := range usage {
					got[u.OrgID] += u.Quantity
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("usage %v, want %v", got, want)
				}
				due(t, db, w.tid)
				d := &Drainer{S: w.s}
				if _, err := d.Drain(context.Background()); err != nil {
					t.Fatal(err)
				}
				subs, _ := w.s.Subscriptions(w.admin)
				metered := map[string]int64{}
				totals := w.fake.Totals()
				for _, s := range subs {
					if v, ok := totals[s.CustomerID]; ok {
						metered[s.OrgID] = v
					}
				}
				if fmt.Sprint(metered) != fmt.Sprint(got) {
					t.Fatalf("metered %v, export %v", metered, got)
				}
				var csv bytesBuffer
				if err := w.s.ExportCSV(w.admin, &csv, from, to); err != nil {
					t.Fatal(err)
				}
				exported := parseExport(t, csv.String())
				for org, q := range got {
					if exported[org] != q {
						t.Fatalf("export %v, usage %v", exported, got)
					}
				}
				// The other region sees none of it.
				other, _ := w.s.Usage(storetest.Ctx(w.rog, access.From(w.admin)), from, to, "")
				if len(other) != 0 {
					t.Fatalf("another region sees usage: %v", other)
				}
			})
		})
	}
}

// TestDrainExactlyOnce: a crash after sending and before marking sends
// the row again with the same identifier, which the provider counts once;
// a failing provider is retried with backoff and loses nothing.
func TestDrainExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", UnitOre: 15000})
		for _, o := range []string{w.orgA, w.orgB} {
			if _, err := w.s.Assign(w.admin, o, AssignInput{PlanID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			if err := w.s.Record(storetest.Ctx(w.tid), "ev"+strconv.Itoa(i), db.Now(), sealed("ag"+strconv.Itoa(i), w.orgA, w.orgB, 1)); err != nil {
				t.Fatal(err)
			}
		}
		// The provider is down for ev3's rows.
		w.fake.Fail = func(id string) error {
			if id[:3] == "ev3" {
				return errors.New("provider down")
			}
			return nil
		}
		due(t, db, w.tid)
		d := &Drainer{S: w.s, Batch: 100}
		n, err := d.Drain(context.Background())
		if err != nil || n != 18 {
			t.Fatalf("sent %d, %v", n, err)
		}
		var u Usage
		_ = db.Read(storetest.Ctx(w.tid), func(tx *gorm.DB) error { return tx.Where("event_id = ?", "ev3").First(&u).Error })
		if u.SentAt != nil || u.Attempts != 1 || u.LastError == "" || !u.NextAt.After(time.Now()) {
			t.Fatalf("failed row: %+v", u)
		}
		// Crash: pretend the marks of two sent rows were lost.
		_ = db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Model(&Usage{}).Where("event_id IN ?", []string{"ev1", "ev2"}).Updates(map[string]any{"sent_at": nil}).Error
		})
		w.fake.Fail = nil
		_ = db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return tx.Model(&Usage{}).Where("sent_at IS NULL").Update("next_at", time.Now().Add(-time.Second)).Error
		})
		if n, err := d.Drain(context.Background()); err != nil || n != 6 {
			t.Fatalf("resent %d, %v", n, err)
		}
		if distinct, calls := w.fake.Counts(); distinct != 20 || calls != 24 {
			t.Fatalf("distinct %d, calls %d; want 20 distinct of 24 calls", distinct, calls)
		}
		if n, _ := d.Drain(context.Background()); n != 0 {
			t.Fatalf("a drained ledger sent %d more", n)
		}
	})
}

// TestMeterFromOutbox: agreement events published through the outbox reach
// the meter (the subscriber decodes them by type name).
func TestMeterFromOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		d, err := events.NewDispatcher(db, nil)
		if err != nil {
			t.Fatal(err)
		}
		d.Poll = 50 * time.Millisecond
		w.s.Subscribe(d)
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", UnitOre: 15000})
		_, _ = w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID})
		if err := db.Tx(storetest.Ctx(w.tid), func(tx *gorm.DB) error {
			return events.Emit(tx, events.AgreementSealed{AgreementStep: events.AgreementStep{AgreementID: "ag1", ByOrgID: w.orgA, ToOrgID: w.orgB}, Tonnes: 10})
		}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := d.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		usage, _ := w.s.Usage(w.admin, PeriodStart(db.Now()), PeriodEnd(PeriodStart(db.Now())), "")
		if len(usage) != 1 || usage[0].OrgID != w.orgA || usage[0].Quantity != 1 {
			t.Fatalf("usage %+v", usage)
		}
		// Reported promptly, in the event's delivery, not left to the drain.
		if n, _ := w.fake.Counts(); n != 1 {
			t.Fatalf("meter events sent in the delivery: %d", n)
		}
	})
}

func TestPreviewProration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		small, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 30000, UnitOre: 10000})
		big, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Stor", LicenceOre: 60000, UnitOre: 10000})
		sub, _ := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: small.ID})
		start := PeriodStart(db.Now())
		// Put the subscription at the period's start and the change at day 11.
		change := start.Add(10 * 24 * time.Hour)
		_ = db.Tx(w.admin, func(tx *gorm.DB) error {
			return tx.Model(&Subscription{}).Where("id = ?", sub.ID).Updates(map[string]any{"plan_id": big.ID, "prev_plan_id": small.ID, "changed_at": change}).Error
		})
		history(t, db, w.admin, sub.ID, PlanChange{PlanID: &small.ID, At: start}, PlanChange{PlanID: &big.ID, At: change})
		_ = w.s.Record(storetest.Ctx(w.tid), "e1", start.Add(time.Hour), sealed("ag1", w.orgA, w.orgB, 5))
		d, err := w.s.Preview(w.orgAdminA, w.orgA, start)
		if err != nil {
			t.Fatal(err)
		}
		// Prorated by calendar days: a month with the clock change to
		// summer time has its 31 days too (at 2030-03-10 this test once
		// found 30.96 elapsed days against a line saying 31).
		days := monthDays(start)
		used := 10.0
		wantNet := divRound(30000*int64(used*1000+0.5), int64(days*1000+0.5)) + divRound(60000*int64((days-used)*1000+0.5), int64(days*1000+0.5)) + 10000
		if len(d.Lines) != 3 || d.NetOre != wantNet || d.VATOre != divRound(wantNet*25, 100) || d.TotalOre != d.NetOre+d.VATOre {
			t.Fatalf("preview %+v, want net %d", d, wantNet)
		}
		if d.Lines[0].Text == "" || d.Lines[2].Text[:8] != "Signerte" {
			t.Fatalf("lines %+v", d.Lines)
		}
		if want := fmt.Sprintf("(forholdsmessig, 10 av %d dager)", int(days)); !strings.HasSuffix(d.Lines[0].Text, want) {
			t.Errorf("licence line %q, want it to end %q", d.Lines[0].Text, want)
		}
		// Every change is prorated, not only the last: small for 10 days,
		// big for 10, free for 5, small again for the rest.
		s := start.In(oslo) // day 26 in Oslo: the clock change may come before it
		back := time.Date(s.Year(), s.Month(), 26, 0, 0, 0, 0, oslo).UTC()
		history(t, db, w.admin, sub.ID, PlanChange{PlanID: &small.ID, At: start}, PlanChange{PlanID: &big.ID, At: change},
			PlanChange{At: start.Add(20 * 24 * time.Hour)}, PlanChange{PlanID: &small.ID, At: back})
		d, err = w.s.Preview(w.orgAdminA, w.orgA, start)
		if err != nil {
			t.Fatal(err)
		}
		part := func(ore int64, n float64) int64 { return divRound(ore*int64(n*1000+0.5), int64(days*1000+0.5)) }
		wantNet = part(30000, 10) + part(60000, 10) + part(30000, days-25) + 10000
		if len(d.Lines) != 4 || d.NetOre != wantNet || !strings.Contains(d.Lines[1].Text, "«Stor»") || !strings.Contains(d.Lines[2].Text, fmt.Sprintf("%d av", int(days)-25)) {
			t.Fatalf("three changes: %+v, want net %d", d.Lines, wantNet)
		}
		// A change after the month (closed late) does not reach back.
		history(t, db, w.admin, sub.ID, PlanChange{PlanID: &small.ID, At: start}, PlanChange{PlanID: &big.ID, At: PeriodEnd(start).Add(time.Hour)})
		if d, err = w.s.Preview(w.orgAdminA, w.orgA, start); err != nil || len(d.Lines) != 2 || d.NetOre != 30000+10000 {
			t.Fatalf("a change after the month: %+v %v", d, err)
		}
	})
}

// monthDays is the number of days of the Oslo month starting at start.
func monthDays(start time.Time) float64 {
	s := start.In(oslo)
	return float64(time.Date(s.Year(), s.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
}

// TestCalendarDays: proration counts Oslo calendar days, so the months
// with a clock change have whole days like every other.
func TestCalendarDays(t *testing.T) {
	for _, c := range []struct {
		month string
		want  float64
	}{{"2030-03", 31}, {"2030-10", 31}, {"2031-03", 31}, {"2030-02", 28}, {"2032-02", 29}, {"2030-06", 30}} {
		m, err := time.ParseInLocation("2006-01", c.month, oslo)
		if err != nil {
			t.Fatal(err)
		}
		start := PeriodStart(m)
		if got := calendarDays(start, PeriodEnd(start)); got != c.want {
			t.Errorf("%s: %v days, want %v", c.month, got, c.want)
		}
	}
	// Across the change to summer time: from noon on 30 March 2030 to
	// midnight on 1 April is 1.5 days by the calendar (35 hours elapsed).
	from := time.Date(2030, 3, 30, 12, 0, 0, 0, oslo)
	to := time.Date(2030, 4, 1, 0, 0, 0, 0, oslo)
	if got := calendarDays(from, to); got != 1.5 {
		t.Errorf("30 March noon to 1 April: %v days", got)
	}
}

type bytesBuffer = bytes.Buffer

// parseExport reads the export's units per organization.
func parseExport(t *testing.T, s string) map[string]int64 {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, "\uFEFF")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, row := range rows[1:] {
		n, _ := strconv.ParseInt(row[3], 10, 64)
		out[row[0]] += n
	}
	return out
}

// due makes every unsent usage row of the tenant due for the background
// drain (new rows wait promptGrace for the meter's prompt report).
func due(t *testing.T, db *store.DB, tid string) {
	t.Helper()
	if err := db.Tx(storetest.Ctx(tid), func(tx *gorm.DB) error {
		return tx.Model(&Usage{}).Where("sent_at IS NULL").Update("next_at", time.Now().Add(-time.Second)).Error
	}); err != nil {
		t.Fatal(err)
	}
}

// TestStaleUsageAlert: usage the provider has not taken for 30 days is
// counted for the admin's warning and logged at error level (Stripe
// refuses meter events older than 35 days).
func TestStaleUsageAlert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := setup(t, db)
		var logs bytes.Buffer
		w.s.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		p, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Standard", UnitOre: 100})
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: p.ID}); err != nil {
			t.Fatal(err)
		}
		old := db.Now().Add(-31 * 24 * time.Hour)
		if err := w.s.Record(storetest.Ctx(w.tid), "old", old, sealed("ag-old", w.orgA, "", 1)); err != nil {
			t.Fatal(err)
		}
		if err := w.s.Record(storetest.Ctx(w.tid), "new", db.Now(), sealed("ag-new", w.orgA, "", 1)); err != nil {
			t.Fatal(err)
		}
		w.fake.Fail = func(string) error { return errors.New("provider down") }
		due(t, db, w.tid)
		if _, err := (&Drainer{S: w.s}).Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n, err := w.s.Stale(w.admin); err != nil || n != 1 {
			t.Fatalf("stale %d, %v", n, err)
		}
		if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "35 days") {
			t.Fatalf("no error-level alert: %s", logs.String())
		}
		if n, _ := w.s.Stale(storetest.Ctx(w.rog, access.From(w.admin))); n != 0 {
			t.Fatal("another region sees the stale usage")
		}
	})
}

// TestSubscriptionFromBeforeTheHistory: a subscription written before the
// plan changes were kept is invoiced from its last change; its next change
// first writes what is known of it, so the month keeps every stretch.
func TestSubscriptionFromBeforeTheHistory(t *testing.T) {
	start := monthOf()
	s := start.In(oslo)
	day := func(n int) time.Time { return time.Date(s.Year(), s.Month(), n, 0, 0, 0, 0, oslo).UTC() }
	mc := clock.NewManual(day(26))
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(day(26))
		w := setup(t, db)
		small, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Liten", LicenceOre: 30000, UnitOre: 10000})
		big, _ := w.s.SavePlan(w.admin, "", PlanForm{Name: "Stor", LicenceOre: 60000, UnitOre: 10000})
		sub, err := w.s.Assign(w.admin, w.orgA, AssignInput{PlanID: small.ID})
		if err != nil {
			t.Fatal(err)
		}
		// As it was stored before: small from the 1st, big from the 11th,
		// and no history rows.
		if err := db.Tx(w.admin, func(tx *gorm.DB) error {
			if err := tx.Where("subscription_id = ?", sub.ID).Delete(&PlanChange{}).Error; err != nil {
				return err
			}
			return tx.Model(&Subscription{}).Where("id = ?", sub.ID).Updates(map[string]any{"created_at": day(1), "plan_id": big.ID, "prev_plan_id": small.ID, "changed_at": day(11)}).Error
		}); err != nil {
			t.Fatal(err)
		}
		days := monthDays(start)
		part := func(ore int64, n float64) int64 { return divRound(ore*int64(n*1000+0.5), int64(days*1000+0.5)) }
		d, err := w.s.Preview(w.admin, w.orgA, start)
		if err != nil || len(d.Lines) != 2 || d.NetOre != part(30000, 10)+part(60000, days-10) {
			t.Fatalf("read from its last change: %+v %v", d, err)
		}
		// On the 26th it goes free: small 10 days, big 15, nothing after.
		sub, _ = w.s.Subscription(w.admin, w.orgA)
		if _, err := w.s.Assign(w.admin, w.orgA, AssignInput{Free: true, Version: sub.Version}); err != nil {
			t.Fatal(err)
		}
		d, err = w.s.Preview(w.admin, w.orgA, start)
		if err != nil || len(d.Lines) != 2 || d.NetOre != part(30000, 10)+part(60000, 15) || !d.Free {
			t.Fatalf("after a change: %+v %v", d, err)
		}
	}, storetest.Clock(mc))
}
