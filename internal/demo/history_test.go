package demo_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/core/usage"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/seed"
)

// checkHistory (run by TestDemoLoads on its seeded demo, so the suite
// seeds once for both): the demo's Bærum has months of history laid out
// relative to the clock: the history's agreements signed four to five
// months ago on the region's real projects, hundreds of delivered loads
// from then until days ago, a few flagged, exactly one rejected load in
// the region (today's), every chain verifying; the realized figures are
// published (not suppressed) and the usage export counts the history.
func checkHistory(t *testing.T, db *store.DB, s seed.Services) {
	t.Helper()
	{
		var err error
		tn, _ := s.Tenants.BySlug("baerum")
		ctx := store.WithTenant(context.Background(), tn.ID)
		now := db.Now()
		var ags []struct {
			ID       string
			SealedAt time.Time
		}
		var loads, rejected, speed, far, partly int64
		var first, last time.Time
		err = db.Read(ctx, func(tx *gorm.DB) error {
			if err := tx.Table("agreements").Select("id, sealed_at").Where("sealed_at < ?", now.AddDate(0, 0, -30)).Order("sealed_at").Scan(&ags).Error; err != nil {
				return err
			}
			q := func(where string, n *int64) error { return tx.Table("loads").Where(where).Count(n).Error }
			for _, c := range []struct {
				where string
				n     *int64
			}{{"kind = 'delivery' AND status IN ('received', 'partly_accepted')", &loads}, {"status = 'rejected'", &rejected},
				{"flags LIKE '%\"speed\"%'", &speed}, {"flags LIKE '%far_from_site%'", &far}, {"status = 'partly_accepted'", &partly}} {
				if err := q(c.where, c.n); err != nil {
					return err
				}
			}
			var ts []time.Time
			if err := tx.Table("loads").Where("received_at IS NOT NULL").Order("received_at").Pluck("received_at", &ts).Error; err != nil {
				return err
			}
			if len(ts) > 0 {
				first, last = ts[0], ts[len(ts)-1]
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ags) != len(demo.History) || ags[0].SealedAt.After(now.AddDate(0, -4, 0)) {
			t.Fatalf("history agreements %+v, want %d, the first sealed over four months ago", ags, len(demo.History))
		}
		if loads < 150 || rejected != 1 || speed < 1 || far < 1 || partly < 2 {
			t.Errorf("loads received %d, rejected %d (want exactly 1), too fast %d, far from the site %d, partly accepted %d", loads, rejected, speed, far, partly)
		}
		if first.After(now.AddDate(0, -4, 0)) || last.Before(now.AddDate(0, 0, -1)) || last.After(now) {
			t.Errorf("loads received from %s to %s: want from over four months ago until today", first, last)
		}
		// Every history chain verifies.
		l := &ledger.Ledger{DB: db}
		for _, ag := range ags {
			rep, err := l.Verify(ctx, ag.ID)
			if err != nil || rep.Broken != nil || rep.Size < 10 {
				t.Fatalf("chain of %s: %+v, %v", ag.ID, rep, err)
			}
		}
		// The realized figures and the usage export see the history.
		st, err := (&stats.Service{DB: db}).For(ctx, tn.ID, tn.Slug)
		if err != nil {
			t.Fatal(err)
		}
		r := st.Realized
		if r == nil || r.Suppressed || r.Agreements < 3 || r.Reused == "" || r.CO2eSavedTonnes == nil || r.MedianDaysToFirstAgreement == nil || r.MedianDaysToFirstDelivery == nil {
			t.Errorf("realized figures: %+v", r)
		}
		admin := access.With(ctx, &access.Actor{TenantID: tn.ID, TenantSlug: tn.Slug, Locale: "nb", Principal: &auth.Principal{Roles: []string{auth.RoleTenantAdmin}}})
		rep, err := (&usage.Service{DB: db}).Report(admin, now.AddDate(0, -6, 0), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total.Agreements < 2*len(demo.History) || rep.Total.Loads < 2*int(loads) || len(rep.Lines) < 6 {
			t.Errorf("usage over the history: %+v", rep.Total)
		}
	}
}
