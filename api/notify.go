package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// notifyRoutes are the caller's inbox and mail preferences.
func notifyRoutes(a *app.App) []route.Route {
	n := a.Notify
	return []route.Route{
		{Method: "GET", Path: "/inbox", Perm: access.NotificationsRead, Handler: func(c *fiber.Ctx) error {
			pr, err := httpx.PageRequest(c, notify.InboxBounds)
			if err != nil {
				return err
			}
			p, err := n.Inbox(request.Ctx(c), pr)
			if err != nil {
				return err
			}
			return c.JSON(p)
		}, Doc: &route.Doc{ID: "listInbox", Summary: "Your inbox: notifications of every kind (new messages in dialogs, …), unread first, newest first, titled in your language", Tag: "Notifications", Page: notify.InboxBounds, Out: page.Page[notify.Entry]{}}},
		{Method: "POST", Path: "/inbox/:id/read", Perm: access.NotificationsUpdate, Handler: func(c *fiber.Ctx) error {
			if err := n.MarkRead(request.Ctx(c), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		}, Doc: &route.Doc{ID: "readInboxEntry", Summary: "Mark one of your notifications read", Tag: "Notifications", Status: 204}},
		{Method: "GET", Path: "/me/mail-preferences", Perm: access.MeRead, Handler: func(c *fiber.Ctx) error {
			p, err := n.Preferences(request.Ctx(c))
			if err != nil {
				return err
			}
			return c.JSON(p)
		}, Doc: &route.Doc{ID: "getMailPreferences", Summary: "Your e-mail preference in this region (each notification, a daily digest or none) and the language of your mail", Tag: "Notifications", Out: notify.Preferences{}}},
		{Method: "PUT", Path: "/me/mail-preferences", Perm: access.NotificationsUpdate, Handler: func(c *fiber.Ctx) error {
			var in notify.Preferences
			if err := httpx.DecodeJSON(c, &in); err != nil {
				return err
			}
			p, err := n.SetPreferences(request.Ctx(c), in)
			if err != nil {
				return err
			}
			return c.JSON(p)
		}, Doc: &route.Doc{ID: "putMailPreferences", Summary: "Set your e-mail preference and mail language in this region", Tag: "Notifications", In: notify.Preferences{}, Out: notify.Preferences{}, Example: map[string]any{"mail": "digest", "locale": "nn"}}},
	}
}
