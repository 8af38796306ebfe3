package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
)

// seedLoads adds the demo's tracked loads (K9, K10), on Lysaker Transport's order under the signed
// agreement Fornebu → Vestmarka, through the protocol as its people would
// do it: Lars departs, Kari releases at Fornebubanen, Sara receives at the
// quarry's gate. Four loads are received (one without a weighbridge value,
// the only one flagged), one partly accepted, one rejected (with its return
// load), one is on the road and one waits at Fornebu for its release; so
// the gate, the load list, the flags and the ledger chain have something
// to show.
func seedLoads(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	if s.Haul == nil || s.Haul.Orders == nil || s.Haul.Ledger == nil {
		return nil
	}
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	pluck := func(table, where string, args ...any) string {
		var out string
		_ = s.DB.Read(base, func(tx *gorm.DB) error {
			return tx.Table(table).Where(where, args...).Order("id").Limit(1).Pluck("id", &out).Error
		})
		return out
	}
	org := func(key string) string {
		for _, o := range Orgs {
			if o.Key == key && o.Tenant == "baerum" {
				return pluck("organizations", "org_number = ?", o.OrgNumber)
			}
		}
		return ""
	}
	fornebu, vestmarka, lysaker := org("fornebu-anlegg"), org("vestmarka-pukk"), org("lysaker-transport")
	order := pluck("transport_orders", "status = ? AND transporter_org_id = ? AND supplier_org_id = ?", "active", lysaker, fornebu)
	if order == "" || vestmarka == "" {
		return nil // no order to drive on (a region seeded before transports)
	}
	as := func(email, orgID string, roles ...string) (context.Context, error) {
		u, err := s.Users.ByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		p := &auth.Principal{User: u, AAL: auth.AAL2, Orgs: map[string]string{orgID: "admin"}, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin}, roles...)}
		return access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p}), nil
	}
	lars, err := as("lars@lysaker-transport.no", lysaker, auth.RoleTransporter)
	if err != nil {
		return err
	}
	kari, err := as("kari@fornebu-anlegg.no", fornebu)
	if err != nil {
		return err
	}
	sara, err := as(AgreementSigner, vestmarka)
	if err != nil {
		return err
	}
	hvo, electric := pluck("vehicles", "registration = ?", "EB12345"), pluck("vehicles", "registration = ?", "EL34567")
	// Positions by the sites (Fornebubanen's tunnel entrance, the quarry).
	depLat, depLon, arrLat, arrLon := 59.8990, 10.6190, 59.9262, 10.4305
	// The phones' times: a load every 45 minutes since six hours ago, 5
	// minutes to its release and 30 on the road (11 km), so the two trucks
	// are never in two places at once and nobody drove too fast.
	start, n := s.DB.Now().Add(-6*time.Hour), 0
	at := func(d time.Duration) string {
		return start.Add(time.Duration(n)*45*time.Minute + d).Format(time.RFC3339)
	}
	depart := func(vehicle string, tonnes float64) (*haul.Load, error) {
		n++
		return s.Haul.Depart(lars, haul.DepartInput{OrderID: order, VehicleID: vehicle, EstTonnes: tonnes, Lat: &depLat, Lon: &depLon, DeviceAt: at(0)})
	}
	onRoad := func(vehicle string, tonnes float64) (*haul.Load, error) {
		l, err := depart(vehicle, tonnes)
		if err != nil {
			return nil, err
		}
		if _, err := s.Haul.Release(kari, haul.ReleaseInput{Code: l.ReleaseCode, Lat: &depLat, Lon: &depLon, DeviceAt: at(5 * time.Minute)}); err != nil {
			return nil, err
		}
		return l, nil
	}
	receive := func(vehicle string, tonnes float64, in haul.ReceiptInput) error {
		l, err := onRoad(vehicle, tonnes)
		if err != nil {
			return err
		}
		in.Code, in.Lat, in.Lon, in.DeviceAt = l.Code, &arrLat, &arrLon, at(35*time.Minute)
		_, err = s.Haul.Receive(sara, l.ID, in)
		return err
	}
	partly := 9.5
	steps := []func() error{
		func() error {
			return receive(hvo, 17, haul.ReceiptInput{WeightTonnes: 17.4, Result: haul.ResultAccepted})
		},
		func() error {
			return receive(electric, 15.5, haul.ReceiptInput{WeightTonnes: 15.8, Result: haul.ResultAccepted})
		},
		func() error {
			return receive(hvo, 17.5, haul.ReceiptInput{WeightTonnes: 17.9, Result: haul.ResultAccepted})
		},
		// The weighbridge was down: only the driver's estimate (flagged).
		func() error { return receive(electric, 15, haul.ReceiptInput{Result: haul.ResultAccepted}) },
		func() error {
			return receive(hvo, 17, haul.ReceiptInput{WeightTonnes: 17.2, Result: haul.ResultPartly, Accepted: &partly,
				Reason: "Om lag halve lasset var blandet med asfaltbiter; den delen går i retur.",
				Checks: []haul.Check{{Key: "foreign_objects", OK: false, Note: "Asfaltbiter i bakre del av lasset."}}})
		},
		func() error {
			return receive(electric, 15, haul.ReceiptInput{WeightTonnes: 15.1, Result: haul.ResultRejected,
				Reason: "Lasset er jord med røtter, ikke sprengstein som avtalt. Returneres til Fornebubanen."})
		},
		func() error { _, err := onRoad(hvo, 17); return err },
		func() error { _, err := depart(electric, 15.5); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo load %d: %w", i+1, err)
		}
	}
	return nil
}
