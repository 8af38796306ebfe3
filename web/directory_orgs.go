package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// OrgListData feeds the directory page.
type OrgListData struct {
	Page                  page.Page[directory.Organization]
	Q, Kind, Municipality string
	Kinds                 []string
}

func (u *UI) orgList(c *fiber.Ctx) error {
	f := directory.OrgFilter{Q: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Municipality: c.Query("municipality"), Page: page.Request{Limit: 25, Cursor: c.Query("cursor")}}
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
	pg, err := u.A.Directory.ListOrgs(request.Ctx(c), f)
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

// orgPageRows is how many sites, vehicles, contacts and members the
// organization page shows.
const orgPageRows = 500

func (u *UI) orgShow(c *fiber.Ctx) error {
	id := c.Params("id")
	ctx := request.Ctx(c)
	dir := u.A.Directory
	o, err := dir.GetOrg(ctx, id) // e-mail and phone hidden from anonymous visitors
	if err != nil {
		return err
	}
	p := request.Principal(c)
	d := OrgData{Org: o, CanEdit: request.CanEditOrg(c, id), CanAdmin: request.CanAdminOrg(c, id), IsMember: p.Orgs[id] != ""}
	d.CanVehicles = d.CanEdit && o.HasKind("transporter") && request.Can(c, "vehicles", "create")
	rows := page.Request{Limit: orgPageRows}
	sites, err := dir.ListSites(ctx, directory.SiteFilter{OrganizationID: id, Page: rows})
	if err != nil {
		return err
	}
	d.Sites = sites.Items
	vehicles, err := dir.Vehicles(ctx, id, rows)
	if err != nil {
		return err
	}
	d.Vehicles = vehicles.Items
	if request.Can(c, "contacts", "read") && !p.Anonymous() {
		contacts, err := dir.Contacts(ctx, id, rows)
		if err != nil {
			return err
		}
		d.Contacts = contacts.Items
	}
	if !p.Anonymous() {
		mine, err := dir.Memberships(ctx, directory.MembershipFilter{OrganizationID: id, Mine: true, Page: page.Request{Limit: 1}})
		if err != nil {
			return err
		}
		// A rejected or ended request can be made again (M12).
		d.CanRequest = (len(mine.Items) == 0 || mine.Items[0].Status == directory.StatusRejected || mine.Items[0].Status == directory.StatusEnded) && p.Token == nil
		if d.CanAdmin || p.Has(auth.RoleSupervisor) {
			members, err := dir.Memberships(ctx, directory.MembershipFilter{OrganizationID: id, Page: rows})
			if err != nil {
				return err
			}
			d.Members = members.Items
		}
	}
	return u.render(c, "org", u.page(c, o.Name, d))
}

// OrgForm feeds organization create/edit.
type OrgForm struct {
	Org      *directory.Organization
	Kinds    []string
	Services []string
	Picked   []string
	PickedS  []string
}

func (u *UI) orgNew(c *fiber.Ctx) error {
	return u.render(c, "org_form", u.page(c, httpx.Loc(c).T("OrgRegisterTitle"), OrgForm{Kinds: directory.OrgKinds, Services: directory.TransportServices}))
}

func orgInput(c *fiber.Ctx, v *fail.Validation) *directory.OrgInput {
	kinds, services := multi(c, "kinds"), multi(c, "services")
	in := &directory.OrgInput{Description: formStr(c, "description"), Kinds: &kinds, Services: &services, Website: formStr(c, "website"),
		Email: formStr(c, "email"), Phone: formStr(c, "phone"), Lat: optFloat(c, "lat", v), Lon: optFloat(c, "lon", v)}
	return in
}

func (u *UI) orgCreate(c *fiber.Ctx) error {
	v := &fail.Validation{}
	in := orgInput(c, v)
	in.OrgNumber = formStr(c, "org_number")
	var o *directory.Organization
	err := v.Err()
	if err == nil {
		o, err = u.A.Directory.CreateOrg(request.Ctx(c), in)
	}
	if err != nil {
		return u.formFailed(c, "org_form", u.page(c, httpx.Loc(c).T("OrgRegisterTitle"), OrgForm{Kinds: directory.OrgKinds, Services: directory.TransportServices, Picked: *in.Kinds, PickedS: *in.Services}), err)
	}
	return saved(c, "/organizations/"+o.ID)
}

// orgForEdit loads the :id organization the actor may edit. A page whose
// route declares another permission names directory:update in also: editing
// an organization's rows always needs it too.
func (u *UI) orgForEdit(c *fiber.Ctx) (*directory.Organization, error) {
	return u.A.Directory.EditableOrg(request.Ctx(c), c.Params("id"))
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
	v := &fail.Validation{}
	in := orgInput(c, v)
	in.Address, in.Postcode, in.City = formStr(c, "address"), formStr(c, "postcode"), formStr(c, "city")
	err = v.Err()
	if err == nil {
		_, err = u.A.Directory.UpdateOrg(request.Ctx(c), o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "org_form", u.page(c, o.Name, OrgForm{Org: o, Kinds: directory.OrgKinds, Services: directory.TransportServices, Picked: *in.Kinds, PickedS: *in.Services}), err)
	}
	return saved(c, "/organizations/"+o.ID)
}

func (u *UI) orgRepresent(c *fiber.Ctx) error {
	id := c.Params("id")
	if !validID(id) {
		return httpx.NotFound()
	}
	role := c.FormValue("role")
	if _, err := u.A.Directory.RequestMembership(request.Ctx(c), id, &directory.MembershipInput{Role: role, Message: c.FormValue("message")}); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+id+"?notice=Requested", fiber.StatusSeeOther)
}

// decision reads the :decision parameter (approve or reject) as a status;
// anything else, or a malformed :id, is not found.
func decision(c *fiber.Ctx) (string, error) {
	status := map[string]string{"approve": directory.StatusApproved, "reject": directory.StatusRejected}[c.Params("decision")]
	if status == "" || !validID(c.Params("id")) {
		return "", httpx.NotFound()
	}
	return status, nil
}

func (u *UI) membershipDecide(c *fiber.Ctx) error {
	status, err := decision(c)
	if err != nil {
		return err
	}
	m, err := u.A.Directory.DecideMembership(request.Ctx(c), c.Params("id"), status, c.FormValue("role"))
	if err != nil {
		return err
	}
	back := c.FormValue("return_to")
	if !strings.HasPrefix(back, "/t/"+request.Tenant(c).Slug+"/") {
		back = "/t/" + request.Tenant(c).Slug + "/organizations/" + m.OrganizationID
	}
	return c.Redirect(back+"?notice=Saved", fiber.StatusSeeOther)
}

// membershipEnd ends an approved representation (a former employee).
func (u *UI) membershipEnd(c *fiber.Ctx) error {
	if !validID(c.Params("id")) {
		return httpx.NotFound()
	}
	m, err := u.A.Directory.EndMembership(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+m.OrganizationID+"?notice=Saved", fiber.StatusSeeOther)
}

// VehicleForm feeds vehicle registration and editing (Vehicle set).
type VehicleForm struct {
	Org     *directory.Organization
	Vehicle *directory.Vehicle
	Enums   map[string][]string
}

var vehicleEnums = map[string][]string{"body_type": directory.BodyTypes, "euro_class": directory.EuroClasses, "fuel": directory.Fuels}

func (u *UI) vehicleNew(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "vehicle_form", u.page(c, o.Name, VehicleForm{Org: o, Enums: vehicleEnums}))
}

// vehicleInput reads the vehicle form.
func vehicleInput(c *fiber.Ctx) (*directory.VehicleInput, error) {
	v := &fail.Validation{}
	in := &directory.VehicleInput{Registration: c.FormValue("registration"), Make: c.FormValue("make"), Model: c.FormValue("model"),
		BodyType: c.FormValue("body_type"), EuroClass: c.FormValue("euro_class"), Fuel: c.FormValue("fuel")}
	if f := optFloat(c, "payload_tonnes", v); f != nil {
		in.PayloadTonnes = *f
	}
	if f := optFloat(c, "payload_m3", v); f != nil {
		in.PayloadM3 = *f
	}
	return in, v.Err()
}

func (u *UI) vehicleCreate(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	in, err := vehicleInput(c)
	if err == nil {
		_, err = u.A.Directory.CreateVehicle(request.Ctx(c), o.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "vehicle_form", u.page(c, o.Name, VehicleForm{Org: o, Enums: vehicleEnums}), err)
	}
	return saved(c, "/organizations/"+o.ID)
}

// vehicleForEdit loads a vehicle and its company for one who may edit the
// company (the domain decides).
func (u *UI) vehicleForEdit(c *fiber.Ctx) (*directory.Vehicle, *directory.Organization, error) {
	ctx := request.Ctx(c)
	vh, err := u.A.Directory.Vehicle(ctx, c.Params("id"))
	if err != nil {
		return nil, nil, err
	}
	o, err := u.A.Directory.EditableOrg(ctx, vh.OrganizationID)
	if err != nil {
		return nil, nil, err
	}
	return vh, o, nil
}

// vehicleFormValues fills the edit form from a stored vehicle.
// Payloads are written with the language's decimal mark (≤ 45 t: no
// grouping), which the form reads back.
func vehicleFormValues(lang string, vh *directory.Vehicle) map[string]string {
	m := map[string]string{"registration": directory.FormatRegistration(vh.Registration), "make": vh.Make, "model": vh.Model,
		"body_type": vh.BodyType, "euro_class": vh.EuroClass, "fuel": vh.Fuel,
		"payload_tonnes": numfmt.Auto(lang, vh.PayloadTonnes, 2)}
	if vh.PayloadM3 != 0 {
		m["payload_m3"] = numfmt.Auto(lang, vh.PayloadM3, 2)
	}
	return m
}

func (u *UI) vehicleEdit(c *fiber.Ctx) error {
	vh, o, err := u.vehicleForEdit(c)
	if err != nil {
		return err
	}
	p := u.page(c, o.Name, VehicleForm{Org: o, Vehicle: vh, Enums: vehicleEnums})
	p.Form = vehicleFormValues(p.L.Lang, vh)
	return u.render(c, "vehicle_form", p)
}

func (u *UI) vehicleUpdate(c *fiber.Ctx) error {
	vh, o, err := u.vehicleForEdit(c)
	if err != nil {
		return err
	}
	in, err := vehicleInput(c)
	if err == nil {
		_, err = u.A.Directory.UpdateVehicle(request.Ctx(c), vh.ID, in)
	}
	if err != nil {
		return u.formFailed(c, "vehicle_form", u.page(c, o.Name, VehicleForm{Org: o, Vehicle: vh, Enums: vehicleEnums}), err)
	}
	return saved(c, "/organizations/"+o.ID)
}

func (u *UI) vehicleDelete(c *fiber.Ctx) error {
	vh, err := u.A.Directory.Vehicle(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	if err := u.A.Directory.DeleteVehicle(request.Ctx(c), vh.ID); err != nil {
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/organizations/"+vh.OrganizationID+"?notice=Deleted", fiber.StatusSeeOther)
}

func (u *UI) vehicleDecide(c *fiber.Ctx) error {
	status, err := decision(c)
	if err != nil {
		return err
	}
	vh, err := u.A.Directory.DecideVehicle(request.Ctx(c), c.Params("id"), status)
	if err != nil {
		return err
	}
	return saved(c, "/organizations/"+vh.OrganizationID)
}

func (u *UI) contactNew(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	return u.render(c, "contact_form", u.page(c, o.Name, o))
}

func (u *UI) contactCreate(c *fiber.Ctx) error {
	o, err := u.orgForEdit(c)
	if err != nil {
		return err
	}
	in := &directory.ContactInput{Name: formStr(c, "name"), Title: formStr(c, "title"), Phone: formStr(c, "phone"), Email: formStr(c, "email")}
	if _, err := u.A.Directory.CreateContact(request.Ctx(c), o.ID, in); err != nil {
		return u.formFailed(c, "contact_form", u.page(c, o.Name, o), err)
	}
	return saved(c, "/organizations/"+o.ID)
}
