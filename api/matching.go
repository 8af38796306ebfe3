package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// Page bounds: a listing's ranked counterparts (at most the best 100 are
// ranked) and a person's notifications.
var (
	matchPages        = page.Bounds{Default: 20, Max: 100}
	notificationPages = page.Bounds{Default: 50, Max: 200}
)

// MatchPage is a page of ranked counterparts with the method used.
type MatchPage struct {
	page.Page[matching.Match]
	FactorSet string `json:"factor_set"`
	Router    string `json:"router"`
}

func matchRoutes(a *app.App) []route.Route {
	s := a.Matching
	return []route.Route{
		{Method: "GET", Path: "/listings/:id/matches", Perm: access.MatchesRead, Handler: matches(s),
			Doc: &route.Doc{ID: "listMatches", Summary: "Best counterparts, ranked by transport kg CO2e per tonne, explained; the best 100 are ranked, a page at a time", Tag: "Market", Page: matchPages, Out: MatchPage{}}},
		{Method: "POST", Path: "/listings/:id/matches/:counterpart/dismiss", Perm: access.MatchesDismiss, Handler: dismiss(s),
			Doc: &route.Doc{ID: "dismissMatch", Summary: "Dismiss a match; it stays dismissed", Tag: "Market", Status: 204}},
		{Method: "GET", Path: "/notifications", Perm: access.NotificationsRead, Handler: notifications(s),
			Doc: &route.Doc{ID: "listNotifications", Summary: "Your notifications (new matches), unread first, newest first", Tag: "Market", Page: notificationPages, Out: page.Page[matching.Notification]{}}},
		{Method: "POST", Path: "/notifications/:id/read", Perm: access.NotificationsUpdate, Handler: readNotification(s),
			Doc: &route.Doc{ID: "readNotification", Summary: "Mark a notification read", Tag: "Market", Status: 204}},
	}
}

func matches(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pr, err := httpx.PageRequest(c, matchPages)
		if err != nil {
			return err
		}
		ctx := request.Ctx(c)
		l, err := s.Owned(ctx, c.Params("id"))
		if err != nil {
			return err
		}
		p, err := s.Page(ctx, l, pr)
		if err != nil {
			return err
		}
		return c.JSON(MatchPage{Page: p, FactorSet: s.Engine.Factors.Name, Router: s.Engine.Router})
	}
}

func dismiss(s *matching.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
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
		pr, err := httpx.PageRequest(c, notificationPages)
		if err != nil {
			return err
		}
		out, err := s.Notifications(request.Ctx(c), pr)
		if err != nil {
			return err
		}
		return c.JSON(out)
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
