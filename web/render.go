// Package web is the server-rendered marketplace UI: html/template pages with
// small progressive enhancement (htmx) and Leaflet maps, in Norwegian Bokmål
// by default, Nynorsk and English selectable.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"mime"
	"net/url"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/numfmt"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/tenants"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assets maps a static path to its content hash, for cache-busting URLs.
var (
	assetOnce   sync.Once
	assetHashes map[string]string
)

func hashAssets() {
	assetHashes = map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		assetHashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(h[:])[:12]
		return nil
	})
}

func asset(name string) string {
	assetOnce.Do(hashAssets)
	return "/static/" + name + "?v=" + assetHashes[name]
}

// serveStatic serves embedded files; a URL carrying the current content hash
// is cached for a year, anything else briefly.
func serveStatic(c *fiber.Ctx) error {
	assetOnce.Do(hashAssets)
	name := strings.TrimPrefix(path.Clean("/"+c.Params("*")), "/")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return httpx.NotFound()
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	if v := c.Query("v"); v != "" && v == assetHashes[name] {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	return c.Send(b)
}

var funcs = template.FuncMap{
	"asset": asset,
	// themeVersion is the region stylesheet's version (web/meta.go).
	"themeVersion": ThemeVersion,
	"logoVersion":  func(t *tenants.Tenant) string { return httpx.LogoVersion(t.Logo) },
	// rowOf pairs the page with one listing view for the listing row template.
	"rowOf": func(p *Page, item any) map[string]any { return map[string]any{"P": p, "Item": rowView(item, p.L.Lang)} },
	// withAction pairs the page with a form's target (the supervision
	// package form of _report_form.html).
	"withAction": func(p *Page, action string) map[string]any { return map[string]any{"P": p, "Action": action} },
	// star names the wildcard of a role rule for its label.
	"star": func(s string) string {
		if s == "*" {
			return "all"
		}
		return s
	},
	"join": strings.Join,
	// plate writes a stored registration number for people: "EB 12345".
	"plate": directory.FormatRegistration,
	"qr":    qrSVG, // web/qr.go: a code as an inline QR (tracked loads)
	// date and month write a day and a month on the clock in Norway
	// (Europe/Oslo), whatever the server's zone; datetime adds the time.
	"date":     func(t any) string { return onTime(t, numfmt.Date) },
	"month":    func(t any) string { return onTime(t, numfmt.Month) },
	"datetime": func(t any) string { return onTime(t, numfmt.DateTime) },
	// num writes a whole number grouped in the page's language; the
	// template set of each language binds it (see langFuncs).
	"num": formatNumber,
	// num1 writes one decimal with the language's decimal mark.
	"num1": func(l *locales.Localizer, f float64) string { return decimal(l, f, 1) },
	// share writes a percentage with one decimal, or two below 1 % (a reuse
	// rate of 0,05 % is not "0,0 %").
	"share": func(l *locales.Localizer, f float64) string {
		if f > 0 && f < 1 {
			return decimal(l, f, 2)
		}
		return decimal(l, f, 1)
	},
	"pct": func(l *locales.Localizer, f float64) string { return decimal(l, f*100, 0) + "\u00a0%" },
	"hours": func(l *locales.Localizer, h *float64) string {
		if h == nil {
			return "–"
		}
		if *h >= 72 {
			return decimal(l, *h/24, 1) + "\u00a0" + l.T("DaysShort")
		}
		return decimal(l, *h, 1) + "\u00a0" + l.T("HoursShort")
	},
	"kb": func(n int64) float64 { return math.Ceil(float64(n) / 1024) },
	"nump": func(f *float64) string {
		if f == nil {
			return ""
		}
		return formatNumber(*f)
	},
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"query": func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return ""
		}
		return "?" + v.Encode()
	},
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"coord": func(f *float64) string {
		if f == nil {
			return ""
		}
		return fmt.Sprintf("%.5f", *f)
	},
	"fcoord": func(f float64) string { return fmt.Sprintf("%.5f", f) },
	// val prefers what the user just submitted over the stored value.
	"val": func(form map[string]string, key string, def any) string {
		if v, ok := form[key]; ok {
			return v
		}
		if rv := reflect.ValueOf(def); !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil()) {
			return ""
		}
		switch d := def.(type) {
		case nil:
			return ""
		case string:
			return d
		case *string:
			if d == nil {
				return ""
			}
			return *d
		case float64:
			if d == 0 {
				return ""
			}
			return strconv.FormatFloat(d, 'f', -1, 64)
		case *float64:
			if d == nil {
				return ""
			}
			return strconv.FormatFloat(*d, 'f', -1, 64)
		case *time.Time:
			if d == nil {
				return ""
			}
			return numfmt.ISODate(*d)
		}
		return fmt.Sprint(def)
	},
}

// onTime applies f to a time or a time pointer; nil and the zero time give "".
func onTime(t any, f func(time.Time) string) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return f(v)
	case *time.Time:
		if v == nil || v.IsZero() {
			return ""
		}
		return f(*v)
	}
	return ""
}

// decimal writes f with n decimals, grouped, with a decimal comma in
// Norwegian and a point in English.
func decimal(l *locales.Localizer, f float64, n int) string {
	lang := "nb"
	if l != nil {
		lang = l.Lang
	}
	return numfmt.Number(lang, f, n)
}

// formatNumber writes 1234567.5 as "1 234 568" (Norwegian grouping); pages
// use the language-bound num of langFuncs.
func formatNumber(f float64) string { return numfmt.Number("nb", f, 0) }

// langFuncs binds the number functions to one language, so that a template's
// {{num .X}} writes "85 000" in Norwegian and "85,000" in English, and
// {{num1 .L .X}} and {{nump .X}} follow the same rules. Quantities with a
// fraction ("17,5 t") keep up to two decimals in dec.
func langFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		// num keeps one decimal below 100 ("17,5 t") and none above
		// ("85 000 t").
		"num": func(f any) string { return numAny(lang, f, -1) },
		"nump": func(f *float64) string {
			if f == nil {
				return ""
			}
			return numfmt.Auto(lang, *f, 2)
		},
		// dec writes a measured value with up to two decimals: 17,5.
		"dec": func(f any) string { return numAny(lang, f, 2) },
		// term writes a term's canonical text (an agreement's diff) with
		// its numbers in lang ("12000" → "12 000"); other text as it is.
		"term": func(s string) string {
			if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return numAny(lang, f, 2)
			}
			return s
		},
	}
}

// numAny writes any number in lang with up to n decimals (trailing zeros
// dropped); n < 0 means one decimal below 100 and none above. Nil pointers
// give "".
func numAny(lang string, v any, n int) string {
	if n < 0 {
		n = 0
		switch f := v.(type) {
		case float64:
			if math.Abs(f) < 100 {
				n = 1
			}
		case *float64:
			if f != nil && math.Abs(*f) < 100 {
				n = 1
			}
		}
	}
	switch f := v.(type) {
	case float64:
		return numfmt.Auto(lang, f, n)
	case *float64:
		if f == nil {
			return ""
		}
		return numfmt.Auto(lang, *f, n)
	case float32:
		return numfmt.Auto(lang, float64(f), n)
	case int:
		return numfmt.Number(lang, float64(f), 0)
	case int64:
		return numfmt.Number(lang, float64(f), 0)
	case int32:
		return numfmt.Number(lang, float64(f), 0)
	case uint:
		return numfmt.Number(lang, float64(f), 0)
	case uint64:
		return numfmt.Number(lang, float64(f), 0)
	}
	return fmt.Sprint(v)
}

var (
	pagesOnce sync.Once
	// pages is the default language's template set (name → template),
	// pagesByLang each language's.
	pages       map[string]*template.Template
	pagesByLang map[string]map[string]*template.Template
	pagesErr    error
)

func loadPages() {
	pagesByLang = map[string]map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		pagesErr = err
		return
	}
	for _, lang := range locales.Supported {
		set := map[string]*template.Template{}
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" || strings.HasPrefix(base, "_") {
				continue
			}
			t, err := template.New("layout.html").Funcs(funcs).Funcs(langFuncs(lang)).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
			if err != nil {
				pagesErr = fmt.Errorf("%s: %w", n, err)
				return
			}
			set[strings.TrimSuffix(base, ".html")] = t
		}
		pagesByLang[lang] = set
	}
	pages = pagesByLang[locales.Supported[0]]
}

// Page is what every template receives.
type Page struct {
	L         *locales.Localizer
	Title     string
	Tenant    *tenants.Tenant
	Base      string
	P         *auth.Principal
	CSRF      string
	Path      string
	LoginURL  string
	LogoutURL string
	Admin     bool
	Platform  bool
	Errors    map[string]string
	Form      map[string]string
	Notice    string
	// PastDue names the caller's organizations with an unpaid invoice
	// whose region shows a banner for it (billing consequence).
	PastDue []string
	Data    any
	// Bare pages (the live view, the offline page) have no navigation.
	Bare bool
	// Description is the meta description (web/meta.go chooses one by
	// page unless the handler did).
	Description string
}

// UI renders pages for one app.
type UI struct {
	A *app.App

	csrfOnce sync.Once
	csrf     fiber.Handler
}

func (u *UI) page(c *fiber.Ctx, title string, data any) *Page {
	p := &Page{L: httpx.Loc(c), Title: title, Tenant: request.Tenant(c), P: request.Principal(c), Path: c.OriginalURL(), Data: data, Errors: map[string]string{}, Form: map[string]string{}}
	if tok, ok := c.Locals("csrf").(string); ok {
		p.CSRF = tok
	}
	if p.Tenant != nil {
		p.Base = "/t/" + p.Tenant.Slug
		p.Admin = request.IsAdmin(c)
	}
	p.Platform = p.P.Has(auth.RoleSuperadmin) || (!p.P.Anonymous() && u.A.Roles.IsSuperadmin(p.P.UserID()))
	p.LoginURL = u.A.Identity.LoginURL(c.OriginalURL())
	p.LogoutURL = u.A.Identity.LogoutURL(p.Base + "/")
	if u.A.Billing != nil && p.Tenant != nil && len(p.P.Orgs) > 0 {
		ctx := request.Ctx(c)
		orgs := make([]string, 0, len(p.P.Orgs))
		for id := range p.P.Orgs {
			orgs = append(orgs, id)
		}
		due, _ := u.A.Billing.PastDueOf(ctx, orgs) // a banner is not worth failing the page
		for _, id := range due {
			if org, err := u.A.Directory.GetOrg(ctx, id); err == nil {
				p.PastDue = append(p.PastDue, org.Name)
			}
		}
		sort.Strings(p.PastDue)
	}
	if n := c.Query("notice"); n != "" && locales.New(u.A.Bundle, p.L.Lang).Has("Notice"+n) {
		p.Notice = p.L.T("Notice" + n)
	}
	return p
}

func (u *UI) render(c *fiber.Ctx, name string, p *Page) error {
	pagesOnce.Do(loadPages)
	if pagesErr != nil {
		return pagesErr
	}
	set, ok := pagesByLang[p.L.Lang]
	if !ok {
		set = pages
	}
	t, ok := set[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	describe(name, p)
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, p.L.Lang)
	if p.Tenant != nil { // the tenant's map tiles
		c.Set("Content-Security-Policy", httpx.CSP(p.Tenant.TileOrigin()))
	}
	// A visitor's page may be kept for the back/forward cache and is
	// revalidated before any other reuse; a signed-in user's is never
	// stored (L9; httpx.PrivateCache makes it "private, no-store").
	if p.P == nil || p.P.Anonymous() {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Send(buf.Bytes())
}

// formErrors copies a validation error's field messages into the page; other
// errors are returned for the error page.
func formErrors(p *Page, err error) error {
	e := httpx.AsError(err)
	if e.Status >= 500 {
		return err
	}
	prob := e.Localize(p.L)
	if len(prob.Errors) == 0 {
		p.Errors["_"] = prob.Title
		return nil
	}
	for _, f := range prob.Errors {
		if _, dup := p.Errors[f.Field]; !dup {
			p.Errors[f.Field] = f.Message
		}
	}
	p.Errors["_"] = prob.Title
	return nil
}
