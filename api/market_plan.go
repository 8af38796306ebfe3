package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func (h *marketAPI) plan(c *fiber.Ctx) error {
	p, err := h.m.Plan(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *marketAPI) putPlan(c *fiber.Ctx) error {
	var in market.PlanInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.m.SavePlan(request.Ctx(c), c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *marketAPI) exportPlan(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := h.m.ExportPlan(request.Ctx(c), c.Params("id"), format)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.ContentType)
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.Filename+`"`)
		return c.Send(f.Data)
	}
}
