package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/valyala/fasthttp"
)

// Requests: which tenant a request is for (by host or path), and who makes
// it (session, API token, roles and organizations), put on the request and
// on its context for the domain.

// wrapHost resolves tenants by Host header before Fiber routes: a request to
// a tenant's own domain (or {slug}.{base domain}) is rewritten onto the
// slug-addressed routes, so one route table serves both. The shared routes
// (every route not under /t/{tenant} or /api/v1/tenants/{tenant}, read from
// the mounted table: /lang, /widgets, /favicon.ico, /static, /auth …) are
// served as they are, and no other region's pages are (H3).
func (a *App) wrapHost() {
	var shared []string
	for _, r := range a.Fiber.GetRoutes(true) {
		if r.Path == "/" || strings.HasPrefix(r.Path, "/t/:tenant") || strings.HasPrefix(r.Path, "/api/v1/tenants/:tenant") {
			continue
		}
		shared = append(shared, r.Path)
	}
	srv := a.Fiber.Server()
	next := srv.Handler
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		if t, ok := a.Tenants.ByHost(string(ctx.Host())); ok {
			if np, ok := rewriteForTenant(string(ctx.Path()), string(ctx.URI().PathOriginal()), t.Slug, shared); ok {
				ctx.URI().SetPath(np)
			}
		}
		next(ctx)
	}
}

// notOnThisHost is where a tenant host sends another region's pages: no
// route, so 404.
const notOnThisHost = "/.not-on-this-host"

// rewriteForTenant maps a request on a tenant's host: path is the decoded,
// normalized path (what routing sees), orig the path as sent. Shared
// routes stay; the tenant's own slug-addressed paths stay; another
// region's slug-addressed paths go nowhere; everything else is the
// tenant's (/x → /t/{slug}/x, /api/v1/x → /api/v1/tenants/{slug}/x).
func rewriteForTenant(path, orig, slug string, shared []string) (string, bool) {
	own := func(prefix string) bool {
		rest, ok := strings.CutPrefix(path, prefix)
		return ok && (rest == slug || strings.HasPrefix(rest, slug+"/"))
	}
	switch {
	case strings.HasPrefix(path, "/t/"):
		if own("/t/") {
			return orig, false
		}
		return notOnThisHost, true
	case strings.HasPrefix(path, "/api/v1/tenants/"):
		if own("/api/v1/tenants/") {
			return orig, false
		}
		return "/api/v1/tenants" + notOnThisHost, true // problem+json 404
	case path != "/" && sharedRoute(path, shared):
		return orig, false
	case path == "/api/v1" || strings.HasPrefix(path, "/api/v1/"):
		return "/api/v1/tenants/" + slug + strings.TrimPrefix(orig, "/api/v1"), true
	default:
		return "/t/" + slug + orig, true
	}
}

// sharedRoute reports whether path matches one of the route patterns
// (Fiber's: ":name" one segment, "*" or "+" the rest, "?" optional).
func sharedRoute(path string, patterns []string) bool {
	for _, p := range patterns {
		if matchPattern(p, path) {
			return true
		}
	}
	return false
}

func matchPattern(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, seg := range ps {
		if seg == "*" || seg == "+" {
			return true
		}
		if i >= len(xs) {
			return strings.HasPrefix(seg, ":") && strings.HasSuffix(seg, "?") && i == len(ps)-1
		}
		switch {
		case strings.HasPrefix(seg, ":"):
			if xs[i] == "" {
				return false
			}
		case seg != xs[i]:
			return false
		}
	}
	return len(xs) == len(ps)
}

// Secure reports whether the request came over TLS (directly or from a trusted proxy).
func (a *App) Secure(c *fiber.Ctx) bool {
	if c.Context().IsTLS() {
		return true
	}
	return a.Config.TrustProxy && httpx.FromTrustedProxy(c, a.Config.TrustedProxies) && c.Get("X-Forwarded-Proto") == "https"
}

// ClientIP is the request's client address: the peer, or behind a trusted
// proxy the rightmost X-Forwarded-For entry that is not a trusted proxy.
func ClientIP(c *fiber.Ctx) string { return httpx.ClientIP(c) }

// TenantMiddleware resolves :tenant, scopes the context, and applies the tenant's language.
func (a *App) TenantMiddleware(c *fiber.Ctx) error {
	slug := c.Params("tenant")
	t, ok := a.Tenants.BySlug(slug)
	if !ok {
		if len(slug) > 40 {
			slug = slug[:40]
		}
		return httpx.NewError(404, "unknown_tenant", "ErrUnknownTenant", "Slug", slug)
	}
	request.SetTenant(c, t)
	c.SetUserContext(store.WithTenant(c.UserContext(), t.ID))
	l := httpx.Loc(c)
	if c.Query("lang") == "" && c.Cookies("lang") == "" && (httpx.WantsHTML(c) || c.Get(fiber.HeaderAcceptLanguage) == "") {
		if locales.IsSupported(t.DefaultLocale) && t.DefaultLocale != l.Lang {
			httpx.SetLoc(c, locales.New(a.Bundle, t.DefaultLocale))
		}
	}
	return c.Next()
}

// Authenticate resolves the principal: an API token (Authorization: Bearer),
// else an identity session (cookie or X-Session-Token), else anonymous.
func (a *App) Authenticate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t := request.Tenant(c)
	p := &auth.Principal{Roles: []string{auth.RoleAnonymous}}
	request.SetRoles(c, a.Roles)
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return httpx.NewError(401, "token_invalid", "ErrTokenInvalid")
		}
		// A token belongs to one region and is looked up in the request's
		// region only: elsewhere (another region, a platform route) it is
		// not found.
		tid := ""
		if t != nil {
			tid = t.ID
		}
		tok, user, err := a.Users.LookupToken(ctx, tid, strings.TrimSpace(secret))
		switch {
		case errors.Is(err, auth.ErrTokenExpired):
			return httpx.NewError(401, "token_expired", "ErrTokenExpired")
		case errors.Is(err, auth.ErrTokenRevoked):
			return httpx.NewError(401, "token_revoked", "ErrTokenRevoked")
		case errors.Is(err, auth.ErrTokenInvalid):
			return httpx.NewError(401, "token_invalid", "ErrTokenInvalid")
		case err != nil:
			return err
		}
		if tok.TenantID != tid {
			return httpx.NewError(401, "token_invalid", "ErrTokenInvalid")
		}
		p.User, p.Token = user, tok
	} else if creds := (auth.Credentials{CookieHeader: c.Get(fiber.HeaderCookie), SessionToken: c.Get("X-Session-Token"), ClientIP: ClientIP(c)}); creds.CookieHeader != "" || creds.SessionToken != "" {
		sess, err := a.Identity.Authenticate(ctx, creds)
		switch {
		case errors.Is(err, auth.ErrStepUpRequired):
			p.StepUp = true // anonymous until the second factor is given
		case err != nil:
			// Public pages and open data still answer; what needs a login
			// gets 503 (identityGate).
			a.Log.Warn("identity provider failed", "request_id", httpx.RequestID(c), "err", err)
			p.IdentityDown = true
		}
		if sess != nil {
			u, err := a.Users.Ensure(ctx, sess)
			if err != nil {
				return err
			}
			p.User, p.AAL = u, sess.AAL
		}
	}
	if p.User != nil {
		var assigned []string
		if t != nil {
			assigned = a.Roles.UserRoles(p.User.ID, t.ID)
		}
		// A supervisor (tilsyn) reads everything and changes nothing, so it
		// does not get the write rights every logged-in user has.
		if !(contains(assigned, auth.RoleSupervisor) && !contains(assigned, auth.RoleTenantAdmin) && !contains(assigned, auth.RoleSuperadmin)) {
			p.Roles = append(p.Roles, auth.RoleAuthenticated)
		}
		if t != nil {
			p.Roles = append(p.Roles, assigned...)
			orgs, transporter, err := a.Directory.PrincipalOrgs(ctx, p.User.ID)
			if err != nil {
				return err
			}
			p.Orgs = orgs
			if len(orgs) > 0 {
				p.Roles = append(p.Roles, auth.RoleMember)
			}
			for _, r := range orgs {
				if r == directory.AdminRole {
					p.Roles = append(p.Roles, auth.RoleOrgAdmin)
					break
				}
			}
			if transporter {
				p.Roles = append(p.Roles, auth.RoleTransporter)
			}
		} else if a.Roles.IsSuperadmin(p.User.ID) {
			p.Roles = append(p.Roles, auth.RoleSuperadmin)
		}
	}
	request.SetPrincipal(c, p)
	// Domain methods read the actor from the context.
	c.SetUserContext(access.With(c.UserContext(), request.Actor(c)))
	if p.Token != nil && p.Token.HasScope(auth.ScopeAdmin) {
		a.Log.Info("admin token used", "request_id", httpx.RequestID(c), "token", p.Token.ID, "user", p.User.ID, "tenant", p.Token.TenantID, "method", c.Method(), "path", c.Path())
	}
	if p.IdentityDown || p.StepUp {
		return a.identityGate(c, p, c.Next())
	}
	return c.Next()
}

// identityGate turns a refusal for want of a login into what actually
// happened: the identity provider is down (503), or the session needs a
// second factor (a page goes to the step-up; the API says so).
func (a *App) identityGate(c *fiber.Ctx, p *auth.Principal, err error) error {
	if err == nil || httpx.AsError(err).Status != 401 {
		return err
	}
	if p.IdentityDown {
		return httpx.NewError(503, "identity_unavailable", "ErrIdentityUnavailable")
	}
	if su, ok := a.Identity.(auth.StepUp); ok && c.Method() == fiber.MethodGet && httpx.WantsHTML(c) && c.Get("HX-Request") == "" {
		return c.Redirect(su.SecondFactorURL(c.BaseURL()+c.OriginalURL()), fiber.StatusSeeOther)
	}
	return httpx.NewError(403, "second_factor_required", "ErrSecondFactor")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
