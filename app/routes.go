package app

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func (a *App) newFiber() *fiber.App {
	cfg := fiber.Config{
		AppName:               "masseflyt",
		Immutable:             true,
		ErrorHandler:          a.Errors.Handle,
		BodyLimit:             24 << 20, // documents up to 20 MB; JSON bodies are limited to 256 KB by the decoder
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
	}
	if a.Config.TrustProxy {
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.EnableTrustedProxyCheck = false
	}
	f := fiber.New(cfg)
	f.Use(recover.New())
	f.Use(httpx.RequestIDs())
	f.Use(httpx.AccessLog(a.Log))
	f.Use(httpx.SecurityHeaders(a.Secure))
	f.Use(httpx.Locale(a.Bundle, nil))
	f.Use(compress.New(compress.Config{Next: func(c *fiber.Ctx) bool {
		return strings.HasSuffix(c.Path(), "/events") // SSE streams must not be buffered
	}}))
	return f
}

// RateLimit returns a per-client limiter (max requests per minute; 0 disables).
func RateLimit(max int) fiber.Handler {
	if max <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: time.Minute,
		LimitReached: func(c *fiber.Ctx) error {
			return httpx.NewError(429, "rate_limited", "ErrRateLimited")
		},
	})
}

// TenantAPI is the tenant-scoped API router (/api/v1/tenants/:tenant); set by routes.
func (a *App) TenantAPI() fiber.Router { return a.tenantAPI }

func (a *App) routes() {
	f := a.Fiber
	f.Get("/healthz", func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) })
	f.Get("/readyz", a.ready)

	f.Use("/auth", RateLimit(a.Config.LoginRateLimit))
	for _, rr := range a.moduleRoutes {
		rr.Routes(f)
	}

	v1 := f.Group("/api/v1", RateLimit(a.Config.APIRateLimit), httpx.ETag())
	v1.Get("/tenants", a.listTenants)
	t := v1.Group("/tenants/:tenant", a.TenantMiddleware, a.Authenticate)
	a.tenantAPI = t
	t.Get("/", a.getTenant)
	t.Get("/logo", a.tenantLogo)
	t.Get("/me", a.me)
	t.Get("/tokens", a.listTokens)
	t.Post("/tokens", a.createToken)
	t.Delete("/tokens/:id", a.revokeToken)
	a.Directory.Routes(t)
	a.Market.Routes(t)
	api.MatchRoutes(t, a.Matching)
	t.Get("/stats", api.Stats(a.Stats))
}

func (a *App) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		return c.Status(503).JSON(fiber.Map{"status": "database unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ready", "tenants": len(a.Tenants.All())})
}

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

func (a *App) summary(slug string) TenantSummary {
	t, _ := a.Tenants.BySlug(slug)
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

func (a *App) listTenants(c *fiber.Ctx) error {
	out := []TenantSummary{}
	for _, t := range a.Tenants.All() {
		if t.Active {
			out = append(out, a.summary(t.Slug))
		}
	}
	return c.JSON(fiber.Map{"items": out})
}

func (a *App) getTenant(c *fiber.Ctx) error {
	if err := request.Authorize(c, "tenant", "read"); err != nil {
		return err
	}
	return c.JSON(a.summary(request.Tenant(c).Slug))
}

func (a *App) tenantLogo(c *fiber.Ctx) error { return SendLogo(c) }

// SendLogo answers with the request tenant's logo, loadable from other
// sites (widgets); an SVG opened directly cannot run script.
func SendLogo(c *fiber.Ctx) error {
	t := request.Tenant(c)
	if !t.HasLogo() {
		return httpx.NotFound()
	}
	c.Set(fiber.HeaderContentType, t.LogoType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Send(t.Logo)
}

// Me describes the caller in this tenant.
type Me struct {
	User  *auth.User        `json:"user"`
	Roles []string          `json:"roles"`
	Orgs  map[string]string `json:"organizations"`
	AAL   string            `json:"aal,omitempty"`
}

func (a *App) me(c *fiber.Ctx) error {
	p := request.Principal(c)
	if p.Anonymous() {
		return httpx.Unauthorized()
	}
	orgs := p.Orgs
	if orgs == nil {
		orgs = map[string]string{}
	}
	return c.JSON(Me{User: p.User, Roles: p.Roles, Orgs: orgs, AAL: p.AAL})
}

// TokenInput is the body of token creation.
type TokenInput struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays int      `json:"expires_in_days"`
}

// MaxTokenDays bounds token lifetime.
const MaxTokenDays = 366

func (a *App) listTokens(c *fiber.Ctx) error {
	if err := request.Authorize(c, "tokens", "manage"); err != nil {
		return err
	}
	if request.Principal(c).Token != nil {
		return httpx.NewError(403, "token_admin", "ErrTokenAdmin")
	}
	out, err := a.Users.Tokens(c.UserContext(), request.Principal(c).UserID())
	if err != nil {
		return err
	}
	if out == nil {
		out = []auth.Token{}
	}
	return c.JSON(fiber.Map{"items": out})
}

// CreateToken validates and issues a token for the caller (API and UI share it).
func (a *App) CreateToken(c *fiber.Ctx, in TokenInput) (*auth.Token, string, error) {
	if err := request.Authorize(c, "tokens", "manage"); err != nil {
		return nil, "", err
	}
	p := request.Principal(c)
	if p.Token != nil {
		return nil, "", httpx.NewError(403, "token_admin", "ErrTokenAdmin")
	}
	v := &httpx.Validation{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		v.Add("name", "required", "ErrFieldRequired")
	} else if len([]rune(in.Name)) > 100 {
		v.Add("name", "too_long", "ErrFieldTooLong", "Max", 100)
	}
	if len(in.Scopes) == 0 {
		v.Add("scopes", "required", "ErrFieldRequired")
	}
	for _, s := range in.Scopes {
		if s != auth.ScopeRead && s != auth.ScopeWrite {
			v.Add("scopes", "enum", "ErrFieldEnum", "Allowed", "read, write")
			break
		}
	}
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = 90
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > MaxTokenDays {
		v.Add("expires_in_days", "range", "ErrFieldRange", "Min", 1, "Max", MaxTokenDays)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return a.Users.CreateToken(c.UserContext(), p.UserID(), in.Name, in.Scopes, time.Duration(in.ExpiresInDays)*24*time.Hour)
}

func (a *App) createToken(c *fiber.Ctx) error {
	var in TokenInput
	if err := request.Authorize(c, "tokens", "manage"); err != nil {
		return err
	}
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, secret, err := a.CreateToken(c, in)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(fiber.Map{"token": t, "secret": secret})
}

func (a *App) revokeToken(c *fiber.Ctx) error {
	if err := request.Authorize(c, "tokens", "manage"); err != nil {
		return err
	}
	p := request.Principal(c)
	if p.Token != nil {
		return httpx.NewError(403, "token_admin", "ErrTokenAdmin")
	}
	ok, err := a.Users.RevokeToken(c.UserContext(), p.UserID(), c.Params("id"))
	if err != nil {
		return err
	}
	if !ok {
		return httpx.NotFound()
	}
	return c.SendStatus(204)
}
