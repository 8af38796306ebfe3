package demo

import (
	"context"
	"fmt"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/agreement"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/plugins/esign/simple"
	"github.com/masseflyt/masseflyt/tenants"
)

// The demo's agreements (K6), made through the domain as their people
// would: in Bærum, Fornebu Anlegg delivers 20 000 t of blasted rock from
// Fornebubanen to Vestmarka pukkverk at its gate fee (signed by Kari and
// Sara), and has proposed clean rock and moraine to Sandvika Fjordpark
// (awaiting Ola's organization's answer).

// AgreementSigner is the demo's signatory at Vestmarka Pukk.
const AgreementSigner = "sara@vestmarka-pukk.no"

func init() {
	Users = append(Users, seed.User{Email: AgreementSigner, Name: "Sara Steinbrudd", Tenant: "baerum", Org: "vestmarka-pukk", OrgRole: directory.AdminRole, Message: "Daglig leder; signerer avtaler for pukkverket."})
}

// seedAgreements adds the demo's agreements to the new region t.
func seedAgreements(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	id := func(table, where string, args ...any) (string, error) {
		return firstID(base, s, "agreements", table, where, args...)
	}
	orgOf := func(key string) (string, error) { return demoOrgID(base, s, "agreements", t, key) }
	as := func(email, org string) (context.Context, error) {
		u, err := s.Users.ByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		p := &auth.Principal{User: u, AAL: auth.AAL2, Orgs: map[string]string{org: "admin"}, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember, auth.RoleOrgAdmin}}
		return access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p}), nil
	}
	fornebu, err := orgOf("fornebu-anlegg")
	if err != nil {
		return err
	}
	vestmarka, err := orgOf("vestmarka-pukk")
	if err != nil {
		return err
	}
	rock, err := id("listings", "title = ?", KeyListing)
	if err != nil {
		return err
	}
	quarry, err := id("listings", "organization_id = ? AND kind = 'capacity'", vestmarka)
	if err != nil {
		return err
	}
	park, err := id("listings", "title = ?", "Fyllmasser til Sandvika Fjordpark")
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
	svc := &agreement.Service{DB: s.DB, Market: s.Market, Signer: simple.Signer{}}
	// Signed: rock to the quarry at its gate fee.
	in, err := svc.NewInput(kari, agreement.Start{ListingID: rock, CounterpartID: quarry})
	if err != nil {
		return err
	}
	in.Title, in.QuantityTonnes, in.OpeningHours = "Sprengstein fra Fornebubanen til Vestmarka pukkverk", 20000, "Man–fre 06:30–16:00"
	ag, err := svc.Create(kari, in)
	if err == nil {
		_, err = svc.Propose(kari, ag.ID)
	}
	if err == nil {
		_, err = svc.Accept(sara, ag.ID, 1)
	}
	if err == nil {
		_, err = svc.Sign(kari, ag.ID, 1)
	}
	if err == nil {
		_, err = svc.Sign(sara, ag.ID, 1)
	}
	if err != nil {
		return fmt.Errorf("demo agreement (signed): %w", err)
	}
	// Proposed: rock to Sandvika Fjordpark, awaiting Sandvika's answer.
	if in, err = svc.NewInput(kari, agreement.Start{ListingID: park}); err != nil {
		return err
	}
	sandvika, err := orgOf("sandvika-bygg")
	if err != nil {
		return err
	}
	in.Supplier.OrganizationID, in.Receiver.OrganizationID = fornebu, sandvika
	in.ListingIDs = []string{rock, park}
	in.Fractions, in.QuantityTonnes, in.PriceNOK, in.Transport = []string{"sprengstein"}, 15000, 20, "supplier"
	in.Title = "Sprengstein til Sandvika Fjordpark"
	if in.DeliveryPoint == "" {
		in.DeliveryPoint = "Sandvika Fjordpark, Kadettangen"
	}
	if in.OpeningHours == "" {
		in.OpeningHours = "Man–fre 07:00–15:00"
	}
	if ag, err = svc.Create(kari, in); err == nil {
		_, err = svc.Propose(kari, ag.ID)
	}
	if err != nil {
		return fmt.Errorf("demo agreement (proposed): %w", err)
	}
	return nil
}
