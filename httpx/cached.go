package httpx

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Doc is a rendered response kept in memory: the body, its gzip form and a
// strong ETag, so a cached document is served without rendering,
// compressing or hashing per request.
type Doc struct {
	Body        []byte
	Gzip        []byte
	ETag        string
	ContentType string
}

// NewDoc compresses and tags body.
func NewDoc(body []byte, contentType string) *Doc {
	var gz bytes.Buffer
	// Compressed once per change (issue 16): the best compression pays for
	// small documents; for a big map it costs seconds of CPU for 1 %.
	level := gzip.BestCompression
	if len(body) > 1<<20 {
		level = gzip.DefaultCompression
	}
	w, _ := gzip.NewWriterLevel(&gz, level)
	_, _ = w.Write(body)
	_ = w.Close()
	sum := sha256.Sum256(body)
	return &Doc{Body: body, Gzip: gz.Bytes(), ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, ContentType: contentType}
}

// Send answers with d: 304 when the client has it, gzip when accepted.
func (d *Doc) Send(c *fiber.Ctx, cacheControl string) error {
	h := &c.Response().Header
	h.Set(fiber.HeaderETag, d.ETag)
	c.Vary(fiber.HeaderAcceptEncoding)
	if cacheControl != "" {
		h.Set(fiber.HeaderCacheControl, cacheControl)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && (inm == d.ETag || inm == "W/"+d.ETag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	h.SetContentType(d.ContentType)
	if strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		h.Set(fiber.HeaderContentEncoding, "gzip") // the compress middleware leaves encoded bodies alone
		return c.Send(d.Gzip)
	}
	return c.Send(d.Body)
}
