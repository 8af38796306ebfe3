// Package api holds REST handlers taken off the domain: each decodes,
// authorizes, calls one domain method with the request's context (which
// carries the actor and the tenant) and writes the answer.
package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// LocalizedStats reads the request tenant's statistics with fraction names
// in the request's language (the API, the UI's statistics and live pages).
func LocalizedStats(c *fiber.Ctx, s *stats.Service) (*stats.Stats, error) {
	loc := httpx.Loc(c)
	return s.Localized(access.With(c.UserContext(), request.Actor(c)), func(code string) string { return loc.T("Fraction_" + code) })
}

// Stats serves GET /stats: open data, readable from any site.
func Stats(s *stats.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st, err := LocalizedStats(c, s)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
		c.Set(fiber.HeaderCacheControl, "public, max-age=15")
		return c.JSON(st)
	}
}
