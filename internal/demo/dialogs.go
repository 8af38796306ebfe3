package demo

import (
	"context"
	"fmt"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/tenants"
)

// The demo's dialogs about masses (K11), written through the domain as
// their people would: in Bærum, Ola of Sandvika Bygg asks Fornebu Anlegg
// about the showcase rock for the Fjordpark, from the match, and Kari
// answers and discloses the price (B6); Lars of Lysaker Transport offers to
// drive it; Kari asks Sandvika about the Fjordpark's need, unread.

// seedDialogs adds the demo's dialogs to the new region t (inside its
// seed transaction, as every part: SeedWith).
func seedDialogs(ctx context.Context, s seed.Services, t *tenants.Tenant) error {
	base := access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb"})
	id := func(table, where string, args ...any) (string, error) {
		return firstID(base, s, "dialogs", table, where, args...)
	}
	as := func(email, orgKey string) (context.Context, error) {
		u, err := s.Users.ByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		var org string
		for _, o := range Orgs {
			if o.Key == orgKey && o.Tenant == "baerum" {
				if org, err = id("organizations", "org_number = ?", o.OrgNumber); err != nil {
					return nil, err
				}
			}
		}
		p := &auth.Principal{User: u, Orgs: map[string]string{org: "member"}, Roles: []string{auth.RoleAnonymous, auth.RoleAuthenticated, auth.RoleMember}}
		return access.With(ctx, &access.Actor{TenantID: t.ID, TenantSlug: t.Slug, Locale: "nb", Principal: p}), nil
	}
	kari, err := as("kari@fornebu-anlegg.no", "fornebu-anlegg")
	if err != nil {
		return err
	}
	ola, err := as("ola@sandvika-bygg.no", "sandvika-bygg")
	if err != nil {
		return err
	}
	lars, err := as("lars@lysaker-transport.no", "lysaker-transport")
	if err != nil {
		return err
	}
	rock, err := id("listings", "title = ?", KeyListing)
	if err != nil {
		return err
	}
	park, err := id("listings", "title = ?", "Fyllmasser til Sandvika Fjordpark")
	if err != nil {
		return err
	}
	svc := &dialog.Service{DB: s.DB, Market: s.Market, Blobs: s.Market.Blobs}
	say := func(ctx context.Context, d *dialog.Dialog, text string) error {
		_, err := svc.Post(ctx, d.ID, dialog.PostInput{Text: text}, nil)
		return err
	}
	d, _, err := svc.Open(ola, dialog.OpenInput{ListingID: rock, MatchListingID: park,
		Text: "Hei! Vi ser at sprengsteinen fra Fornebubanen passer til fyllingen i Sandvika Fjordpark. Kan dere levere 15 000 t fra april? Hvilken pris ser dere for dere?"})
	if err == nil {
		err = say(kari, d, "Hei Ola, takk for henvendelsen. Ja, vi har masser fra tunnelen fra uke 14. Jeg deler pris og nøyaktig uttakspunkt med dere her.")
	}
	if err == nil {
		_, err = svc.SetDisclosure(kari, d.ID, true)
	}
	if err == nil {
		err = say(ola, d, "Supert. Vi trenger bilde av massene og analyserapporten før vi bestemmer oss. Kan dere legge den ved?")
	}
	if err == nil {
		err = say(kari, d, "Analysen ligger som dokument på annonsen – tilstandsklasse 1. Vi kan kjøre en prøvelast neste uke.")
	}
	if err == nil {
		err = svc.MarkRead(ola, d.ID)
	}
	if err != nil {
		return fmt.Errorf("demo dialog (Sandvika): %w", err)
	}
	d, _, err = svc.Open(lars, dialog.OpenInput{ListingID: rock, Text: "Vi har ledige firakslede tippbiler i vår og kjører gjerne massene fra Fornebu. Si fra hvor de skal."})
	if err != nil {
		return fmt.Errorf("demo dialog (Lysaker): %w", err)
	}
	if _, _, err = svc.Open(kari, dialog.OpenInput{ListingID: park, Text: "Hei! Når trenger dere de første lassene til Fjordparken, og tar dere imot morene også?"}); err != nil {
		return fmt.Errorf("demo dialog (Fornebu): %w", err)
	}
	return nil
}
