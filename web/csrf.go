package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// CSRF protection without server state (H1, M10): the mf_csrf cookie holds
// a random nonce and an HMAC over the nonce and the session it was minted
// for; an unsafe request must carry a cookie that verifies for the
// request's own session and echo it in the _csrf form field (or the
// X-CSRF-Token header). A visitor's token binds the nonce alone (the
// double submit is the protection); a logged-in user's binds the session
// cookie, so a token minted for another browser or session is refused. The
// server keeps nothing per visitor.

const (
	csrfCookie = "mf_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	csrfLocals = "csrf"
	nonceLen   = 16
)

// csrfSigner mints and checks tokens with a key derived from the
// deployment's secret.
type csrfSigner struct{ key []byte }

func newCSRFSigner(secret string) *csrfSigner {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("masseflyt csrf v1"))
	return &csrfSigner{key: m.Sum(nil)}
}

func (s *csrfSigner) mac(nonce []byte, binding string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(nonce)
	m.Write([]byte{0})
	m.Write([]byte(binding))
	return m.Sum(nil)
}

// mint returns a new token for the binding.
func (s *csrfSigner) mint(binding string) string {
	nonce := make([]byte, nonceLen)
	_, _ = rand.Read(nonce)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(nonce) + "." + enc.EncodeToString(s.mac(nonce, binding))
}

// verify reports, in constant time, whether tok was minted for binding.
func (s *csrfSigner) verify(tok, binding string) bool {
	n, m, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 128 {
		return false
	}
	enc := base64.RawURLEncoding
	nonce, err1 := enc.DecodeString(n)
	sum, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || len(nonce) != nonceLen {
		return false
	}
	return hmac.Equal(sum, s.mac(nonce, binding))
}

// csrfBinding is what a token is bound to: the API token, or the session
// cookies (the dev login's, Kratos's) or session token of a logged-in
// user, hashed; "" for a visitor.
func csrfBinding(c *fiber.Ctx) string {
	p := request.Principal(c)
	switch {
	case p == nil || p.User == nil:
		return ""
	case p.Token != nil:
		return "token:" + p.Token.ID
	}
	h := sha256.New()
	h.Write([]byte(c.Get("X-Session-Token")))
	c.Request().Header.VisitAllCookie(func(k, v []byte) {
		if name := string(k); name == "mf_dev" || name == "ory_kratos_session" || strings.HasPrefix(name, "ory_session_") {
			h.Write([]byte{0})
			h.Write(k)
			h.Write([]byte{0})
			h.Write(v)
		}
	})
	return "user:" + p.User.ID + ":" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func unsafeMethod(m string) bool {
	switch m {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return false
	}
	return true
}

func csrfError() error { return httpx.NewError(403, "csrf", "ErrCSRF") }

// csrfCookieCheck runs with authentication, before the guard: it keeps the
// request's token (minting one when the cookie is missing or was minted for
// another session) and refuses an unsafe request whose cookie does not
// verify, without reading its body.
func (u *UI) csrfCookieCheck(s *csrfSigner) fiber.Handler {
	return func(c *fiber.Ctx) error {
		bind := csrfBinding(c)
		tok := c.Cookies(csrfCookie)
		if tok == "" || !s.verify(tok, bind) {
			if unsafeMethod(c.Method()) {
				return csrfError()
			}
			tok = s.mint(bind)
			c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: u.A.Config.Production() || u.A.Secure(c)})
		}
		c.Locals(csrfLocals, tok)
		return c.Next()
	}
}

// csrfFormCheck runs after the guard and the body limit: an unsafe request
// must echo its cookie's token in the X-CSRF-Token header or the _csrf
// field of its form.
func csrfFormCheck(c *fiber.Ctx) error {
	if !unsafeMethod(c.Method()) {
		return c.Next()
	}
	want, _ := c.Locals(csrfLocals).(string)
	sent := c.Get(csrfHeader)
	if sent == "" {
		sent = formField(c, csrfField)
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return csrfError()
	}
	return c.Next()
}

// formField is a field of the request's form body (never the query).
func formField(c *fiber.Ctx, name string) string {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		f, err := c.MultipartForm()
		if err != nil || len(f.Value[name]) == 0 {
			return ""
		}
		return f.Value[name][0]
	}
	return string(c.Request().PostArgs().Peek(name))
}
