package app

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

func (a *App) newFiber() *fiber.App {
	cfg := fiber.Config{
		AppName:      "masseflyt",
		Immutable:    true,
		ErrorHandler: a.Errors.Handle,
		// Bodies are streamed: a handler reads one only when it asks, and
		// every route refuses a Content-Length beyond its own limit
		// (route.Route.BodyLimit, httpx.LimitBody) before reading a byte.
		// fasthttp's limit is the largest any route takes.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    int(max(a.Config.MaxBody, a.Config.MaxUpload, a.Config.MaxLogo)),
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		DisableStartupMessage:        true,
		ReadBufferSize:               16 << 10,
	}
	// The client address is httpx.ClientIP (the rightmost X-Forwarded-For
	// entry that is not a trusted proxy); Fiber believes X-Forwarded-Proto
	// and -Host only from the trusted proxies.
	cfg.EnableTrustedProxyCheck = true
	for _, p := range a.Config.TrustedProxies {
		cfg.TrustedProxies = append(cfg.TrustedProxies, p.String())
	}
	f := fiber.New(cfg)
	// Live streams (httpx.Stream) take their connection over and close it
	// themselves: fasthttp then frees the request's buffers at once
	// instead of holding them for the stream's life (issue 16).
	f.Server().KeepHijackedConns = true
	f.Use(recover.New())
	f.Use(httpx.ClientAddress(a.Config.TrustedProxies))
	f.Use(httpx.Bodies(a.Config.MaxBody))
	// Fair scheduling (app/fair.go): what one client holds at once.
	f.Use(newFairGate(a.Config.Fair, func() *i18n.Bundle {
		if a.Bundle != nil {
			return a.Bundle
		}
		return locales.MustBundle()
	}).Handler())
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
		Max:          max,
		Expiration:   time.Minute,
		KeyGenerator: httpx.ClientIP,
		// Answered from a prebuilt body: no page rendered, no message
		// looked up (app/fair.go).
		LimitReached: func(c *fiber.Ctx) error { return rateRefusals.refuse(c, fiber.StatusTooManyRequests) },
	})
}

// Table is the kernel's surface: health checks and the identity plugin's
// login and logout pages (rate limited like every /auth request).
func (a *App) Table() route.Table {
	auth := route.Group{Prefix: "/auth", Use: []fiber.Handler{RateLimit(a.Config.LoginRateLimit)}}
	for _, rr := range a.moduleRoutes {
		for _, r := range rr.Routes() {
			r.Path = strings.TrimPrefix(r.Path, "/auth")
			auth.Routes = append(auth.Routes, r)
		}
	}
	return route.Table{Surface: "kernel", Groups: []route.Group{
		{Routes: []route.Route{
			{Method: "GET", Path: "/healthz", Perm: access.Anyone, Handler: func(c *fiber.Ctx) error { return c.JSON(fiber.Map{"status": "ok"}) }},
			{Method: "GET", Path: "/readyz", Perm: access.Anyone, Handler: a.ready},
		}},
		auth,
	}}
}

// Tables are every surface's route table, as mounted.
func (a *App) Tables() []route.Table { return a.tables }

// Mount serves a surface's table and records it (the matrix, the isolation
// walk and the OpenAPI document read the tables).
func (a *App) Mount(t route.Table) {
	route.Mount(a.Fiber, t)
	a.tables = append(a.tables, t)
}

func (a *App) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		return c.Status(503).JSON(fiber.Map{"status": "database unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ready", "tenants": len(a.Tenants.All())})
}

// SendLogo answers with the request tenant's logo, loadable from other
// sites (widgets); an SVG opened directly cannot run script.
func SendLogo(c *fiber.Ctx) error {
	t := request.Tenant(c)
	if !t.HasLogo() {
		return httpx.NotFound()
	}
	c.Set(fiber.HeaderContentType, t.LogoType)
	if c.Query("v") == httpx.LogoVersion(t.Logo) {
		// The pages' URL: a new logo has a new one.
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	}
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Send(t.Logo)
}
