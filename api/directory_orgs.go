package api

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// listOrgs serves the directory a page at a time. Pages are kept as sent,
// per tenant, query and visibility (anonymous visitors see no e-mail or
// phone), until the tenant's data changes; the guard runs on every request.
func listOrgs(s *directory.Service) fiber.Handler {
	pages := store.NewCache[[]byte](directory.CacheTTL, 2000)
	return func(c *fiber.Ctx) error {
		pr, err := httpx.PageRequest(c, directory.OrgPages)
		if err != nil {
			return err
		}
		t := request.Tenant(c)
		gen := store.Generation(t.ID)
		key := t.ID + "|" + strconv.FormatBool(request.Principal(c).Anonymous()) + "|" + string(c.Request().URI().QueryString())
		if b, ok := pages.Get(key, gen); ok {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			return c.Send(b)
		}
		f := directory.OrgFilter{Q: c.Query("q"), Kind: c.Query("kind"), Service: c.Query("service"), Municipality: c.Query("municipality"), Page: pr}
		p, err := s.ListOrgs(request.Ctx(c), f)
		if err != nil {
			return err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		pages.Put(key, gen, b)
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(b)
	}
}

func getOrg(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		o, err := s.GetOrg(request.Ctx(c), id)
		if err != nil {
			return err
		}
		return c.JSON(o)
	}
}

func createOrg(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in directory.OrgInput
		if err := httpx.DecodeJSON(c, &in); err != nil {
			return err
		}
		o, err := s.CreateOrg(request.Ctx(c), &in)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(o)
	}
}

func registryLookup(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, err := s.LookupRegistry(request.Ctx(c), c.Params("orgnr"))
		if err != nil {
			return err
		}
		return c.JSON(u)
	}
}
