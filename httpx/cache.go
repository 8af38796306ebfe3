package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// PrivateCache marks answers that may carry personal data (L9): every
// answer varies by the given request headers (Cookie; Authorization for the
// API), and an answer to a caller for whom personal(c) holds is
// "private, no-store" unless its handler declared it public (open data:
// the feed, statistics, a region's stylesheet and icons).
func PrivateCache(personal func(*fiber.Ctx) bool, vary ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		for _, v := range vary {
			c.Vary(v)
		}
		if personal(c) {
			h := &c.Response().Header
			if cc := strings.ToLower(string(h.Peek(fiber.HeaderCacheControl))); !strings.HasPrefix(cc, "public") {
				h.Set(fiber.HeaderCacheControl, "private, no-store")
			}
		}
		return err
	}
}
