package api

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/admin"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// Table is the REST API: every route with its declared permission and its
// request and response types. The OpenAPI document is generated from it.
func Table(a *app.App) route.Table {
	ad := &admin.Admin{A: a}
	tenant := concat(
		tenantRoutes(a),
		directoryRoutes(a),
		marketRoutes(a),
		matchRoutes(a),
		agreementRoutes(a), templateRoutes(a),
		dialogRoutes(a), notifyRoutes(a),
		transportRoutes(a),
		billingRoutes(a),
		usageRoutes(a), // api/usage.go (K14)
		ledgerRoutes(a),
		loadRoutes(a),
		reportRoutes(a),
		climateRoutes(a),
		ad.TenantRoutes(),
	)
	platform := concat(ad.PlatformRoutes(), billingPlatformRoutes(a))
	uploadLimits(a, tenant)
	uploadLimits(a, platform)
	// Answers to a logged-in caller are private (L9); a write made with a
	// session cookie must come from the region's own pages (M10).
	private := httpx.PrivateCache(Personal, fiber.HeaderCookie, fiber.HeaderAuthorization)
	sameOrigin := httpx.SameOrigin(CookieSession, func(c *fiber.Ctx) []string { return Origins(c, a) })
	return route.Table{Surface: "api", Groups: []route.Group{
		{Prefix: "/api/v1", Use: []fiber.Handler{app.RateLimit(a.Config.APIRateLimit), httpx.ETag()}, Routes: concat(rootRoutes(a), billingRootRoutes(a))},
		{Prefix: "/api/v1/tenants/:tenant", Use: []fiber.Handler{a.TenantMiddleware, a.Authenticate, private, sameOrigin}, Routes: tenant},
		{Prefix: "/api/v1/platform", Use: []fiber.Handler{a.Authenticate, private, sameOrigin}, Routes: platform},
	}}
}

// uploadLimits gives the upload routes their larger body limits: files
// (documents, lab files) MASSEFLYT_MAX_UPLOAD, a raw image (the logo)
// MASSEFLYT_MAX_LOGO; every other route takes MASSEFLYT_MAX_BODY.
func uploadLimits(a *app.App, rs []route.Route) {
	for i := range rs {
		d := rs[i].Doc
		switch {
		case d == nil || rs[i].BodyLimit != 0:
		case d.Upload != nil:
			rs[i].BodyLimit = a.Config.MaxUpload + httpx.MultipartSlack
		case strings.HasPrefix(d.RawBody, "image/"):
			rs[i].BodyLimit = a.Config.MaxLogo
		case d.RawBody != "":
			rs[i].BodyLimit = a.Config.MaxUpload
		}
	}
}

// Personal reports whether the request's caller is logged in (by session or
// token): answers to them may carry personal data.
func Personal(c *fiber.Ctx) bool { return !request.Principal(c).Anonymous() }

// CookieSession reports whether a browser's ambient credentials (a session
// cookie) authenticate the request, rather than a bearer token or a
// session token header, which a cross-site page cannot send.
func CookieSession(c *fiber.Ctx) bool {
	p := request.Principal(c)
	return !p.Anonymous() && p.Token == nil && c.Get("X-Session-Token") == "" && c.Get(fiber.HeaderAuthorization) == ""
}

// Origins are the origins a cookie-authenticated write may come from: the
// request's own, the configured public URL's, and the region's own hosts.
func Origins(c *fiber.Ctx, a *app.App) []string {
	// The request's own host over https too: behind a TLS proxy the app may
	// see plain HTTP while the browser's Origin says https.
	out := []string{httpx.OwnOrigin(c), "https://" + strings.ToLower(string(c.Request().Host()))}
	if u, err := url.Parse(a.Config.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		out = append(out, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	for _, h := range TenantHosts(c, a) {
		out = append(out, "https://"+h)
	}
	return out
}

// TenantHosts are the request tenant's own host names: its custom domains
// and its subdomain of the base domain.
func TenantHosts(c *fiber.Ctx, a *app.App) []string {
	return tenantHosts(request.Tenant(c), a.Config.BaseDomain)
}

func tenantHosts(t *tenants.Tenant, baseDomain string) []string {
	if t == nil {
		return nil
	}
	var out []string
	for _, d := range t.Domains {
		out = append(out, strings.ToLower(strings.TrimSuffix(d, ".")))
	}
	if baseDomain != "" {
		out = append(out, t.Slug+"."+baseDomain)
	}
	return out
}

// Mount serves the API.
func Mount(a *app.App) {
	feedCaches.Store(a.Market, newFeedCache(a.Config.BaseDomain)) // the feed's link base knows the regions' subdomains
	a.Mount(Table(a))
	a.OnClose(func() error { feedCaches.Delete(a.Market); return nil })
}

func concat(lists ...[]route.Route) []route.Route {
	var out []route.Route
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
