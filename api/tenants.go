package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// TenantSummary is the public description of a tenant.
type TenantSummary struct {
	Slug          string    `json:"slug"`
	Name          string    `json:"name"`
	ShortName     string    `json:"short_name"`
	Description   string    `json:"description"`
	ColorPrimary  string    `json:"color_primary"`
	ColorAccent   string    `json:"color_accent"`
	LogoURL       string    `json:"logo_url,omitempty"`
	DefaultLocale string    `json:"default_locale"`
	Center        []float64 `json:"center"`
	Zoom          int       `json:"zoom"`
	Domains       []string  `json:"domains"`
}

func summary(t *tenants.Tenant) TenantSummary {
	s := TenantSummary{Slug: t.Slug, Name: t.Name, ShortName: t.ShortName, Description: t.Description, ColorPrimary: t.ColorPrimary, ColorAccent: t.ColorAccent,
		DefaultLocale: t.DefaultLocale, Center: []float64{t.CenterLat, t.CenterLon}, Zoom: t.Zoom, Domains: t.Domains}
	if s.Domains == nil {
		s.Domains = []string{}
	}
	if t.HasLogo() {
		s.LogoURL = "/api/v1/tenants/" + t.Slug + "/logo?v=" + t.UpdatedAt.Format("20060102150405")
	}
	return s
}

// Page bounds of the small lists held in memory.
var (
	tenantPages = page.Bounds{Default: 100, Max: 500}
	tokenPages  = page.Bounds{Default: 100, Max: 500}
)

func rootRoutes(a *app.App) []route.Route {
	doc, portal := apidoc.Serve(a.Tables, func(err error) { a.Log.Error("the OpenAPI document is incomplete", "err", err) })
	return []route.Route{
		{Method: "GET", Path: "/tenants", Perm: access.Anyone, Handler: listTenants(a),
			Doc: &route.Doc{ID: "listTenants", Summary: "List mass regions", Tag: "Tenants", Page: tenantPages, Out: page.Page[TenantSummary]{}}},
		{Method: "GET", Path: "/openapi.json", Perm: access.Anyone, Handler: doc,
			Doc: &route.Doc{ID: "openapi", Summary: "This OpenAPI document", Tag: "Platform", Files: []string{"application/json"}}},
		{Method: "GET", Path: "/docs", Perm: access.Anyone, Handler: portal,
			Doc: &route.Doc{ID: "docs", Summary: "Developer portal page", Tag: "Platform", Files: []string{"text/html"}}},
	}
}

func tenantRoutes(a *app.App) []route.Route {
	return []route.Route{
		{Method: "GET", Path: "/", Perm: access.TenantRead, Handler: getTenant,
			Doc: &route.Doc{ID: "getTenant", Summary: "A region's public profile and branding", Tag: "Tenants", Out: TenantSummary{}}},
		{Method: "GET", Path: "/logo", Perm: access.Anyone, Handler: app.SendLogo,
			Doc: &route.Doc{ID: "getTenantLogo", Summary: "The region's logo", Tag: "Tenants", Files: []string{"image/*"}}},
		{Method: "GET", Path: "/me", Perm: access.MeRead, Handler: me(a.Account),
			Doc: &route.Doc{ID: "me", Summary: "The caller's identity, roles and organizations in the region", Tag: "Identity", Out: account.Me{}}},
		{Method: "GET", Path: "/tokens", Perm: access.TokensManage, Handler: listTokens(a.Account),
			Doc: &route.Doc{ID: "listTokens", Summary: "The caller's API tokens (not with a token)", Tag: "Identity", Page: tokenPages, Out: page.Page[auth.Token]{}}},
		{Method: "POST", Path: "/tokens", Perm: access.TokensManage, Handler: createToken(a.Account),
			Doc: &route.Doc{ID: "createToken", Summary: "Create an API token (the secret is shown once)", Tag: "Identity", In: account.TokenInput{}, Status: 201, Out: account.TokenCreated{},
				Example: map[string]any{"name": "ERP", "scopes": []string{"read"}, "expires_in_days": 30}}},
		{Method: "DELETE", Path: "/tokens/:id", Perm: access.TokensManage, Handler: revokeToken(a.Account),
			Doc: &route.Doc{ID: "revokeToken", Summary: "Revoke an API token", Tag: "Identity", Status: 204}},
		{Method: "GET", Path: "/stats", Perm: access.StatisticsRead, Handler: Stats(a.Stats),
			Doc: &route.Doc{ID: "regionStats", Summary: "Open data: the region's marketplace statistics (B4, B5): tonnes offered and needed per fraction, matches, match rate, time to first match, estimated CO2e saved", Tag: "Open data", Out: stats.Stats{}}},
	}
}

func listTenants(a *app.App) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pr, err := httpx.PageRequest(c, tenantPages)
		if err != nil {
			return err
		}
		var all []TenantSummary
		for _, t := range a.Tenants.All() {
			if t.Active {
				all = append(all, summary(t))
			}
		}
		p, err := page.Slice(all, pr, func(s TenantSummary) string { return s.Slug })
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func getTenant(c *fiber.Ctx) error { return c.JSON(summary(request.Tenant(c))) }

func me(s *account.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		m, err := s.Me(request.Ctx(c))
		if err != nil {
			return err
		}
		return c.JSON(m)
	}
}

func listTokens(s *account.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pr, err := httpx.PageRequest(c, tokenPages)
		if err != nil {
			return err
		}
		l, err := s.Tokens(request.Ctx(c))
		if err != nil {
			return err
		}
		p, err := page.Slice(l.Items, pr, func(t auth.Token) string { return t.ID })
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func createToken(s *account.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in account.TokenInput
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
		out, err := s.Issue(request.Ctx(c), in)
		if err != nil {
			return err
		}
		return c.Status(201).JSON(out)
	}
}

func revokeToken(s *account.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.Revoke(request.Ctx(c), c.Params("id")); err != nil {
			return err
		}
		return c.SendStatus(204)
	}
}
