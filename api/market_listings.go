package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func (h *marketAPI) list(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, market.ListingBounds)
	if err != nil {
		return err
	}
	f, err := market.ParseFilter(func(name string) string { return c.Query(name) })
	if err != nil {
		return err
	}
	ctx := request.Ctx(c)
	p, err := h.m.List(ctx, f, pr)
	if err != nil {
		return err
	}
	out := page.Page[ListingView]{Items: make([]ListingView, 0, len(p.Items)), NextCursor: p.NextCursor}
	for i := range p.Items {
		out.Items = append(out.Items, viewOf(ctx, &p.Items[i]))
	}
	return c.JSON(out)
}

func (h *marketAPI) get(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	l, err := h.m.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	v, err := h.m.ViewFor(ctx, l) // with what the owner disclosed in a dialog (B6)
	if err != nil {
		return err
	}
	return c.JSON(ListingView{v: v})
}

func (h *marketAPI) create(c *fiber.Ctx) error {
	var in market.ListingInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := h.m.Create(request.Ctx(c), &in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(l)
}

func (h *marketAPI) update(c *fiber.Ctx) error {
	var in market.ListingInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := h.m.Update(request.Ctx(c), c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (h *marketAPI) setStatus(to market.Status) fiber.Handler {
	return func(c *fiber.Ctx) error {
		l, err := h.m.SetStatus(request.Ctx(c), c.Params("id"), to)
		if err != nil {
			return err
		}
		return c.JSON(l)
	}
}
