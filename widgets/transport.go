package widgets

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/transport"
	"github.com/masseflyt/masseflyt/request"
)

// transport is the planned transports' public aggregate for embedding
// (K8): loads per corridor (~1 km cell to cell) and ISO week, by fraction,
// no parties; the same as the open API's …/transport/corridors.
func (h *handler) transport(c *fiber.Ctx) error {
	out, err := h.a.Transport.Corridors(request.Ctx(c), transport.Filter{From: c.Query("from"), To: c.Query("to"), Fraction: c.Query("fraction")})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, CacheData)
	return c.JSON(out)
}
