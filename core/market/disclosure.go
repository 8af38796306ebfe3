package market

import (
	"context"

	"github.com/masseflyt/masseflyt/core/access"
)

// Disclosures answers what listing owners revealed in dialogs (B6):
// core/dialog implements it and the app sets Service.Disclosures, so the
// market never imports the dialogs.
type Disclosures interface {
	// DisclosedTo reports whether the owner of listing listingID has
	// disclosed its exact point, quantity and price to one of the
	// organizations orgIDs (the counterpart of a dialog), and not taken it
	// back.
	DisclosedTo(ctx context.Context, listingID string, orgIDs []string) (bool, error)
}

// ViewFor is View for one listing, plus what its owner disclosed to the
// actor's organization in a dialog: a counterpart's members see the
// listing in full, price included, while the disclosure stands. Without a
// Disclosures hook it is View.
func (s *Service) ViewFor(ctx context.Context, l *Listing) (any, error) {
	acc := AccessTo(ctx, l)
	if s.Disclosures == nil || acc == Full || acc == Hidden {
		return View(ctx, l), nil
	}
	a := access.From(ctx)
	orgs := make([]string, 0, len(a.Principal.Orgs))
	for id := range a.Principal.Orgs {
		orgs = append(orgs, id)
	}
	if len(orgs) == 0 {
		return View(ctx, l), nil
	}
	ok, err := s.Disclosures.DisclosedTo(ctx, l.ID, orgs)
	if err != nil {
		return nil, err
	}
	if ok {
		cp := *l
		return &cp, nil
	}
	return View(ctx, l), nil
}
