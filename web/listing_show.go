package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// ListingData feeds the listing page.
type ListingData struct {
	Listing   *market.Listing
	Public    *market.PublicView
	Full      bool
	CanEdit   bool
	Matches   []matching.Match
	Samples   []market.Sample
	Documents []market.Document
	DocKinds  []string
	CanDocs   bool
	Params    []market.Parameter
	Fraction  *market.Fraction
	FactorSet string
	// FindingMatches: match discovery for the listing has not finished.
	FindingMatches bool
	// ClassAdvice: the listing's contamination class removed every match;
	// receivers whose permits take it.
	ClassAdvice *matching.ClassAdvice
	// Agreed is what agreements in force or completed took of the listing
	// (K6), shown to those with full access with what is left.
	Agreed, Left float64
}

// qualityPage is how many samples and documents the listing page shows.
var qualityPage = page.Request{Limit: market.SampleBounds.Max}

func (u *UI) listingShow(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	l, err := u.A.Market.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	d := &ListingData{Params: market.TA2553, FactorSet: u.A.Matching.Engine.Factors.Name, DocKinds: market.DocumentKinds}
	d.Fraction, _ = market.FractionByCode(l.Fractions[0])
	view, err := u.A.Market.ViewFor(ctx, l) // with what the owner disclosed in a dialog (B6)
	if err != nil {
		return err
	}
	switch v := view.(type) {
	case market.PublicView:
		d.Public = &v
	case *market.Listing:
		d.Listing = v
	}
	if d.Listing != nil && market.AccessTo(ctx, l) == market.Full {
		d.Full = true
		d.CanEdit = request.CanEditOrg(c, l.OrganizationID)
		if d.Matches, err = u.A.Matching.Best(ctx, l, 20); err != nil {
			return err
		}
		if len(d.Matches) == 0 {
			if d.ClassAdvice, err = u.A.Matching.AdviseClass(ctx, l); err != nil {
				return err
			}
		}
		d.FindingMatches = u.A.Matching.Discovering(ctx, l.ID)
		if d.Agreed, err = u.A.Market.Agreed(ctx, l.ID); err != nil {
			return err
		}
		d.Left = max(l.QuantityTonnes-d.Agreed, 0)
		d.Matches = matchesLeft(d.Matches, d.Agreed, d.Left)
		samples, err := u.A.Market.Samples(ctx, l.ID, qualityPage)
		if err != nil {
			return err
		}
		d.Samples = samples.Items
	}
	if d.Listing != nil {
		d.CanDocs = true
		docs, err := u.A.Market.Documents(ctx, l.ID, qualityPage)
		if err != nil {
			return err
		}
		d.Documents = docs.Items
	}
	return u.render(c, "listing", u.page(c, l.Title, d))
}

// listingShowWithError shows the listing page of its owner with a form's
// errors (a sample, an upload or an import that was refused).
func (u *UI) listingShowWithError(c *fiber.Ctx, ferr error) error {
	ctx := request.Ctx(c)
	l, err := u.A.Market.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	d := &ListingData{Listing: l, Full: true, CanEdit: true, CanDocs: true, Params: market.TA2553, FactorSet: u.A.Matching.Engine.Factors.Name, DocKinds: market.DocumentKinds}
	d.Fraction, _ = market.FractionByCode(l.Fractions[0])
	if d.Matches, err = u.A.Matching.Best(ctx, l, 20); err != nil {
		return err
	}
	samples, err := u.A.Market.Samples(ctx, l.ID, qualityPage)
	if err != nil {
		return err
	}
	docs, err := u.A.Market.Documents(ctx, l.ID, qualityPage)
	if err != nil {
		return err
	}
	d.Samples, d.Documents = samples.Items, docs.Items
	return u.formFailed(c, "listing", u.page(c, l.Title, d), ferr)
}

func (u *UI) listingStatus(c *fiber.Ctx) error {
	status := market.Status(c.Params("status"))
	if !status.Settable() {
		return httpx.NotFound()
	}
	if _, err := u.A.Market.SetStatus(request.Ctx(c), c.Params("id"), status); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) listingDismiss(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	l, err := u.A.Market.Editable(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	if err := u.A.Matching.Dismiss(ctx, l, c.Params("counterpart")); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+l.ID+"?notice=Saved#matches", fiber.StatusSeeOther)
}
