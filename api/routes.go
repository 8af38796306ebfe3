package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/admin"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/route"
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
		ad.TenantRoutes(),
	)
	return route.Table{Surface: "api", Groups: []route.Group{
		{Prefix: "/api/v1", Use: []fiber.Handler{app.RateLimit(a.Config.APIRateLimit), httpx.ETag()}, Routes: rootRoutes(a)},
		{Prefix: "/api/v1/tenants/:tenant", Use: []fiber.Handler{a.TenantMiddleware, a.Authenticate}, Routes: tenant},
		{Prefix: "/api/v1/platform", Use: []fiber.Handler{a.Authenticate}, Routes: ad.PlatformRoutes()},
	}}
}

// Mount serves the API.
func Mount(a *app.App) {
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
