package web

import (
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/admin"
	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/tenants"
)

// AdminData feeds the tenant admin page.
type AdminData struct {
	Rules       []tenants.Rule
	Assignments []admin.AssignmentView
	Roles       []string
	Assignable  []string
	Objects     map[string][]string
	Actions     []string
	Locales     []string
	Domains     string
	Pending     []admin.DomainChallenge // custom domains waiting for their DNS challenge
	Munis       string
	Origins     string // allowed embedding origins, one per line
	Platform    string // the platform's URL, for embed code
	Theme       Theme  // the theme derived from the colours: says which were adjusted
}

func (u *UI) adminData(c *fiber.Ctx) AdminData {
	t := request.Tenant(c)
	ad := &admin.Admin{A: u.A}
	return AdminData{Rules: u.A.Roles.Rules(t.ID), Assignments: ad.Assignments(request.Ctx(c)), Roles: auth.AllRoles[:len(auth.AllRoles)-1], Assignable: auth.AssignableRoles,
		Objects: tenantObjects(), Actions: []string{"read", "create", "update", "delete", "write", "approve", "request", "manage", "admin", "view"}, Locales: locales.Supported, Domains: strings.Join(append(append([]string(nil), t.Domains...), pendingNames(u.A.Tenants.Claims(t.ID))...), "\n"), Munis: strings.Join(t.MunicipalityList(), ", "),
		Origins: strings.Join(t.Origins(), "\n"), Platform: api.BaseURL(c, u.A.Config.PublicURL), Pending: ad.View(t).PendingDomains,
		Theme: DeriveTheme(t.ColorPrimary, t.ColorAccent)}
}

func pendingNames(cs []tenants.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Domain
	}
	return out
}

// adminVerifyDomain checks a pending domain's DNS challenge.
func (u *UI) adminVerifyDomain(c *fiber.Ctx) error {
	if _, err := (&admin.Admin{A: u.A}).VerifyDomain(request.Ctx(c), c.FormValue("domain")); err != nil {
		return u.adminFail(c, err)
	}
	return u.adminDone(c)
}

func tenantObjects() map[string][]string {
	out := map[string][]string{}
	for k, v := range tenants.Permissions {
		if k != "platform" {
			out[k] = v
		}
	}
	return out
}

func (u *UI) adminPage(c *fiber.Ctx) error {
	return u.render(c, "admin", u.page(c, httpx.Loc(c).T("NavAdmin"), u.adminData(c)))
}

func (u *UI) adminFail(c *fiber.Ctx, err error) error {
	return u.formFailed(c, "admin", u.page(c, httpx.Loc(c).T("NavAdmin"), u.adminData(c)), err)
}

func (u *UI) adminDone(c *fiber.Ctx) error {
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/admin?notice=Saved", fiber.StatusSeeOther)
}

func (u *UI) adminSettings(c *fiber.Ctx) error {
	v := &fail.Validation{}
	in := &admin.Settings{Name: formStr(c, "name"), ShortName: formStr(c, "short_name"), Description: formStr(c, "description"),
		ColorPrimary: formStr(c, "color_primary"), ColorAccent: formStr(c, "color_accent"), DefaultLocale: formStr(c, "default_locale"),
		CenterLat: optFloat(c, "center_lat", v), CenterLon: optFloat(c, "center_lon", v)}
	if z, err := strconv.Atoi(c.FormValue("zoom")); err == nil {
		in.Zoom = &z
	}
	domains := strings.Fields(strings.ReplaceAll(c.FormValue("domains"), ",", " "))
	in.Domains = &domains
	munis := strings.Fields(strings.ReplaceAll(c.FormValue("municipalities"), ",", " "))
	in.Municipalities = &munis
	if err := v.Err(); err != nil {
		return u.adminFail(c, err)
	}
	if _, err := (&admin.Admin{A: u.A}).ApplySettings(request.Ctx(c), in); err != nil {
		return u.adminFail(c, err)
	}
	return u.adminDone(c)
}

func (u *UI) adminLogo(c *fiber.Ctx) error {
	fh, err := c.FormFile("logo")
	if err != nil {
		return u.adminFail(c, httpx.NewError(400, "empty_body", "ErrEmptyBody"))
	}
	if fh.Size > admin.MaxLogo {
		return u.adminFail(c, httpx.NewError(413, "too_large", "ErrUploadTooLarge", "Max", "256 KB"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, admin.MaxLogo+1))
	if err != nil {
		return err
	}
	if err := (&admin.Admin{A: u.A}).SetLogo(request.Ctx(c), data); err != nil {
		return u.adminFail(c, err)
	}
	return u.adminDone(c)
}

func (u *UI) adminRule(c *fiber.Ctx) error {
	r := tenants.Rule{Role: c.FormValue("role"), Object: c.FormValue("object"), Action: c.FormValue("action"), Effect: c.FormValue("effect")}
	if !tenants.ValidRule(r.Role, r.Object, r.Action, r.Effect) {
		v := &fail.Validation{}
		v.Add("rule", "invalid", "ErrFieldInvalid")
		return u.adminFail(c, v.Err())
	}
	tid := request.Tenant(c).ID
	if c.FormValue("op") == "remove" {
		if _, err := u.A.Roles.RemoveRule(tid, r); err != nil {
			return err
		}
	} else if err := u.A.Roles.AddRule(tid, r); err != nil {
		return err
	}
	return u.adminDone(c)
}

func (u *UI) adminAssignment(c *fiber.Ctx) error {
	in := admin.AssignmentInput{Email: c.FormValue("email"), UserID: c.FormValue("user_id"), Role: c.FormValue("role")}
	if err := (&admin.Admin{A: u.A}).ChangeAssignment(request.Ctx(c), in, c.FormValue("op") != "remove"); err != nil {
		return u.adminFail(c, err)
	}
	return u.adminDone(c)
}

func (u *UI) platformPage(c *fiber.Ctx) error {
	return u.render(c, "platform", u.page(c, httpx.Loc(c).T("NavPlatform"), u.A.Tenants.All()))
}

func (u *UI) platformCreate(c *fiber.Ctx) error {
	v := &fail.Validation{}
	in := admin.TenantInput{Slug: c.FormValue("slug"), Name: c.FormValue("name"), ColorPrimary: c.FormValue("color_primary"), ColorAccent: c.FormValue("color_accent"),
		DefaultLocale: c.FormValue("default_locale"), AdminEmail: c.FormValue("admin_email")}
	if f := optFloat(c, "center_lat", v); f != nil {
		in.CenterLat = *f
	}
	if f := optFloat(c, "center_lon", v); f != nil {
		in.CenterLon = *f
	}
	err := v.Err()
	if err == nil {
		_, err = (&admin.Admin{A: u.A}).CreateTenant(request.Ctx(c), in)
	}
	if err != nil {
		return u.formFailed(c, "platform", u.page(c, httpx.Loc(c).T("NavPlatform"), u.A.Tenants.All()), err)
	}
	return c.Redirect("/admin?notice=Saved", fiber.StatusSeeOther)
}
