package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/locales"
)

const (
	localsRequestID = "mf.reqid"
	localsLoc       = "mf.loc"
)

// RequestID returns the request's ID.
func RequestID(c *fiber.Ctx) string {
	s, _ := c.Locals(localsRequestID).(string)
	return s
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RequestIDs assigns every request an ID (a well-formed incoming X-Request-ID is kept).
func RequestIDs() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Get("X-Request-ID")
		if len(id) < 8 || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			id = newID()
		}
		c.Locals(localsRequestID, id)
		c.Set("X-Request-ID", id)
		return c.Next()
	}
}

// AccessLog writes one structured line per request. It logs no personal data:
// no query strings (they can carry search terms or e-mails), no IPs, no user
// agents, only method, route path, status, duration and the request ID.
func AccessLog(l *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := clock.Real()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status = AsError(err).Status
		}
		route := c.Route().Path
		l.LogAttrs(c.UserContext(), slog.LevelInfo, "http",
			slog.String("request_id", RequestID(c)),
			slog.String("method", c.Method()),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", clock.Real().Sub(start)),
		)
		return err
	}
}

// SecurityHeaders sets the headers every response carries. HSTS is added when
// the request arrived over TLS (directly or via a trusted proxy).
func SecurityHeaders(tls func(c *fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
		h.Set("Content-Security-Policy", CSP(""))
		if tls(c) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}

// Locale picks the language: ?lang=, the lang cookie, Accept-Language (API
// only), the tenant default (via fallback), Accept-Language, then Bokmål.
func Locale(b *i18n.Bundle, fallback func(c *fiber.Ctx) string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := c.Query("lang")
		if !locales.IsSupported(lang) {
			lang = c.Cookies("lang")
		}
		accept := locales.LangFromAcceptLanguage(c.Get(fiber.HeaderAcceptLanguage))
		// API clients state their language with Accept-Language; in the UI a
		// tenant's chosen default wins over the browser's guess.
		if !locales.IsSupported(lang) && !WantsHTML(c) {
			lang = accept
		}
		if !locales.IsSupported(lang) && fallback != nil {
			lang = fallback(c)
		}
		if !locales.IsSupported(lang) {
			lang = accept
		}
		c.Locals(localsLoc, locales.New(b, lang))
		return c.Next()
	}
}

var defaultBundle = locales.MustBundle()

// Loc returns the request's localizer (Bokmål if none was set).
func Loc(c *fiber.Ctx) *locales.Localizer {
	if l, ok := c.Locals(localsLoc).(*locales.Localizer); ok {
		return l
	}
	l := locales.New(defaultBundle, locales.Default)
	c.Locals(localsLoc, l)
	return l
}

// SetLoc overrides the request's localizer (after the tenant is known).
func SetLoc(c *fiber.Ctx, l *locales.Localizer) { c.Locals(localsLoc, l) }

// CSP is the content security policy of the UI; tiles adds the origin of a
// tenant's own map tiles to the image sources.
func CSP(tiles string) string {
	img := "'self' data: https://tile.openstreetmap.org https://*.tile.openstreetmap.org https://cache.kartverket.no"
	if tiles != "" && !strings.Contains(img, tiles) {
		img += " " + tiles
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
}
