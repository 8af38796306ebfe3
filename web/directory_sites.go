package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// SiteForm feeds site create/edit.
type SiteForm struct {
	Org   *directory.Organization
	Site  *directory.Site
	Kind  string
	Enums map[string][]string
}

var siteEnums = map[string][]string{"phase": directory.ProjectPhases, "facility_type": directory.FacilityTypes}

func (u *UI) siteNew(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	kind := c.Query("kind")
	if kind != "facility" {
		kind = "project"
	}
	return u.render(c, "site_form", u.page(c, o.Name, SiteForm{Org: o, Kind: kind, Enums: siteEnums}))
}

func siteInput(c *fiber.Ctx, v *fail.Validation) *directory.SiteInput {
	in := &directory.SiteInput{Kind: formStr(c, "kind"), Name: formStr(c, "name"), Description: formStr(c, "description"), Address: formStr(c, "address"),
		Postcode: formStr(c, "postcode"), City: formStr(c, "city"), Lat: optFloat(c, "lat", v), Lon: optFloat(c, "lon", v),
		PlannedStart: formStr(c, "planned_start"), PlannedEnd: formStr(c, "planned_end"), OpeningHours: formStr(c, "opening_hours")}
	ep := c.FormValue("exact_point_public") == "on" // the owner's choice (B6); the form shows each kind's default
	in.ExactPointPublic = &ep
	if *in.Kind == "project" {
		in.Phase = formStr(c, "phase")
		in.ExpectedSurplusTonnes, in.ExpectedNeedTonnes = optFloat(c, "expected_surplus_tonnes", v), optFloat(c, "expected_need_tonnes", v)
	} else {
		in.FacilityType = formStr(c, "facility_type")
		perm := c.FormValue("permanent") == "on"
		in.Permanent = &perm
		in.CapacityTonnes, in.GateFeeNOKPerTonne = optFloat(c, "capacity_tonnes", v), optFloat(c, "gate_fee_nok_per_tonne", v)
	}
	return in
}

func (u *UI) siteCreate(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	v := &fail.Validation{}
	in := siteInput(c, v)
	var st *directory.Site
	err = v.Err()
	if err == nil {
		st, err = u.A.Directory.CreateSite(request.Ctx(c), o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site_form", u.page(c, o.Name, SiteForm{Org: o, Kind: *in.Kind, Enums: siteEnums}), err)
	}
	return saved(c, "/sites/"+st.ID)
}

// siteForEdit loads the :id site of an organization the actor may edit.
func (u *UI) siteForEdit(c *fiber.Ctx) (*directory.Site, error) {
	return u.A.Directory.EditableSite(request.Ctx(c), c.Params("id"))
}

func (u *UI) siteEdit(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "site_form", u.page(c, st.Name, SiteForm{Site: st, Kind: st.Kind, Enums: siteEnums}))
}

// SiteDelete feeds the confirmation page of a site's deletion (L5).
type SiteDelete struct {
	Site     *directory.Site
	Impact   *directory.DeleteImpact
	CanAdmin bool
}

// siteDeleteConfirm shows what deleting the site takes with it.
func (u *UI) siteDeleteConfirm(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	im, err := u.A.Directory.SiteDeleteImpact(request.Ctx(c), st.ID)
	if err != nil {
		return err
	}
	return u.render(c, "site_delete", u.page(c, st.Name, SiteDelete{Site: st, Impact: im, CanAdmin: request.CanAdminOrg(c, st.OrganizationID)}))
}

// siteDelete deletes the site as confirmed on that page.
func (u *UI) siteDelete(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	if err := u.A.Directory.RemoveSite(request.Ctx(c), st.ID, c.FormValue("confirm") == "1"); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+st.OrganizationID+"?notice=Deleted", fiber.StatusSeeOther)
}

func (u *UI) siteUpdate(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	v := &fail.Validation{}
	in := siteInput(c, v)
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.UpdateSite(request.Ctx(c), st.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site_form", u.page(c, st.Name, SiteForm{Site: st, Kind: st.Kind, Enums: siteEnums}), err)
	}
	return saved(c, "/sites/"+st.ID)
}

// SiteData feeds the site page.
type SiteData struct {
	Site        *directory.Site
	CanEdit     bool
	Now         time.Time
	PermitKinds []string
	Fractions   []string
	Picked      []string
}

func (u *UI) permitCreate(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	v := &fail.Validation{}
	in := &directory.PermitInput{Kind: c.FormValue("kind"), Authority: c.FormValue("authority"), Reference: c.FormValue("reference"),
		ValidFrom: formStr(c, "valid_from"), ValidTo: formStr(c, "valid_to"), Fractions: multi(c, "fractions")}
	in.MaxClass, _ = strconv.Atoi(c.FormValue("max_class"))
	if f := optFloat(c, "annual_capacity_tonnes", v); f != nil {
		in.AnnualCapacityTonnes = *f
	}
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.CreatePermit(request.Ctx(c), st.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site", u.page(c, st.Name, SiteData{Site: st, CanEdit: true, Now: u.A.DB.Now(), PermitKinds: directory.PermitKinds, Fractions: fraction.Codes(), Picked: in.Fractions}), err)
	}
	return saved(c, "/sites/"+st.ID)
}

func (u *UI) siteShow(c *fiber.Ctx) error {
	st, err := u.A.Directory.GetSite(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return u.render(c, "site", u.page(c, st.Name, SiteData{Site: st, CanEdit: request.CanEditOrg(c, st.OrganizationID) && request.Can(c, "directory", "update"), Now: u.A.DB.Now(),
		PermitKinds: directory.PermitKinds, Fractions: fraction.Codes()}))
}

// SiteListData feeds the project and facility list.
type SiteListData struct {
	Sites      []directory.Site
	NextCursor string
	Kind       string
	Phase      string
	Type       string
	Q          string
	Enums      map[string][]string
}

// siteListRows is how many sites a page of the list shows.
const siteListRows = 100

func (u *UI) siteList(c *fiber.Ctx) error {
	f := directory.SiteFilter{Kind: c.Query("kind"), Phase: c.Query("phase"), FacilityType: c.Query("facility_type"), Q: strings.TrimSpace(c.Query("q")), Page: page.Request{Limit: siteListRows, Cursor: c.Query("cursor")}}
	clean := func(val string, set []string) string {
		for _, s := range set {
			if s == val {
				return val
			}
		}
		return ""
	}
	f.Kind, f.Phase, f.FacilityType = clean(f.Kind, directory.SiteKinds), clean(f.Phase, directory.ProjectPhases), clean(f.FacilityType, directory.FacilityTypes)
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	sites, err := u.A.Directory.ListSites(request.Ctx(c), f)
	if err != nil {
		return err
	}
	return u.render(c, "sites", u.page(c, httpx.Loc(c).T("NavSites"), SiteListData{Sites: sites.Items, NextCursor: sites.NextCursor, Kind: f.Kind, Phase: f.Phase, Type: f.FacilityType, Q: f.Q, Enums: siteEnums}))
}
