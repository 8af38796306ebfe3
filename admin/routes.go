package admin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// Admin serves the admin API and pages.
type Admin struct{ A *app.App }

// Page bounds of the administration lists.
var (
	rulePages       = page.Bounds{Default: 200, Max: 1000}
	assignmentPages = page.Bounds{Default: 200, Max: 1000}
	tenantPages     = page.Bounds{Default: 100, Max: 500}
)

// TenantRoutes are the region administration API (under /api/v1/tenants/{tenant}).
func (ad *Admin) TenantRoutes() []route.Route {
	ruleEx := map[string]any{"role": "transporter", "object": "vehicles", "action": "create", "effect": "deny"}
	asEx := map[string]any{"email": "tilsyn@example.no", "role": "supervisor"}
	p := access.TenantAdmin
	return []route.Route{
		{Method: "GET", Path: "/admin/settings", Perm: p, Handler: ad.getSettings,
			Doc: &route.Doc{ID: "getSettings", Summary: "Region settings", Tag: "Administration", Out: SettingsView{}}},
		{Method: "PATCH", Path: "/admin/settings", Perm: p, Handler: ad.patchSettings,
			Doc: &route.Doc{ID: "updateSettings", Summary: "Change branding, domains, language, map", Tag: "Administration", In: Settings{}, Out: SettingsView{}, Errors: []int{409},
				Example: map[string]any{"color_primary": "#0b5a3c", "default_locale": "nn", "domains": []string{"masser.baerum.kommune.no"}}}},
		{Method: "POST", Path: "/admin/domains/verify", Perm: p, Handler: ad.verifyDomain,
			Doc: &route.Doc{ID: "verifyDomain", Summary: "Verify a pending custom domain (its DNS TXT challenge); it then serves the region", Tag: "Administration", In: DomainInput{}, Out: SettingsView{}, Errors: []int{404, 409},
				Example: map[string]any{"domain": "masser.baerum.kommune.no"}}},
		{Method: "PUT", Path: "/admin/logo", Perm: p, Handler: ad.putLogo,
			Doc: &route.Doc{ID: "putLogo", Summary: "Upload the logo (PNG, JPEG, WebP or SVG, ≤ 256 KB)", Tag: "Administration", RawBody: "image/*", Out: SettingsView{}}},
		{Method: "GET", Path: "/admin/rules", Perm: p, Handler: ad.listRules,
			Doc: &route.Doc{ID: "listRules", Summary: "Role rules: defaults and the region's own", Tag: "Administration", Page: rulePages, Out: page.Page[tenants.Rule]{}}},
		{Method: "POST", Path: "/admin/rules", Perm: p, Handler: ad.addRule,
			Doc: &route.Doc{ID: "addRule", Summary: "Add a region rule (takes effect at once)", Tag: "Administration", In: tenants.Rule{}, Status: 201, Out: tenants.Rule{}, Example: ruleEx}},
		{Method: "DELETE", Path: "/admin/rules", Perm: p, Handler: ad.removeRule,
			Doc: &route.Doc{ID: "removeRule", Summary: "Remove a region rule", Tag: "Administration", In: tenants.Rule{}, Status: 204, Example: ruleEx}},
		{Method: "GET", Path: "/admin/assignments", Perm: p, Handler: ad.listAssignments,
			Doc: &route.Doc{ID: "listAssignments", Summary: "Tenant admins and supervisors", Tag: "Administration", Page: assignmentPages, Out: page.Page[AssignmentView]{}}},
		{Method: "POST", Path: "/admin/assignments", Perm: p, Handler: ad.addAssignment,
			Doc: &route.Doc{ID: "addAssignment", Summary: "Give the user with this verified e-mail a role in the region, or invite the address (14 days); answers every assignment and invitation", Tag: "Administration", In: AssignmentInput{}, Status: 201, Out: page.Page[AssignmentView]{}, Example: asEx}},
		{Method: "GET", Path: "/admin/tokens", Perm: p, Handler: ad.listAdminTokens,
			Doc: &route.Doc{ID: "listAdminTokens", Summary: "The region's admin-scoped API tokens, with the admin who made each", Tag: "Administration", Page: assignmentPages, Out: page.Page[account.AdminTokenView]{}}},
		{Method: "DELETE", Path: "/admin/assignments", Perm: p, Handler: ad.removeAssignment,
			Doc: &route.Doc{ID: "removeAssignment", Summary: "Take a role away (not the last tenant admin's), or withdraw its invitation", Tag: "Administration", In: AssignmentInput{}, Status: 204, Errors: []int{404, 409}, Example: asEx}},
	}
}

// PlatformRoutes are the platform administration API (under /api/v1/platform).
func (ad *Admin) PlatformRoutes() []route.Route {
	return []route.Route{
		{Method: "GET", Path: "/tenants", Perm: access.PlatformAdmin, Handler: ad.platformTenants,
			Doc: &route.Doc{ID: "platformListTenants", Summary: "All tenants (platform superadmin)", Tag: "Platform", Page: tenantPages, Out: page.Page[SettingsView]{}}},
		{Method: "POST", Path: "/tenants", Perm: access.PlatformAdmin, Handler: ad.platformCreateTenant,
			Doc: &route.Doc{ID: "platformCreateTenant", Summary: "Create a tenant (platform superadmin)", Tag: "Platform", In: TenantInput{}, Status: 201, Out: SettingsView{}, Errors: []int{409},
				Example: map[string]any{"slug": "agder", "name": "Agder masseforum", "default_locale": "nb", "center_lat": 58.15, "center_lon": 8.0}}},
	}
}

func (ad *Admin) getSettings(c *fiber.Ctx) error {
	return c.JSON(ad.View(request.Tenant(c)))
}

// DomainInput names a pending custom domain.
type DomainInput struct {
	Domain string `json:"domain"`
}

func (ad *Admin) verifyDomain(c *fiber.Ctx) error {
	var in DomainInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	v, err := ad.VerifyDomain(request.Ctx(c), in.Domain)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (ad *Admin) patchSettings(c *fiber.Ctx) error {
	var in Settings
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := ad.ApplySettings(request.Ctx(c), &in)
	if err != nil {
		return err
	}
	return c.JSON(ad.View(t))
}

func (ad *Admin) putLogo(c *fiber.Ctx) error {
	if err := ad.SetLogo(request.Ctx(c), c.Body()); err != nil {
		return err
	}
	t, ok := ad.A.Tenants.ByID(request.Tenant(c).ID)
	if !ok {
		return httpx.NotFound()
	}
	return c.JSON(ad.View(t))
}

func (ad *Admin) listRules(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, rulePages)
	if err != nil {
		return err
	}
	p, err := page.Slice(ad.A.Roles.Rules(request.Tenant(c).ID), pr, func(r tenants.Rule) string {
		return strings.Join([]string{r.Role, r.Object, r.Action, r.Effect, strconv.FormatBool(r.Default)}, "|")
	})
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func decodeRule(c *fiber.Ctx) (tenants.Rule, error) {
	var r tenants.Rule
	if err := httpx.DecodeJSON(c, &r); err != nil {
		return r, err
	}
	if !tenants.ValidRule(r.Role, r.Object, r.Action, r.Effect) {
		v := &fail.Validation{}
		v.Add("rule", "invalid", "ErrFieldInvalid")
		return r, v.Err()
	}
	return r, nil
}

func (ad *Admin) addRule(c *fiber.Ctx) error {
	r, err := decodeRule(c)
	if err != nil {
		return err
	}
	if err := ad.A.Roles.AddRule(request.Tenant(c).ID, r); err != nil {
		return err
	}
	return c.Status(201).JSON(r)
}

func (ad *Admin) removeRule(c *fiber.Ctx) error {
	r, err := decodeRule(c)
	if err != nil {
		return err
	}
	ok, err := ad.A.Roles.RemoveRule(request.Tenant(c).ID, r)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.NotFound()
	}
	return c.SendStatus(204)
}

func (ad *Admin) listAssignments(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, assignmentPages)
	if err != nil {
		return err
	}
	p, err := page.Slice(ad.Assignments(request.Ctx(c)), pr, func(a AssignmentView) string { return a.UserID + "|" + a.Email + "|" + a.Role })
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (ad *Admin) listAdminTokens(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, assignmentPages)
	if err != nil {
		return err
	}
	toks, err := ad.A.Account.AdminTokens(request.Ctx(c))
	if err != nil {
		return err
	}
	p, err := page.Slice(toks, pr, func(t account.AdminTokenView) string { return t.ID })
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (ad *Admin) addAssignment(c *fiber.Ctx) error {
	var in AssignmentInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := ad.ChangeAssignment(request.Ctx(c), in, true); err != nil {
		return err
	}
	return c.Status(201).JSON(page.Page[AssignmentView]{Items: ad.Assignments(request.Ctx(c))})
}

func (ad *Admin) removeAssignment(c *fiber.Ctx) error {
	var in AssignmentInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	if err := ad.ChangeAssignment(request.Ctx(c), in, false); err != nil {
		return err
	}
	return c.SendStatus(204)
}

func (ad *Admin) platformTenants(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, tenantPages)
	if err != nil {
		return err
	}
	out := []SettingsView{}
	for _, t := range ad.A.Tenants.All() {
		out = append(out, view(t))
	}
	p, err := page.Slice(out, pr, func(v SettingsView) string { return v.Slug })
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (ad *Admin) platformCreateTenant(c *fiber.Ctx) error {
	var in TenantInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := ad.CreateTenant(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(view(t))
}
