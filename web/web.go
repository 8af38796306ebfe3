package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
)

// Mount registers the UI routes.
func Mount(a *app.App) {
	u := &UI{A: a}
	f := a.Fiber
	a.Errors.HTML = u.errorPage
	f.Get("/static/*", serveStatic)
	f.Get("/favicon.ico", func(c *fiber.Ctx) error { return c.Redirect(asset("favicon.svg"), fiber.StatusMovedPermanently) })
	f.Get("/", a.Authenticate, u.landing)
	f.Get("/lang/:lang", u.setLang)
	ui := f.Group("/t/:tenant", a.TenantMiddleware, a.Authenticate, u.CSRF())
	ui.Get("/", u.home)
	ui.Get("/theme.css", u.theme)
	ui.Get("/organizations", u.orgList)
	ui.Get("/organizations/new", u.orgNew)
	ui.Post("/organizations/new", u.orgCreate)
	ui.Get("/organizations/:id", u.orgShow)
	ui.Get("/organizations/:id/edit", u.orgEdit)
	ui.Post("/organizations/:id/edit", u.orgUpdate)
	ui.Post("/organizations/:id/represent", u.orgRepresent)
	ui.Get("/organizations/:id/sites/new", u.siteNew)
	ui.Post("/organizations/:id/sites/new", u.siteCreate)
	ui.Get("/organizations/:id/vehicles/new", u.vehicleNew)
	ui.Post("/organizations/:id/vehicles/new", u.vehicleCreate)
	ui.Post("/vehicles/:id/:decision", u.vehicleDecide)
	ui.Get("/organizations/:id/contacts/new", u.contactNew)
	ui.Post("/organizations/:id/contacts/new", u.contactCreate)
	ui.Get("/sites", u.siteList)
	ui.Get("/sites/:id", u.siteShow)
	ui.Get("/sites/:id/edit", u.siteEdit)
	ui.Post("/sites/:id/edit", u.siteUpdate)
	ui.Post("/sites/:id/permits", u.permitCreate)
	ui.Get("/map", u.mapPage)
	ui.Get("/me", u.mePage)
	ui.Post("/me/tokens", u.tokenCreate)
	ui.Post("/me/tokens/:id/revoke", u.tokenRevoke)
	ui.Post("/memberships/:id/:decision", u.membershipDecide)
	u.mountAdmin(ui)
	u.mountListings(ui)
	u.mountPortal(ui)
}

// CSRF protects UI forms with a double-submit token. One handler (and so one
// token store) serves every UI route.
func (u *UI) CSRF() fiber.Handler {
	u.csrfOnce.Do(func() { u.csrf = u.newCSRF() })
	return u.csrf
}

func (u *UI) newCSRF() fiber.Handler {
	return csrf.New(csrf.Config{
		KeyLookup:      "form:_csrf",
		CookieName:     "mf_csrf",
		CookieSameSite: "Lax",
		CookieHTTPOnly: true,
		CookieSecure:   u.A.Config.Production(),
		Expiration:     4 * time.Hour,
		ContextKey:     "csrf",
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return httpx.NewError(403, "csrf", "ErrCSRF")
		},
	})
}

// formFailed shows a form again with the submitted values and the error's
// field messages (status from the error); errors that are not about the input
// go to the error page.
func (u *UI) formFailed(c *fiber.Ctx, name string, p *Page, err error) error {
	keepForm(c, p)
	if ferr := formErrors(p, err); ferr != nil {
		return ferr
	}
	c.Status(httpx.AsError(err).Status)
	return u.render(c, name, p)
}

func (u *UI) errorPage(c *fiber.Ctx, prob httpx.Problem) error {
	p := u.page(c, prob.Title, prob)
	if prob.Status == 401 {
		p.Notice = ""
	}
	return u.render(c, "error", p)
}

func (u *UI) setLang(c *fiber.Ctx) error {
	l := c.Params("lang")
	if !locales.IsSupported(l) {
		return httpx.NotFound()
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", Secure: u.A.Secure(c)})
	back := c.Query("return_to")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

func (u *UI) landing(c *fiber.Ctx) error {
	return u.render(c, "landing", u.page(c, httpx.Loc(c).T("AppName"), u.A.Tenants.All()))
}

func (u *UI) theme(c *fiber.Ctx) error {
	t := request.Tenant(c)
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.SendString(fmt.Sprintf(":root{--brand:%s;--accent:%s}\n", t.ColorPrimary, t.ColorAccent))
}

// HomeData feeds the tenant front page.
type HomeData struct {
	Orgs, Projects, Facilities, Transporters int
	Upcoming                                 []directory.Site
	S                                        *stats.Stats // nil when statistics are not open to the caller
}

func (u *UI) home(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	d := HomeData{}
	orgs, err := u.A.Directory.ListOrgs(c, directory.OrgFilter{Limit: 10000})
	if err != nil {
		return err
	}
	d.Orgs = len(orgs.Items)
	for _, o := range orgs.Items {
		if o.HasKind("transporter") {
			d.Transporters++
		}
	}
	sites, err := u.A.Directory.ListSites(c, directory.SiteFilter{Limit: 10000})
	if err != nil {
		return err
	}
	for _, s := range sites {
		if s.Kind == "project" {
			d.Projects++
			if s.Phase != "completed" && len(d.Upcoming) < 6 {
				d.Upcoming = append(d.Upcoming, s)
			}
		} else {
			d.Facilities++
		}
	}
	if request.Authorize(c, "statistics", "read") == nil {
		if d.S, err = api.LocalizedStats(c, u.A.Stats); err != nil {
			return err
		}
	}
	return u.render(c, "home", u.page(c, request.Tenant(c).Name, d))
}

// OrgListData feeds the directory page.
type OrgListData struct {
	Page                  httpx.Page[directory.Organization]
	Q, Kind, Municipality string
	Kinds                 []string
}

func (u *UI) orgList(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	f := directory.OrgFilter{Q: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Municipality: c.Query("municipality"), Limit: 25, Cursor: c.Query("cursor")}
	if len(f.Q) > 200 {
		f.Q = f.Q[:200]
	}
	found := false
	for _, k := range directory.OrgKinds {
		found = found || k == f.Kind
	}
	if !found {
		f.Kind = ""
	}
	pg, err := u.A.Directory.ListOrgs(c, f)
	if err != nil {
		return err
	}
	d := OrgListData{Page: pg, Q: f.Q, Kind: f.Kind, Municipality: f.Municipality, Kinds: directory.OrgKinds}
	name := "orgs"
	if c.Get("HX-Request") == "true" {
		name = "orgs_results"
	}
	return u.render(c, name, u.page(c, httpx.Loc(c).T("NavDirectory"), d))
}

// OrgData feeds the organization page.
type OrgData struct {
	Org         *directory.Organization
	Sites       []directory.Site
	Vehicles    []directory.Vehicle
	Contacts    []directory.Contact
	Members     []directory.Membership
	CanEdit     bool
	CanAdmin    bool
	IsMember    bool
	CanRequest  bool
	CanVehicles bool
}

func (u *UI) orgShow(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	id := c.Params("id")
	if !validID(id) {
		return httpx.NotFound()
	}
	o, err := u.A.Directory.GetOrg(c, id)
	if err != nil {
		return err
	}
	p := request.Principal(c)
	d := OrgData{Org: o, CanEdit: request.CanEditOrg(c, id), CanAdmin: request.CanAdminOrg(c, id), IsMember: p.Orgs[id] != ""}
	d.CanVehicles = d.CanEdit && o.HasKind("transporter") && request.Can(c, "vehicles", "create")
	if d.Sites, err = u.A.Directory.ListSites(c, directory.SiteFilter{OrganizationID: id, Limit: 500}); err != nil {
		return err
	}
	if d.Vehicles, err = u.A.Directory.Vehicles(c, id); err != nil {
		return err
	}
	if request.Can(c, "contacts", "read") && !p.Anonymous() {
		if d.Contacts, err = u.A.Directory.Contacts(c, id); err != nil {
			return err
		}
	}
	if !p.Anonymous() {
		mine, err := u.A.Directory.Memberships(c, id, p.UserID(), "")
		if err != nil {
			return err
		}
		d.CanRequest = len(mine) == 0 && p.Token == nil
		if d.CanAdmin || p.Has(auth.RoleSupervisor) {
			if d.Members, err = u.A.Directory.Memberships(c, id, "", ""); err != nil {
				return err
			}
		}
	}
	if p.Anonymous() {
		o.Email, o.Phone = "", ""
	}
	return u.render(c, "org", u.page(c, o.Name, d))
}

func validID(id string) bool { return len(id) == 36 && strings.Count(id, "-") == 4 }

// OrgForm feeds organization create/edit.
type OrgForm struct {
	Org      *directory.Organization
	Kinds    []string
	Services []string
	Picked   []string
	PickedS  []string
}

func (u *UI) orgNew(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "create"); err != nil {
		return err
	}
	return u.render(c, "org_form", u.page(c, httpx.Loc(c).T("OrgRegisterTitle"), OrgForm{Kinds: directory.OrgKinds, Services: directory.TransportServices}))
}

func multi(c *fiber.Ctx, key string) []string {
	var out []string
	for _, b := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(b))
	}
	return out
}

func optFloat(c *fiber.Ctx, key string, v *httpx.Validation) *float64 {
	s := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(c.FormValue(key), " ", ""), ",", "."))
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		v.Add(key, "type", "ErrFieldType", "Expected", "number")
		return nil
	}
	return &f
}

func formStr(c *fiber.Ctx, key string) *string {
	s := c.FormValue(key)
	return &s
}

func orgInput(c *fiber.Ctx, v *httpx.Validation) *directory.OrgInput {
	kinds, services := multi(c, "kinds"), multi(c, "services")
	in := &directory.OrgInput{Description: formStr(c, "description"), Kinds: &kinds, Services: &services, Website: formStr(c, "website"),
		Email: formStr(c, "email"), Phone: formStr(c, "phone"), Lat: optFloat(c, "lat", v), Lon: optFloat(c, "lon", v)}
	return in
}

func keepForm(c *fiber.Ctx, p *Page) {
	c.Request().PostArgs().VisitAll(func(k, val []byte) {
		if string(k) != "_csrf" {
			p.Form[string(k)] = string(val)
		}
	})
}

func (u *UI) orgCreate(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "create"); err != nil {
		return err
	}
	v := &httpx.Validation{}
	in := orgInput(c, v)
	in.OrgNumber = formStr(c, "org_number")
	var o *directory.Organization
	err := v.Err()
	if err == nil {
		o, err = u.A.Directory.CreateOrg(c, in)
	}
	if err != nil {
		return u.formFailed(c, "org_form", u.page(c, httpx.Loc(c).T("OrgRegisterTitle"), OrgForm{Kinds: directory.OrgKinds, Services: directory.TransportServices, Picked: *in.Kinds, PickedS: *in.Services}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+o.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) orgForEdit(c *fiber.Ctx) (*directory.Organization, error) {
	if err := request.Authorize(c, "directory", "update"); err != nil {
		return nil, err
	}
	if !validID(c.Params("id")) {
		return nil, httpx.NotFound()
	}
	o, err := u.A.Directory.GetOrg(c, c.Params("id"))
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, o.ID) {
		return nil, httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization")
	}
	return o, nil
}

func (u *UI) orgEdit(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "org_form", u.page(c, o.Name, OrgForm{Org: o, Kinds: directory.OrgKinds, Services: directory.TransportServices, Picked: o.Kinds, PickedS: o.Services}))
}

func (u *UI) orgUpdate(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	v := &httpx.Validation{}
	in := orgInput(c, v)
	in.Address, in.Postcode, in.City = formStr(c, "address"), formStr(c, "postcode"), formStr(c, "city")
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.UpdateOrg(c, o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "org_form", u.page(c, o.Name, OrgForm{Org: o, Kinds: directory.OrgKinds, Services: directory.TransportServices, Picked: *in.Kinds, PickedS: *in.Services}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+o.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) orgRepresent(c *fiber.Ctx) error {
	if err := request.Authorize(c, "memberships", "request"); err != nil {
		return err
	}
	id := c.Params("id")
	if !validID(id) {
		return httpx.NotFound()
	}
	role := c.FormValue("role")
	if _, err := u.A.Directory.RequestMembership(c, id, &directory.MembershipInput{Role: role, Message: c.FormValue("message")}); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+id+"?notice=Requested", fiber.StatusSeeOther)
}

func (u *UI) membershipDecide(c *fiber.Ctx) error {
	if err := request.Authorize(c, "memberships", "approve"); err != nil {
		return err
	}
	status := map[string]string{"approve": directory.StatusApproved, "reject": directory.StatusRejected}[c.Params("decision")]
	if status == "" || !validID(c.Params("id")) {
		return httpx.NotFound()
	}
	m, err := u.A.Directory.DecideMembership(c, c.Params("id"), status, c.FormValue("role"))
	if err != nil {
		return err
	}
	back := c.FormValue("return_to")
	if !strings.HasPrefix(back, "/t/"+request.Tenant(c).Slug+"/") {
		back = "/t/" + request.Tenant(c).Slug + "/organizations/" + m.OrganizationID
	}
	return c.Redirect(back+"?notice=Saved", fiber.StatusSeeOther)
}

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

func siteInput(c *fiber.Ctx, v *httpx.Validation) *directory.SiteInput {
	in := &directory.SiteInput{Kind: formStr(c, "kind"), Name: formStr(c, "name"), Description: formStr(c, "description"), Address: formStr(c, "address"),
		Postcode: formStr(c, "postcode"), City: formStr(c, "city"), Lat: optFloat(c, "lat", v), Lon: optFloat(c, "lon", v),
		PlannedStart: formStr(c, "planned_start"), PlannedEnd: formStr(c, "planned_end"), OpeningHours: formStr(c, "opening_hours")}
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
	v := &httpx.Validation{}
	in := siteInput(c, v)
	var st *directory.Site
	err = v.Err()
	if err == nil {
		st, err = u.A.Directory.CreateSite(c, o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site_form", u.page(c, o.Name, SiteForm{Org: o, Kind: *in.Kind, Enums: siteEnums}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/sites/"+st.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) siteForEdit(c *fiber.Ctx) (*directory.Site, error) {
	if err := request.Authorize(c, "directory", "update"); err != nil {
		return nil, err
	}
	if !validID(c.Params("id")) {
		return nil, httpx.NotFound()
	}
	st, err := u.A.Directory.GetSite(c, c.Params("id"))
	if err != nil {
		return nil, err
	}
	if !request.CanEditOrg(c, st.OrganizationID) {
		return nil, httpx.NewError(403, "not_own_organization", "ErrNotOwnOrganization")
	}
	return st, nil
}

func (u *UI) siteEdit(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "site_form", u.page(c, st.Name, SiteForm{Site: st, Kind: st.Kind, Enums: siteEnums}))
}

func (u *UI) siteUpdate(c *fiber.Ctx) error {
	st, err := u.siteForEdit(c)
	if err != nil {
		return err
	}
	v := &httpx.Validation{}
	in := siteInput(c, v)
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.UpdateSite(c, st.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site_form", u.page(c, st.Name, SiteForm{Site: st, Kind: st.Kind, Enums: siteEnums}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/sites/"+st.ID+"?notice=Saved", fiber.StatusSeeOther)
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
	v := &httpx.Validation{}
	in := &directory.PermitInput{Kind: c.FormValue("kind"), Authority: c.FormValue("authority"), Reference: c.FormValue("reference"),
		ValidFrom: formStr(c, "valid_from"), ValidTo: formStr(c, "valid_to"), Fractions: multi(c, "fractions")}
	in.MaxClass, _ = strconv.Atoi(c.FormValue("max_class"))
	if f := optFloat(c, "annual_capacity_tonnes", v); f != nil {
		in.AnnualCapacityTonnes = *f
	}
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.CreatePermit(c, st.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "site", u.page(c, st.Name, SiteData{Site: st, CanEdit: true, Now: u.A.DB.Now(), PermitKinds: directory.PermitKinds, Fractions: fraction.Codes(), Picked: in.Fractions}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/sites/"+st.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) siteShow(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	if !validID(c.Params("id")) {
		return httpx.NotFound()
	}
	st, err := u.A.Directory.GetSite(c, c.Params("id"))
	if err != nil {
		return err
	}
	return u.render(c, "site", u.page(c, st.Name, SiteData{Site: st, CanEdit: request.CanEditOrg(c, st.OrganizationID) && request.Can(c, "directory", "update"), Now: u.A.DB.Now(),
		PermitKinds: directory.PermitKinds, Fractions: fraction.Codes()}))
}

// SiteListData feeds the project and facility list.
type SiteListData struct {
	Sites []directory.Site
	Kind  string
	Phase string
	Type  string
	Q     string
	Enums map[string][]string
}

func (u *UI) siteList(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	f := directory.SiteFilter{Kind: c.Query("kind"), Phase: c.Query("phase"), FacilityType: c.Query("facility_type"), Q: strings.TrimSpace(c.Query("q")), Limit: 500}
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
	sites, err := u.A.Directory.ListSites(c, f)
	if err != nil {
		return err
	}
	return u.render(c, "sites", u.page(c, httpx.Loc(c).T("NavSites"), SiteListData{Sites: sites, Kind: f.Kind, Phase: f.Phase, Type: f.FacilityType, Q: f.Q, Enums: siteEnums}))
}

// VehicleForm feeds vehicle registration.
type VehicleForm struct {
	Org   *directory.Organization
	Enums map[string][]string
}

var vehicleEnums = map[string][]string{"body_type": directory.BodyTypes, "euro_class": directory.EuroClasses, "fuel": directory.Fuels}

func (u *UI) vehicleNew(c *fiber.Ctx) error {
	if err := request.Authorize(c, "vehicles", "create"); err != nil {
		return err
	}
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "vehicle_form", u.page(c, o.Name, VehicleForm{Org: o, Enums: vehicleEnums}))
}

func (u *UI) vehicleCreate(c *fiber.Ctx) error {
	if err := request.Authorize(c, "vehicles", "create"); err != nil {
		return err
	}
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	v := &httpx.Validation{}
	in := &directory.VehicleInput{Registration: c.FormValue("registration"), Make: c.FormValue("make"), Model: c.FormValue("model"),
		BodyType: c.FormValue("body_type"), EuroClass: c.FormValue("euro_class"), Fuel: c.FormValue("fuel")}
	if f := optFloat(c, "payload_tonnes", v); f != nil {
		in.PayloadTonnes = *f
	}
	if f := optFloat(c, "payload_m3", v); f != nil {
		in.PayloadM3 = *f
	}
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.CreateVehicle(c, o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "vehicle_form", u.page(c, o.Name, VehicleForm{Org: o, Enums: vehicleEnums}), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+o.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) vehicleDecide(c *fiber.Ctx) error {
	if err := request.Authorize(c, "vehicles", "approve"); err != nil {
		return err
	}
	status := map[string]string{"approve": directory.StatusApproved, "reject": directory.StatusRejected}[c.Params("decision")]
	if status == "" || !validID(c.Params("id")) {
		return httpx.NotFound()
	}
	vh, err := u.A.Directory.Vehicle(c, c.Params("id"))
	if err != nil {
		return err
	}
	if err := u.A.Directory.DecideVehicle(c, vh, status); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+vh.OrganizationID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) contactNew(c *fiber.Ctx) error {
	if err := request.Authorize(c, "contacts", "write"); err != nil {
		return err
	}
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "contact_form", u.page(c, o.Name, o))
}

func (u *UI) contactCreate(c *fiber.Ctx) error {
	if err := request.Authorize(c, "contacts", "write"); err != nil {
		return err
	}
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	in := &directory.ContactInput{Name: formStr(c, "name"), Title: formStr(c, "title"), Phone: formStr(c, "phone"), Email: formStr(c, "email")}
	if _, err := u.A.Directory.CreateContact(c, o.ID, in); err != nil {
		return u.formFailed(c, "contact_form", u.page(c, o.Name, o), err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+o.ID+"?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) mapPage(c *fiber.Ctx) error {
	if err := request.Authorize(c, "directory", "read"); err != nil {
		return err
	}
	return u.render(c, "map", u.page(c, httpx.Loc(c).T("NavMap"), map[string][]string{"Kinds": market.Kinds, "Fractions": fractionCodes()}))
}

// MeData feeds the personal page.
type MeData struct {
	Notifications []matching.Notification
	Memberships   []directory.Membership
	Pending       []directory.Membership
	Tokens        []auth.Token
	NewSecret     string
}

func (u *UI) mePage(c *fiber.Ctx) error {
	return u.renderMe(c, "", nil)
}

func (u *UI) renderMe(c *fiber.Ctx, secret string, formErr error) error {
	p := request.Principal(c)
	if p.Anonymous() {
		return c.Redirect(u.A.Identity.LoginURL(c.OriginalURL()), fiber.StatusSeeOther)
	}
	d := MeData{NewSecret: secret}
	var err error
	if d.Memberships, err = u.A.Directory.Memberships(c, "", p.UserID(), ""); err != nil {
		return err
	}
	if request.IsAdmin(c) {
		d.Pending, err = u.A.Directory.Memberships(c, "", "", directory.StatusPending)
	} else {
		for orgID, role := range p.Orgs {
			if role != directory.AdminRole {
				continue
			}
			ms, err := u.A.Directory.Memberships(c, orgID, "", directory.StatusPending)
			if err != nil {
				return err
			}
			d.Pending = append(d.Pending, ms...)
		}
	}
	if err != nil {
		return err
	}
	if d.Tokens, err = u.A.Users.Tokens(c.UserContext(), p.UserID()); err != nil {
		return err
	}
	if d.Notifications, err = u.A.Matching.Notifications(request.Ctx(c)); err != nil {
		return err
	}
	pg := u.page(c, httpx.Loc(c).T("NavMe"), d)
	if formErr != nil {
		keepForm(c, pg)
		if ferr := formErrors(pg, formErr); ferr != nil {
			return ferr
		}
		c.Status(httpx.AsError(formErr).Status)
	}
	return u.render(c, "me", pg)
}

func (u *UI) tokenCreate(c *fiber.Ctx) error {
	days, _ := strconv.Atoi(c.FormValue("expires_in_days"))
	_, secret, err := u.A.CreateToken(c, app.TokenInput{Name: c.FormValue("name"), Scopes: multi(c, "scopes"), ExpiresInDays: days})
	if err != nil {
		var he *httpx.Error
		if errors.As(err, &he) && he.Status == 422 {
			return u.renderMe(c, "", err)
		}
		return err
	}
	return u.renderMe(c, secret, nil)
}

func (u *UI) tokenRevoke(c *fiber.Ctx) error {
	if err := request.Authorize(c, "tokens", "manage"); err != nil {
		return err
	}
	ok, err := u.A.Users.RevokeToken(c.UserContext(), request.Principal(c).UserID(), c.Params("id"))
	if err != nil {
		return err
	}
	if !ok {
		return httpx.NotFound()
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/me?notice=Saved", fiber.StatusSeeOther)
}
