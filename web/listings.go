package web

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func (u *UI) mountListings(ui fiber.Router) {
	ui.Get("/listings", u.listingList)
	ui.Get("/listings/new", u.listingNew)
	ui.Post("/listings/new", u.listingCreate)
	ui.Get("/listings/:id", u.listingShow)
	ui.Get("/listings/:id/edit", u.listingEdit)
	ui.Post("/listings/:id/edit", u.listingUpdate)
	ui.Post("/listings/:id/status/:status", u.listingStatus)
	ui.Post("/listings/:id/samples", u.listingSample)
	ui.Post("/listings/:id/documents", u.listingUpload)
	ui.Post("/listings/:id/samples/import", u.listingImport)
	ui.Post("/listings/:id/dismiss/:counterpart", u.listingDismiss)
	ui.Get("/sites/:id/plan", u.planPage)
	ui.Post("/sites/:id/plan", u.planSave)
}

// ListingsData feeds the market list.
type ListingsData struct {
	Items               []any
	Kind, Fraction      string
	From, To            string
	Kinds, Fractions    []string
	CanCreate           bool
	PublicCount, Member bool
}

func (u *UI) listingList(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	d := ListingsData{Kind: c.Query("kind"), Fraction: c.Query("fraction"), From: c.Query("from"), To: c.Query("to"), Kinds: market.Kinds, Fractions: fractionCodes()}
	f := market.Filter{Limit: 300}
	if inList(d.Kind, market.Kinds) {
		f.Kind = d.Kind
	} else {
		d.Kind = ""
	}
	if _, ok := market.FractionByCode(d.Fraction); ok {
		f.Fraction = d.Fraction
	} else {
		d.Fraction = ""
	}
	p := u.page(c, httpx.Loc(c).T("NavListings"), &d)
	v := &httpx.Validation{}
	if d.From != "" {
		f.From = parseMonth(v, "from", d.From)
	}
	if d.To != "" {
		f.To = parseMonth(v, "to", d.To)
	}
	if err := v.Err(); err != nil {
		return u.formFailed(c, "listings", p, err)
	}
	rows, err := u.A.Market.List(c, f)
	if err != nil {
		return err
	}
	for i := range rows {
		d.Items = append(d.Items, market.View(c, &rows[i]))
	}
	d.CanCreate = request.Can(c, "listings", "create") && (len(request.Principal(c).Orgs) > 0 || request.IsAdmin(c))
	return u.render(c, "listings", p)
}

func inList(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func fractionCodes() []string { return fraction.Codes() }

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
	ids := []string{}
	for id := range request.Principal(c).Orgs {
		ids = append(ids, id)
	}
	for _, id := range ids {
		if o, err := u.A.Directory.GetOrg(c, id); err == nil {
			f.Orgs = append(f.Orgs, *o)
			sites, err := u.A.Directory.ListSites(c, directory.SiteFilter{OrganizationID: id, Limit: 200})
			if err != nil {
				return nil, err
			}
			f.Sites = append(f.Sites, sites...)
		}
	}
	return f, nil
}

func (u *UI) listingNew(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "create"); err != nil {
		return err
	}
	f, err := u.listingForm(c)
	if err != nil {
		return err
	}
	return u.render(c, "listing_form", u.page(c, httpx.Loc(c).T("ListingNew"), f))
}

func (u *UI) listingCreate(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "create"); err != nil {
		return err
	}
	v := &httpx.Validation{}
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
		l, err = u.A.Market.Create(c, in)
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
}

func (u *UI) listingShow(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	l, err := u.A.Market.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	d := &ListingData{Params: market.TA2553, FactorSet: u.A.Matching.Engine.Factors.Name, DocKinds: market.DocumentKinds}
	d.Fraction, _ = market.FractionByCode(l.Fractions[0])
	switch v := market.View(c, l).(type) {
	case market.PublicView:
		if market.AccessTo(c, l) == market.Hidden {
			return httpx.NotFound()
		}
		d.Public = &v
	case *market.Listing:
		d.Listing = v
	}
	if d.Listing != nil && market.AccessTo(c, l) == market.Full {
		d.Full = true
		d.CanEdit = request.CanEditOrg(c, l.OrganizationID)
		if d.Matches, err = u.A.Matching.Rank(request.Ctx(c), l, 20); err != nil {
			return err
		}
		d.FindingMatches = u.A.Matching.Discovering(request.Ctx(c), l.ID)
		if d.Samples, err = u.A.Market.Samples(c, l.ID); err != nil {
			return err
		}
	}
	if d.Listing != nil {
		d.CanDocs = true
		if d.Documents, err = u.A.Market.Documents(c, l.ID); err != nil {
			return err
		}
	}
	return u.render(c, "listing", u.page(c, l.Title, d))
}

func (u *UI) listingStatus(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	status := market.Status(c.Params("status"))
	if !status.Settable() {
		return httpx.NotFound()
	}
	if _, err := u.A.Market.SetStatus(c, c.Params("id"), status); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) listingSample(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	in := &market.SampleInput{Name: c.FormValue("name"), Lab: c.FormValue("lab"), TakenOn: c.FormValue("taken_on")}
	v := &httpx.Validation{}
	for _, p := range market.TA2553 {
		s := strings.TrimSpace(c.FormValue("v_" + p.Key))
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			v.Add("v_"+p.Key, "type", "ErrFieldType", "Expected", "number")
			continue
		}
		in.Values = append(in.Values, struct {
			Parameter string  `json:"parameter"`
			Value     float64 `json:"value"`
			Unit      string  `json:"unit"`
		}{p.Key, x, c.FormValue("unit")})
	}
	err := v.Err()
	if err == nil {
		_, err = u.A.Market.AddSample(c, c.Params("id"), in)
	}
	if err != nil {
		if he := httpx.AsError(err); he.Status != 422 {
			return err
		}
		return u.listingShowWithError(c, err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#samples", fiber.StatusSeeOther)
}

func (u *UI) listingShowWithError(c *fiber.Ctx, ferr error) error {
	l, err := u.A.Market.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	d := &ListingData{Listing: l, Full: true, CanEdit: true, CanDocs: true, Params: market.TA2553, FactorSet: u.A.Matching.Engine.Factors.Name, DocKinds: market.DocumentKinds}
	d.Fraction, _ = market.FractionByCode(l.Fractions[0])
	if d.Matches, err = u.A.Matching.Rank(request.Ctx(c), l, 20); err != nil {
		return err
	}
	if d.Samples, err = u.A.Market.Samples(c, l.ID); err != nil {
		return err
	}
	if d.Documents, err = u.A.Market.Documents(c, l.ID); err != nil {
		return err
	}
	return u.formFailed(c, "listing", u.page(c, l.Title, d), ferr)
}

func (u *UI) listingDismiss(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	l, err := u.A.Market.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	if !request.CanEditOrg(c, l.OrganizationID) {
		if market.AccessTo(c, l) == market.Hidden {
			return httpx.NotFound()
		}
		return httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization")
	}
	if err := u.A.Matching.Dismiss(request.Ctx(c), l, c.Params("counterpart")); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+l.ID+"?notice=Saved#matches", fiber.StatusSeeOther)
}

func parseMonth(v *httpx.Validation, field, s string) time.Time {
	for _, layout := range []string{"2006-01", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	v.Add(field, "date", "ErrFieldInvalid")
	return time.Time{}
}

// listingRow is what the list shows, whatever the caller's access level.
type listingRow struct {
	ID, Kind, Title, Status, Quantity, Period, OrganizationName string
	Fractions                                                   []string
}

func rowView(item any) listingRow {
	switch v := item.(type) {
	case market.PublicView:
		return listingRow{ID: v.ID, Kind: v.Kind, Title: v.Title, Status: string(v.Status), Quantity: v.QuantityBand, Period: v.Period, OrganizationName: v.OrganizationName, Fractions: v.Fractions}
	case *market.Listing:
		return listingRow{ID: v.ID, Kind: v.Kind, Title: v.Title, Status: string(v.Status), Quantity: formatNumber(v.QuantityTonnes) + " t",
			Period: v.AvailableFrom.Format("01.2006") + "–" + v.AvailableTo.Format("01.2006"), OrganizationName: v.OrganizationName, Fractions: v.Fractions}
	}
	return listingRow{}
}

func (u *UI) listingUpload(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	fh, _ := c.FormFile("file")
	if _, err := u.A.Market.Upload(c, c.Params("id"), c.FormValue("kind"), fh); err != nil {
		if he := httpx.AsError(err); he.Status == 422 || he.Status == 413 || he.Status == 415 || he.Status == 400 {
			return u.listingShowWithError(c, err)
		}
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#documents", fiber.StatusSeeOther)
}

func (u *UI) listingImport(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	if _, err := u.A.Market.Editable(c, c.Params("id")); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		v := &httpx.Validation{}
		v.Add("file", "required", "ErrFieldRequired")
		return u.listingShowWithError(c, v.Err())
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, market.MaxDocument))
	if err != nil {
		return err
	}
	if _, err := u.A.Market.ImportSamples(c, c.Params("id"), fh.Filename, data); err != nil {
		if he := httpx.AsError(err); he.Status == 422 || he.Status == 415 {
			return u.listingShowWithError(c, err)
		}
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#samples", fiber.StatusSeeOther)
}

func (u *UI) listingEdit(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	l, err := u.A.Market.Editable(c, c.Params("id"))
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
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	l, err := u.A.Market.Editable(c, c.Params("id"))
	if err != nil {
		return err
	}
	v := &httpx.Validation{}
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
		_, err = u.A.Market.Update(c, l.ID, in)
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
func rockInput(c *fiber.Ctx, in *market.ListingInput, v *httpx.Validation) {
	rt := c.FormValue("rock_type")
	in.RockType = &rt
	in.GrainMinMM, in.GrainMaxMM = optFloat(c, "grain_min_mm", v), optFloat(c, "grain_max_mm", v)
	in.LAValue, in.MicroDeval = optFloat(c, "la_value", v), optFloat(c, "micro_deval", v)
}
