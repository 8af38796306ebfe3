package usage_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/core/usage"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// TestUsageEqualsMeter is K14: under each billing metric, for two periods
// on either side of a boundary, the usage export's numbers per
// organization equal what the billing meter counted for the same period,
// and both are the hand-counted figures.
func TestUsageEqualsMeter(t *testing.T) {
	for _, metric := range billing.Metrics {
		t.Run(metric, func(t *testing.T) {
			apitest.Each(t, func(t *testing.T, e *apitest.Env) {
				w := haultest.New(e) // its first agreement (400 t) is sealed before either period
				b := e.App.Billing
				if _, err := b.SaveSettings(w.Admin, billing.SettingsInput{Metric: metric, Consequence: billing.ConsequenceBanner}); err != nil {
					t.Fatal(err)
				}
				p, err := b.SavePlan(w.Admin, "", billing.PlanForm{Name: "Standard", LicenceOre: 99000, UnitOre: 15000})
				w.Must(err)
				for _, o := range []string{w.Fornebu, w.Sandvika} {
					_, err := b.Assign(w.Admin, o, billing.AssignInput{PlanID: p.ID})
					w.Must(err)
				}
				e.Settle()
				boundary := func() time.Time {
					time.Sleep(5 * time.Millisecond)
					at := e.App.DB.Now()
					time.Sleep(5 * time.Millisecond)
					return at
				}
				b0 := boundary()
				// Period 1: a new agreement of 300 t; on the first, a load of 20 t,
				// one partly accepted (6 of 12 t) and one rejected.
				_, o2 := w.Sealed(300, 10, 50)
				w.Received(w.Order, 20)
				l := w.OnTheRoad(w.Order, 12)
				six := 6.0
				_, err = w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 12, Result: haul.ResultPartly, Accepted: &six, Reason: "Halve lasset er asfalt."})
				w.Must(err)
				l = w.OnTheRoad(w.Order, 10)
				_, err = w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 10, Result: haul.ResultRejected, Reason: "Feil masse."})
				w.Must(err)
				e.Settle()
				b1 := boundary()
				// Period 2: a third agreement of 150.5 t; a load of 15 t on the second.
				w.Sealed(150.5, 10, 50)
				w.Received(o2, 15)
				e.Settle()
				b2 := boundary()
				type want struct {
					agreements, loads int
					agreed, delivered float64
				}
				periods := []struct {
					name     string
					from, to time.Time
					want     want // for each party (Fornebu and Sandvika alike)
				}{
					{"before the boundary", b0, b1, want{1, 3, 300, 26}},
					{"after the boundary", b1, b2, want{1, 1, 150.5, 15}},
					{"both", b0, b2, want{2, 4, 450.5, 41}},
				}
				for _, pr := range periods {
					rep, err := (&usage.Service{DB: e.App.DB}).Report(w.Admin, pr.from, pr.to)
					w.Must(err)
					by := rep.ByOrg()
					metered, err := b.Usage(w.Admin, pr.from, pr.to, "")
					w.Must(err)
					got := map[string]int64{}
					for _, m := range metered {
						if m.Metric == metric {
							got[m.OrgID] += m.Quantity
						}
					}
					for _, org := range []string{w.Fornebu, w.Sandvika} {
						x := by[org]
						if x.Agreements != pr.want.agreements || x.Loads != pr.want.loads || x.AgreedTonnes != pr.want.agreed || x.DeliveredTonnes != pr.want.delivered {
							t.Errorf("%s: export for %s: %+v, want %+v", pr.name, x.OrgName, x, pr.want)
						}
						exported := int64(x.Agreements)
						switch metric {
						case billing.MetricTonnes:
							exported = int64(math.Round(x.AgreedTonnes * 1000))
						case billing.MetricReceived:
							exported = int64(math.Round(x.DeliveredTonnes * 1000))
						}
						if got[org] != exported {
							t.Errorf("%s: %s metered %d, export %d", pr.name, x.OrgName, got[org], exported)
						}
					}
					if len(by) != 2 {
						t.Errorf("%s: organizations in the export: %v", pr.name, by)
					}
				}
				// Projects: the parties' sites in the terms.
				rep, err := (&usage.Service{DB: e.App.DB}).Report(w.Admin, b0, b2)
				w.Must(err)
				for _, ln := range rep.Lines {
					if ln.ProjectID != w.FornebuSite && ln.ProjectID != w.SandvikaSite || ln.ProjectName == "" {
						t.Errorf("line without its project: %+v", ln)
					}
				}
				// Only the region's admins read it; another region sees none of it.
				if _, err := (&usage.Service{DB: e.App.DB}).Report(w.Kari, b0, b2); !isKind(err, fail.Forbidden) {
					t.Errorf("an organization admin reads the region's usage: %v", err)
				}
				rt := e.Tenant("rogaland")
				rog := access.With(context.Background(), &access.Actor{TenantID: rt.ID, TenantSlug: rt.Slug, Locale: "nb",
					Principal: &auth.Principal{User: e.User(apitest.TenantAdmin), AAL: auth.AAL2, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleTenantAdmin}}})
				if r, err := (&usage.Service{DB: e.App.DB}).Report(rog, b0, b2); err != nil || len(r.Lines) != 0 {
					t.Errorf("another region's admin sees %v (%v)", r, err)
				}
			})
		})
	}
}

func isKind(err error, k fail.Kind) bool {
	fe, ok := fail.As(err)
	return ok && fe.Kind == k
}

// TestPeriod: the period's days, and bad input named by field.
func TestPeriod(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		from, to   string
		wantFrom   string
		wantTo     string
		bad, field string
	}{
		{"", "", "2026-10-31T23:00:00Z", "2026-11-26T23:00:00Z", "", ""},
		{"2026-03-01", "2026-03-31", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z", "", ""}, // summer time from 29 March
		{"2026-13-01", "", "", "", "invalid", "/from"},
		{"", "26.11.2026", "", "", "invalid", "/to"},
		{"2026-11-02", "2026-11-01", "", "", "order", "/to"},
		{"2010-01-01", "2026-01-01", "", "", "too_long", "/to"},
		{"1999-12-31", "", "", "", "invalid", "/from"},
		{"2026-11-01'; DROP TABLE loads;--", "", "", "", "invalid", "/from"},
	}
	for _, c := range cases {
		t.Run(c.from+"|"+c.to, func(t *testing.T) {
			f, to, err := usage.Period(c.from, c.to, now)
			if c.bad != "" {
				fe, ok := fail.As(err)
				if !ok || len(fe.Fields) != 1 || fe.Fields[0].Pointer != c.field || fe.Fields[0].Code != c.bad {
					t.Fatalf("want %s on %s, got %v", c.bad, c.field, err)
				}
				return
			}
			if err != nil || f.Format(time.RFC3339) != c.wantFrom || to.Format(time.RFC3339) != c.wantTo {
				t.Fatalf("got %s–%s (%v)", f, to, err)
			}
		})
	}
}
