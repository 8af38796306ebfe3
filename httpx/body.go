package httpx

import (
	"bytes"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Request bodies are streamed (Fiber's StreamRequestBody): fasthttp hands a
// handler the headers and at most a few kilobytes, and the body is read
// only when a handler asks for it. Every route starts with LimitBody, which
// refuses a declared Content-Length beyond the route's limit before a byte
// of the body is read, and reads a chunked body only up to the limit; the
// UI's CSRF form check and the handler run after authorization. Bodies
// closes or drains what a refused request left unread.

const localsBodyLimit = "mf.bodylimit"

// drainMax is how much of a body nobody read is read and dropped to keep the
// connection; beyond it the connection is closed instead.
const drainMax = 64 << 10

// MultipartSlack is room for a multipart form's envelope and fields around
// the largest file an upload route takes.
const MultipartSlack = 64 << 10

// Bodies sets the default body limit for the routes (LimitBody with 0) and,
// after the request, drops what nobody read.
func Bodies(def int64) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(localsBodyLimit, def)
		err := c.Next()
		finishBody(c)
		return err
	}
}

// finishBody drains a small unread body, or closes the connection rather
// than read a large one (the next request on the connection would start
// inside it).
func finishBody(c *fiber.Ctx) {
	req := c.Request()
	if !req.IsBodyStream() {
		return
	}
	if n := req.Header.ContentLength(); n > drainMax || n == -1 {
		c.Context().SetConnectionClose()
		_ = req.CloseBodyStream()
		return
	}
	if n, err := io.CopyN(io.Discard, req.BodyStream(), drainMax+1); err != io.EOF || n > drainMax {
		c.Context().SetConnectionClose()
	}
	_ = req.CloseBodyStream()
}

// BodyLimit is the limit LimitBody applies to the request (its route's, or
// the default).
func BodyLimit(c *fiber.Ctx) int64 {
	n, _ := c.Locals(localsBodyLimit).(int64)
	return n
}

// LimitBody refuses a body larger than limit bytes (0: the default Bodies
// set) with 413, before reading it; a compressed request body (a
// decompression bomb) is refused with 415.
func LimitBody(limit int64) fiber.Handler {
	return func(c *fiber.Ctx) error {
		max := limit
		if max <= 0 {
			max = BodyLimit(c)
		} else {
			c.Locals(localsBodyLimit, max)
		}
		req := c.Request()
		if ce := strings.ToLower(strings.TrimSpace(string(req.Header.Peek(fiber.HeaderContentEncoding)))); ce != "" && ce != "identity" {
			c.Context().SetConnectionClose()
			return NewError(415, "unsupported_encoding", "ErrBadRequest")
		}
		if max <= 0 {
			return c.Next()
		}
		n := int64(req.Header.ContentLength())
		if n > max {
			c.Context().SetConnectionClose()
			return NewError(413, "too_large", "ErrBodyTooLarge")
		}
		if n == -1 && req.IsBodyStream() {
			// Chunked: read it now, but no further than the limit.
			var buf bytes.Buffer
			got, err := io.Copy(&buf, io.LimitReader(req.BodyStream(), max+1))
			if got > max {
				c.Context().SetConnectionClose()
				return NewError(413, "too_large", "ErrBodyTooLarge")
			}
			if err != nil {
				c.Context().SetConnectionClose()
				return NewError(400, "bad_request", "ErrBadRequest")
			}
			req.SetBody(buf.Bytes())
		}
		return c.Next()
	}
}
