package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
)

// CSRF keeps the request's CSRF token (web/csrf.go): it mints one for a
// page and refuses an unsafe request whose mf_csrf cookie was not minted for
// its session. The form field is compared after the guard (CSRFForm).
func (u *UI) CSRF() fiber.Handler {
	u.csrfOnce.Do(func() { u.csrf = u.csrfCookieCheck(newCSRFSigner(u.A.Config.Secret)) })
	return u.csrf
}

// CSRFForm checks that an unsafe request echoes its token; it reads the body,
// so it runs after authorization (route.Group.Check).
func (u *UI) CSRFForm() fiber.Handler { return csrfFormCheck }

// formFailed shows a form again with the submitted values and the error's
// field messages (status from the error); errors that are not about the input
// go to the error page.
func (u *UI) formFailed(c *fiber.Ctx, name string, p *Page, err error) error {
	keepForm(c, p)
	if ferr := formErrors(p, err); ferr != nil {
		return ferr
	}
	c.Status(httpx.AsError(err).Status)
	return u.render(c, name, p)
}

func (u *UI) errorPage(c *fiber.Ctx, prob httpx.Problem) error {
	// A visitor opening a page that needs a login is sent to log in and
	// back to the page.
	if prob.Status == 401 && u.isPage(c) && request.Principal(c).Anonymous() {
		return c.Redirect(u.A.Identity.LoginURL(c.OriginalURL()), fiber.StatusSeeOther)
	}
	p := u.page(c, prob.Title, prob)
	if prob.Status == 401 {
		p.Notice = ""
	}
	return u.render(c, "error", p)
}

// isPage reports whether the request is for a page a person opens: a GET of
// the UI, not a fragment (htmx), an event stream or an embedded widget.
func (u *UI) isPage(c *fiber.Ctx) bool {
	p := c.Path()
	return c.Method() == fiber.MethodGet && c.Get("HX-Request") == "" && !strings.HasSuffix(p, "/events") &&
		(strings.HasPrefix(p, "/t/") || p == "/admin")
}

func (u *UI) setLang(c *fiber.Ctx) error {
	l := c.Params("lang")
	if !locales.IsSupported(l) {
		return httpx.NotFound()
	}
	c.Cookie(&fiber.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", Secure: u.A.Secure(c)})
	return c.Redirect(httpx.SafePath(c.Query("return_to")), fiber.StatusSeeOther)
}

func (u *UI) landing(c *fiber.Ctx) error {
	return u.render(c, "landing", u.page(c, httpx.Loc(c).T("AppName"), u.A.Tenants.All()))
}

func (u *UI) theme(c *fiber.Ctx) error {
	t := request.Tenant(c)
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	if c.Query("v") == ThemeVersion(t) { // the pages' URL: its content never changes
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	}
	return c.SendString(DeriveTheme(t.ColorPrimary, t.ColorAccent).CSS())
}

func validID(id string) bool { return len(id) == 36 && strings.Count(id, "-") == 4 }

// saved redirects to a page of the request's tenant with the "saved" notice.
func saved(c *fiber.Ctx, path string) error {
	return c.Redirect("/t/"+request.Tenant(c).Slug+path+"?notice=Saved", fiber.StatusSeeOther)
}

func multi(c *fiber.Ctx, key string) []string {
	var out []string
	for _, b := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(b))
	}
	return out
}

func optFloat(c *fiber.Ctx, key string, v *fail.Validation) *float64 {
	s := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(c.FormValue(key), " ", ""), ",", "."))
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		v.Add(key, "type", "ErrFieldType", "Expected", "number")
		return nil
	}
	return &f
}

func formStr(c *fiber.Ctx, key string) *string {
	s := c.FormValue(key)
	return &s
}

func keepForm(c *fiber.Ctx, p *Page) {
	c.Request().PostArgs().VisitAll(func(k, val []byte) {
		if string(k) != "_csrf" {
			p.Form[string(k)] = string(val)
		}
	})
}
