package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// MatchRoutes registers the match and notification API on the tenant router.
func MatchRoutes(r fiber.Router, s *matching.Service) {
	r.Get("/listings/:id/matches", matches(s))
	r.Post("/listings/:id/matches/:counterpart/dismiss", dismiss(s))
	r.Get("/notifications", notifications(s))
	r.Post("/notifications/:id/read", readNotification(s))
}

func matches(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, "listings", "read"); err != nil {
			return err
		}
		if request.Principal(c).Anonymous() {
			return httpx.Unauthorized()
		}
		limit, err := httpx.Limit(c, 20, 100)
		if err != nil {
			return err
		}
		ctx := request.Ctx(c)
		l, err := s.Owned(ctx, c.Params("id"))
		if err != nil {
			return err
		}
		ms, err := s.Rank(ctx, l, limit)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": ms, "factor_set": s.Engine.Factors.Name, "router": s.Engine.Router})
	}
}

func dismiss(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, "listings", "update"); err != nil {
			return err
		}
		ctx := request.Ctx(c)
		l, err := s.Owned(ctx, c.Params("id"))
		if err != nil {
			return err
		}
		if err := s.Dismiss(ctx, l, c.Params("counterpart")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func notifications(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out, err := s.Notifications(request.Ctx(c))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"items": out})
	}
}

func readNotification(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.MarkRead(request.Ctx(c), c.Params("id")); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
