package httpx

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Download answers with a file to save: its type, and its name in
// Content-Disposition (quotes and line breaks taken out of the name).
func Download(c *fiber.Ctx, filename, contentType string, data []byte) error {
	name := strings.Map(func(r rune) rune {
		if r == '"' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, filename)
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(data)
}
