// Package dev is the demo identity provider: pick a seeded user from a list.
// It refuses to start in production.
package dev

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/url"
	"strings"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/route"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
)

func init() {
	app.RegisterModule(app.ModuleInfo{ID: "identity.dev", New: func() app.Module { return new(Dev) }})
}

// CookieName carries the picked user's subject, signed.
const CookieName = "mf_dev"

// ErrProduction is returned when the dev provider is configured in production.
var ErrProduction = errors.New("identity.dev refuses to run with MASSEFLYT_ENV=production; use identity.kratos")

// Dev signs a cookie naming the chosen user. Demo sessions count as AAL2 so
// every admin page can be tried; production uses Kratos with a real second factor.
type Dev struct {
	secret []byte
	db     *store.DB
	secure func(c *fiber.Ctx) bool
}

// Provision refuses production.
func (d *Dev) Provision(a *app.App) error {
	if a.Config.Production() {
		return ErrProduction
	}
	d.secret = []byte(a.Config.Secret)
	d.db = a.DB
	d.secure = a.Secure
	return nil
}

func (d *Dev) sign(subject string) string { return Sign(d.secret, subject) }

// Sign returns the cookie value naming subject, signed with secret.
func Sign(secret []byte, subject string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString([]byte(subject)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (d *Dev) verify(v string) (string, bool) {
	b64, sig, ok := strings.Cut(v, ".")
	if !ok {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		return "", false
	}
	want := d.sign(string(raw))
	return string(raw), hmac.Equal([]byte(want), []byte(v)) && sig != ""
}

// Authenticate reads the signed cookie.
func (d *Dev) Authenticate(ctx context.Context, c auth.Credentials) (*auth.Session, error) {
	v := cookieValue(c.CookieHeader, CookieName)
	if v == "" {
		return nil, nil
	}
	subject, ok := d.verify(v)
	if !ok {
		return nil, nil
	}
	var u auth.User
	err := d.db.Read(store.System(ctx, "dev login: users are global"), func(tx *gorm.DB) error {
		return tx.Where("subject = ?", subject).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &auth.Session{Subject: u.Subject, Email: u.Email, Name: u.Name, AAL: auth.AAL2, EmailVerified: true}, nil
}

func cookieValue(header, name string) string {
	for _, part := range strings.Split(header, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == name {
			return v
		}
	}
	return ""
}

// LoginURL is the user picker.
func (d *Dev) LoginURL(returnTo string) string {
	return "/auth/dev?return_to=" + url.QueryEscape(returnTo)
}

// LogoutURL clears the cookie.
func (d *Dev) LogoutURL(returnTo string) string {
	return "/auth/logout?return_to=" + url.QueryEscape(returnTo)
}

// SafeReturn keeps redirects on this site (httpx.SafePath).
func SafeReturn(s string) string { return httpx.SafePath(s) }

var page = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="container narrow"><h1>{{.Title}}</h1><p class="notice">{{.Intro}}</p>
<ul class="picker">{{range .Users}}<li><form method="post" action="/auth/dev">
<input type="hidden" name="subject" value="{{.Subject}}"><input type="hidden" name="return_to" value="{{$.ReturnTo}}">
<button type="submit" class="button-link"><strong>{{.Name}}</strong> <span class="muted">{{.Email}}</span></button></form></li>{{end}}</ul>
</main></body></html>`))

// Routes are the picker, the login POST and logout, open to anyone.
func (d *Dev) Routes() []route.Route {
	return []route.Route{
		{Method: "GET", Path: "/auth/dev", Perm: access.Anyone, Handler: d.picker},
		{Method: "POST", Path: "/auth/dev", Perm: access.Anyone, Handler: d.login},
		{Method: "GET", Path: "/auth/logout", Perm: access.Anyone, Handler: d.logout},
	}
}

func (d *Dev) picker(c *fiber.Ctx) error {
	var users []auth.User
	err := d.db.Read(store.System(c.UserContext(), "dev login: list users"), func(tx *gorm.DB) error {
		return tx.Order("name").Limit(200).Find(&users).Error
	})
	if err != nil {
		return err
	}
	l := httpx.Loc(c)
	c.Type("html", "utf-8")
	return page.Execute(c.Response().BodyWriter(), map[string]any{
		"Lang": l.Lang, "Title": l.T("DevLoginTitle"), "Intro": l.T("DevLoginIntro"),
		"Users": users, "ReturnTo": SafeReturn(c.Query("return_to")),
	})
}

func (d *Dev) login(c *fiber.Ctx) error {
	subject := c.FormValue("subject")
	var u auth.User
	err := d.db.Read(store.System(c.UserContext(), "dev login: find user"), func(tx *gorm.DB) error {
		return tx.Where("subject = ?", subject).Take(&u).Error
	})
	if err != nil {
		return httpx.NewError(400, "unknown_user", "ErrBadRequest")
	}
	c.Cookie(&fiber.Cookie{Name: CookieName, Value: d.sign(u.Subject), Path: "/", HTTPOnly: true, Secure: d.secure(c), SameSite: "Lax", MaxAge: 12 * 3600})
	return c.Redirect(SafeReturn(c.FormValue("return_to")), fiber.StatusSeeOther)
}

func (d *Dev) logout(c *fiber.Ctx) error {
	c.Cookie(&fiber.Cookie{Name: CookieName, Value: "", Path: "/", HTTPOnly: true, Secure: d.secure(c), SameSite: "Lax", MaxAge: -1})
	return c.Redirect(SafeReturn(c.Query("return_to")), fiber.StatusSeeOther)
}

var _ auth.Identity = (*Dev)(nil)
