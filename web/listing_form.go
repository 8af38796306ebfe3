package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// ListingForm feeds listing creation.
type ListingForm struct {
	Orgs      []directory.Organization
	Sites     []directory.Site
	Kinds     []string
	Fractions []market.Fraction
	Units     []string
	Uses      []string
	Transport []string
	Picked    []string
	Editing   *market.Listing
	RockTypes []string
}

func (u *UI) listingForm(c *fiber.Ctx) (*ListingForm, error) {
	f := &ListingForm{Kinds: market.Kinds, Fractions: market.Fractions, Units: market.Units, Uses: market.Uses, Transport: market.Transports, RockTypes: market.RockTypes}
	ctx := request.Ctx(c)
	for id := range request.Principal(c).Orgs {
		if o, err := u.A.Directory.GetOrg(ctx, id); err == nil {
			f.Orgs = append(f.Orgs, *o)
			sites, err := u.A.Directory.ListSites(ctx, directory.SiteFilter{OrganizationID: id, Page: page.Request{Limit: 200}})
			if err != nil {
				return nil, err
			}
			f.Sites = append(f.Sites, sites.Items...)
		}
	}
	return f, nil
}

func (u *UI) listingNew(c *fiber.Ctx) error {
	f, err := u.listingForm(c)
	if err != nil {
		return err
	}
	return u.render(c, "listing_form", u.page(c, httpx.Loc(c).T("ListingNew"), f))
}

func (u *UI) listingCreate(c *fiber.Ctx) error {
	v := &fail.Validation{}
	fr := multi(c, "fractions")
	in := &market.ListingInput{Kind: formStr(c, "kind"), Title: formStr(c, "title"), Description: formStr(c, "description"), OrganizationID: formStr(c, "organization_id"),
		Fractions: &fr, Quantity: optFloat(c, "quantity", v), Unit: formStr(c, "unit"), AvailableFrom: formStr(c, "available_from"), AvailableTo: formStr(c, "available_to"),
		Transport: formStr(c, "transport"), Publish: c.FormValue("publish") == "on", PriceNOKPerTonne: optFloat(c, "price_nok_per_tonne", v)}
	if s := c.FormValue("site_id"); s != "" {
		in.SiteID = &s
	}
	if s := c.FormValue("intended_use"); s != "" {
		in.IntendedUse = &s
	}
	pp, ep := c.FormValue("price_public") == "on", c.FormValue("exact_location_public") == "on"
	in.PricePublic, in.ExactLocationPublic = &pp, &ep
	if vis := c.FormValue("visibility"); vis != "" {
		in.Visibility = &vis
	}
	in.Lat, in.Lon = optFloat(c, "lat", v), optFloat(c, "lon", v)
	rockInput(c, in, v)
	var l *market.Listing
	err := v.Err()
	if err == nil {
		l, err = u.A.Market.Create(request.Ctx(c), in)
	}
	if err != nil {
		f, ferr := u.listingForm(c)
		if ferr != nil {
			return ferr
		}
		f.Picked = fr
		return u.formFailed(c, "listing_form", u.page(c, httpx.Loc(c).T("ListingNew"), f), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+l.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) listingEdit(c *fiber.Ctx) error {
	l, err := u.A.Market.Editable(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	f, err := u.listingForm(c)
	if err != nil {
		return err
	}
	f.Editing, f.Picked = l, l.Fractions
	p := u.page(c, l.Title, f)
	p.Form = map[string]string{"kind": l.Kind, "organization_id": l.OrganizationID, "title": l.Title, "description": l.Description,
		"quantity": strconv.FormatFloat(l.QuantityValue, 'f', -1, 64), "unit": l.QuantityUnit, "transport": l.Transport,
		"available_from": l.AvailableFrom.Format("2006-01"), "available_to": l.AvailableTo.Format("2006-01"), "intended_use": l.IntendedUse,
		"lat": strconv.FormatFloat(l.Lat, 'f', -1, 64), "lon": strconv.FormatFloat(l.Lon, 'f', -1, 64)}
	if l.SiteID != nil {
		p.Form["site_id"] = *l.SiteID
	}
	if l.PriceNOKPerTonne != nil {
		p.Form["price_nok_per_tonne"] = strconv.FormatFloat(*l.PriceNOKPerTonne, 'f', -1, 64)
	}
	p.Form["rock_type"] = l.RockType
	for k, f := range map[string]*float64{"grain_min_mm": l.GrainMinMM, "grain_max_mm": l.GrainMaxMM, "la_value": l.LAValue, "micro_deval": l.MicroDeval} {
		if f != nil {
			p.Form[k] = strconv.FormatFloat(*f, 'f', -1, 64)
		}
	}
	return u.render(c, "listing_form", p)
}

func (u *UI) listingUpdate(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	l, err := u.A.Market.Editable(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	v := &fail.Validation{}
	fr := multi(c, "fractions")
	in := &market.ListingInput{Title: formStr(c, "title"), Description: formStr(c, "description"), Fractions: &fr, Quantity: optFloat(c, "quantity", v),
		Unit: formStr(c, "unit"), AvailableFrom: formStr(c, "available_from"), AvailableTo: formStr(c, "available_to"), Transport: formStr(c, "transport"),
		PriceNOKPerTonne: optFloat(c, "price_nok_per_tonne", v), Lat: optFloat(c, "lat", v), Lon: optFloat(c, "lon", v)}
	use := c.FormValue("intended_use")
	in.IntendedUse = &use
	pp, ep := c.FormValue("price_public") == "on", c.FormValue("exact_location_public") == "on"
	in.PricePublic, in.ExactLocationPublic = &pp, &ep
	vis := "public"
	if c.FormValue("visibility") == "members" {
		vis = "members"
	}
	in.Visibility = &vis
	rockInput(c, in, v)
	err = v.Err()
	if err == nil {
		_, err = u.A.Market.Update(ctx, l.ID, in)
	}
	if err != nil {
		f, ferr := u.listingForm(c)
		if ferr != nil {
			return ferr
		}
		f.Editing, f.Picked = l, fr
		return u.formFailed(c, "listing_form", u.page(c, l.Title, f), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+l.ID+"?notice=Saved", fiber.StatusSeeOther)
}

// rockInput reads the rock properties of the listing form.
func rockInput(c *fiber.Ctx, in *market.ListingInput, v *fail.Validation) {
	rt := c.FormValue("rock_type")
	in.RockType = &rt
	in.GrainMinMM, in.GrainMaxMM = optFloat(c, "grain_min_mm", v), optFloat(c, "grain_max_mm", v)
	in.LAValue, in.MicroDeval = optFloat(c, "la_value", v), optFloat(c, "micro_deval", v)
}
