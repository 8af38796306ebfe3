package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// SameOrigin refuses a cross-site write made with a browser's ambient
// credentials (M10): when needs(c) holds (a session cookie, not a bearer
// token, authenticates the request), an unsafe method must come from the
// same origin (Sec-Fetch-Site: same-origin) or name an allowed origin in
// its Origin header; otherwise 403 problem+json.
func SameOrigin(needs func(*fiber.Ctx) bool, origins func(*fiber.Ctx) []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if !needs(c) || c.Get("Sec-Fetch-Site") == "same-origin" {
			return c.Next()
		}
		if o := strings.TrimRight(c.Get(fiber.HeaderOrigin), "/"); o != "" && o != "null" {
			for _, a := range origins(c) {
				if strings.EqualFold(o, strings.TrimRight(a, "/")) {
					return c.Next()
				}
			}
		}
		return NewError(403, "cross_origin", "ErrForbidden")
	}
}

// OwnOrigin is the origin the request was made to (scheme and host as the
// client, or a trusted proxy, sent them).
func OwnOrigin(c *fiber.Ctx) string {
	return c.Protocol() + "://" + strings.ToLower(string(c.Request().Host()))
}
