package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
)

// seedTransport adds the demo's transports (K7, K8): on the signed agreement Fornebu →
// Vestmarka, Kari asked Lysaker Transport for trucks and Lars accepted (an
// order with its planned loads), and a second request waits for his
// answer; Lars registered two transports agreed outside Masseflyt, so the
// overview of planned transports has something to show.
func seedTransport(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	id := func(table, where string, args ...any) (string, error) {
		return firstID(base, s, "transport", table, where, args...)
	}
	orgOf := func(key string) (string, error) { return demoOrgID(base, s, "transport", t, key) }
	as := func(email, org string, roles ...string) (context.Context, error) {
		u, err := s.Users.ByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		p := &auth.Principal{User: u, AAL: auth.AAL2, Orgs: map[string]string{org: "admin"}, Roles: append([]string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin}, roles...)}
		return access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p}), nil
	}
	fornebu, err := orgOf("fornebu-anlegg")
	if err != nil {
		return err
	}
	lysaker, err := orgOf("lysaker-transport")
	if err != nil {
		return err
	}
	ag, err := id("agreements", "status = ? AND supplier_org_id = ?", string(agreement.StatusSealed), fornebu)
	if err != nil {
		return nil // no signed agreement to book on (a region seeded before agreements)
	}
	kari, err := as("kari@fornebu-anlegg.no", fornebu)
	if err != nil {
		return err
	}
	lars, err := as("lars@lysaker-transport.no", lysaker, auth.RoleTransporter)
	if err != nil {
		return err
	}
	svc := &transport.Service{DB: s.DB}
	b, err := svc.Booking(kari, ag)
	if err != nil {
		return fmt.Errorf("demo transport: %w", err)
	}
	// Weeks from the next Monday (or the agreement's start), within its period.
	now := s.DB.Now()
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7-((int(now.Weekday())+6)%7))
	if from, err := time.Parse(time.DateOnly, b.PeriodFrom); err == nil && from.After(start) {
		start = from
	}
	end := func(weeks int) string {
		d := start.AddDate(0, 0, 7*weeks-3)
		if to, err := time.Parse(time.DateOnly, b.PeriodTo); err == nil && d.After(to) {
			d = to
		}
		return d.Format(time.DateOnly)
	}
	price := 1450.0
	r, err := svc.Request(kari, ag, transport.RequestInput{TransporterOrgID: lysaker, Message: "Vi trenger fire-akslede biler fra tunnelpåhugget, helst HVO eller elektrisk.",
		SpecInput: transport.SpecInput{DateFrom: start.Format(time.DateOnly), DateTo: end(6), TimeWindows: "06:30-11:00, 11:30-15:30", LoadsPerDay: 14,
			MinEuroClass: "euro6", Fuels: []string{"hvo", "electric"}, MaxAxles: 4, PriceNOK: &price, PriceUnit: "load"}})
	if err == nil {
		_, err = svc.Answer(lars, r.ID, transport.AnswerInput{Answer: transport.AnswerPartly, LoadsPerDay: 10, AnswerReason: "Vi har ti lass om dagen ledig de første ukene."})
	}
	if err == nil {
		_, err = svc.Request(kari, ag, transport.RequestInput{TransporterOrgID: lysaker, Message: "Kan dere ta resten med semitrailer?",
			SpecInput: transport.SpecInput{DateFrom: start.Format(time.DateOnly), DateTo: end(4), LoadsPerDay: 4}})
	}
	if err != nil {
		return fmt.Errorf("demo transport requests: %w", err)
	}
	quarry, err := id("sites", "name = ?", "Vestmarka pukkverk")
	if err != nil {
		return err
	}
	for _, p := range []transport.ScheduleInput{
		{FromSiteID: quarry, ToName: "Lysaker brygge, byggetrinn 3", ToLat: 59.9128, ToLon: 10.6420, Fraction: "pukk", Tonnes: 4200, LoadsPerDay: 6, Note: "Pukk til bærelag; avtalt direkte med entreprenøren."},
		{FromName: "Fornebuporten", FromLat: 59.8990, FromLon: 10.6190, ToSiteID: quarry, Fraction: "sprengstein", Tonnes: 9000, LoadsPerDay: 8},
	} {
		p.DateFrom, p.DateTo = start.AddDate(0, 0, 7).Format(time.DateOnly), start.AddDate(0, 0, 7*8-3).Format(time.DateOnly)
		if _, err := svc.CreatePlan(lars, p); err != nil {
			return fmt.Errorf("demo transport plan: %w", err)
		}
	}
	return nil
}
