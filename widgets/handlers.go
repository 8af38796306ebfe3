package widgets

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/locales"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// Cache lifetimes: hashed bundles never change; the loader names the
// current bundles, so it is cached briefly; data follows the market.
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheLoader    = "public, max-age=300"
	CacheData      = "public, max-age=30"
)

// Widgets are the names of the widgets (masseflyt-<name>).
var Widgets = []string{"listings", "map"}

type handler struct {
	a *app.App
	b *Build
}

// Table is the widgets surface: the loader and bundles, and each region's
// widget data and frames, always served as to a visitor.
func Table(a *app.App) route.Table {
	b, err := Load()
	if err != nil {
		panic(err) // the build is embedded; a broken one is a programming error
	}
	h := &handler{a: a, b: b}
	visitor := []fiber.Handler{a.TenantMiddleware, h.anonymous}
	return route.Table{Surface: "widgets", Groups: []route.Group{
		{Prefix: "/widgets/v1/data/:tenant", Use: []fiber.Handler{app.RateLimit(a.Config.APIRateLimit), a.TenantMiddleware, h.anonymous, h.origin}, Routes: []route.Route{
			{Method: "GET", Path: "/config", Perm: access.ListingsRead, Handler: h.config},
			{Method: "GET", Path: "/listings", Perm: access.ListingsRead, Handler: h.listings},
			{Method: "GET", Path: "/map", Perm: access.ListingsRead, Handler: h.mapData},
			{Method: "GET", Path: "/transport", Perm: access.Anyone, Handler: h.transport}, // widgets/transport.go
			{Method: "GET", Path: "/logo", Perm: access.Anyone, Handler: app.SendLogo},
		}},
		{Prefix: "/widgets/v1", Routes: []route.Route{
			{Method: "GET", Path: "/embed.js", Perm: access.Anyone, Handler: h.loader},
			{Method: "GET", Path: "/frame/:tenant/:widget", Perm: access.ListingsRead, Handler: h.frame, Before: visitor},
			{Method: "GET", Path: "/:file", Perm: access.Anyone, Handler: h.bundle},
		}},
	}}
}

// Mount serves the widgets.
func Mount(a *app.App) { a.Mount(Table(a)) }

// anonymous makes every widget request a visitor's: cookies and tokens are
// not read, so the data is the same for everybody and cacheable.
func (h *handler) anonymous(c *fiber.Ctx) error {
	request.SetPrincipal(c, &auth.Principal{Roles: []string{auth.RoleAnonymous}})
	request.SetRoles(c, h.a.Roles)
	return c.Next()
}

// Allowed reports whether a page at origin may use the tenant's widgets:
// origins on its allowlist, its own domains and the platform itself.
func Allowed(t *tenants.Tenant, origin, self string) bool {
	if origin == self || t.AllowsOrigin(origin) {
		return true
	}
	for _, d := range t.Domains {
		if origin == "https://"+d {
			return true
		}
	}
	return false
}

// origin answers cross-origin requests from allowed pages (CORS) and
// refuses others with a problem that names the page and the region.
func (h *handler) origin(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderOrigin)
	o := c.Get(fiber.HeaderOrigin)
	if o == "" {
		return c.Next() // not a cross-origin browser request
	}
	t := request.Tenant(c)
	if !Allowed(t, o, h.self(c)) {
		// The refusal itself is readable, so the widget can say why it is
		// empty; the data is not sent.
		c.Set(fiber.HeaderAccessControlAllowOrigin, o)
		if len(o) > 100 {
			o = o[:100]
		}
		return httpx.NewError(403, "origin_not_allowed", "ErrEmbedOriginNotAllowed", "Origin", o, "Tenant", t.Name)
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, o)
	return c.Next()
}

func (h *handler) self(c *fiber.Ctx) string { return api.BaseURL(c, h.a.Config.PublicURL) }

func (h *handler) loader(c *fiber.Ctx) error {
	return sendAsset(c, h.b.Loader, CacheLoader)
}

func (h *handler) bundle(c *fiber.Ctx) error {
	a, ok := h.b.File(c.Params("file"))
	if !ok {
		return httpx.NotFound()
	}
	return sendAsset(c, a, CacheImmutable)
}

func sendAsset(c *fiber.Ctx, a *Asset, cache string) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return a.Send(c, cache)
}

// Named is a code with its name in the chosen language.
type Named struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Config is what a widget needs to draw a tenant: branding, tiles, where
// the marketplace is, and its labels in the chosen language.
type Config struct {
	Tenant         string            `json:"tenant"`
	Name           string            `json:"name"`
	ColorPrimary   string            `json:"color_primary"`
	ColorAccent    string            `json:"color_accent"`
	LogoURL        string            `json:"logo_url,omitempty"`
	MarketplaceURL string            `json:"marketplace_url"`
	Center         [2]float64        `json:"center"`
	Zoom           int               `json:"zoom"`
	Tiles          Tiles             `json:"tiles"`
	Lang           string            `json:"lang"`
	Labels         map[string]string `json:"labels"`
	Kinds          []Named           `json:"kinds"`
	Fractions      []Named           `json:"fractions"`
}

// Tiles is the map tile source.
type Tiles struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

var labelIDs = map[string]string{
	"listings": "WidgetListings", "map": "NavMap", "map_label": "WidgetMapLabel", "language": "Language", "filters": "WidgetFilters",
	"all": "All", "kind": "ListingKind", "fraction": "Fraction", "listing_one": "WidgetListingOne", "listing_many": "WidgetListingMany",
	"show_more": "WidgetShowMore", "open_marketplace": "WidgetOpenMarketplace", "legend": "WidgetLegend", "as_list": "WidgetAsList",
	"zoom_in": "WidgetZoomIn", "zoom_out": "WidgetZoomOut", "approx": "ApproxArea", "error": "WidgetError", "cluster": "WidgetCluster",
}

// BuildConfig describes tenant t in language lang; base is the platform's URL.
func BuildConfig(loc *locales.Localizer, t *tenants.Tenant, base string) Config {
	tiles, attribution := t.Tiles()
	cfg := Config{Tenant: t.Slug, Name: t.Name, ColorPrimary: t.ColorPrimary, ColorAccent: t.ColorAccent,
		MarketplaceURL: base + "/t/" + t.Slug, Center: [2]float64{t.CenterLat, t.CenterLon}, Zoom: t.Zoom,
		Tiles: Tiles{URL: tiles, Attribution: attribution}, Lang: loc.Lang, Labels: map[string]string{}}
	if t.HasLogo() {
		cfg.LogoURL = base + "/widgets/v1/data/" + t.Slug + "/logo?v=" + strconv.FormatInt(t.UpdatedAt.Unix(), 10)
	}
	for k, id := range labelIDs {
		cfg.Labels[k] = loc.T(id)
	}
	for _, k := range market.Kinds {
		cfg.Kinds = append(cfg.Kinds, Named{k, loc.T("ListingKind_" + k)})
	}
	cfg.Kinds = append(cfg.Kinds, Named{"facility", loc.T("Kind_facility")})
	for _, f := range market.Fractions {
		cfg.Fractions = append(cfg.Fractions, Named{f.Code, loc.T("Fraction_" + f.Code)})
	}
	sort.Slice(cfg.Fractions, func(i, j int) bool { return cfg.Fractions[i].Name < cfg.Fractions[j].Name })
	return cfg
}

func (h *handler) config(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, CacheData)
	return c.JSON(BuildConfig(httpx.Loc(c), request.Tenant(c), h.self(c)))
}

func (h *handler) listings(c *fiber.Ctx) error {
	d, err := api.FeedDoc(c, h.a.Market, h.a.Config.PublicURL)
	if err != nil {
		return err
	}
	return d.Send(c, CacheData)
}

func (h *handler) mapData(c *fiber.Ctx) error {
	if view, err := market.ParseMapView(c.Query("bbox"), c.Query("zoom")); err != nil || view.Set {
		if err != nil {
			return err
		}
		b, err := h.a.Market.PublicGeoJSONView(request.Ctx(c), c.Query("kind"), c.Query("fraction"), view)
		c.Set(fiber.HeaderCacheControl, CacheData)
		return api.SendGeoJSON(c, b, err)
	}
	r, err := h.a.Market.PublicGeoJSONDoc(request.Ctx(c), c.Query("kind"), c.Query("fraction"))
	if err != nil {
		return err
	}
	return api.SendGeoDoc(c, r, CacheData)
}

var frameTmpl = template.Must(template.New("frame").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title></head>
<body><main aria-label="{{.Title}}"><masseflyt-{{.Widget}} tenant="{{.Tenant}}" lang="{{.Lang}}"{{if .Kind}} kind="{{.Kind}}"{{end}}{{if .Fraction}} fraction="{{.Fraction}}"{{end}}{{if .Height}} height="{{.Height}}"{{end}}></masseflyt-{{.Widget}}></main>
<script src="/widgets/v1/embed.js"></script></body></html>`))

// frame is the widget as a page of its own, for sites that embed with an
// iframe (and the admin's preview); frame-ancestors holds the allowlist.
func (h *handler) frame(c *fiber.Ctx) error {
	t := request.Tenant(c)
	w := c.Params("widget")
	if w != "listings" && w != "map" {
		return httpx.NotFound()
	}
	kind, fraction := c.Query("kind"), c.Query("fraction")
	if err := market.CheckMapFilter(kind, fraction); err != nil {
		return err
	}
	v := &fail.Validation{}
	height := 0
	if s := c.Query("height"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 200 || n > 1200 {
			v.Add("height", "range", "ErrFieldRange", "Min", 200, "Max", 1200)
		}
		height = n
	}
	if err := v.Err(); err != nil {
		return err
	}
	ancestors := []string{"'self'"}
	ancestors = append(ancestors, t.Origins()...)
	for _, d := range t.Domains {
		ancestors = append(ancestors, "https://"+d)
	}
	tiles := t.TileOrigin()
	c.Response().Header.Del(fiber.HeaderXFrameOptions)
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: "+tiles+"; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors "+strings.Join(ancestors, " ")+"; base-uri 'none'; form-action 'none'")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	loc := httpx.Loc(c)
	return frameTmpl.Execute(c.Response().BodyWriter(), map[string]any{"Lang": loc.Lang, "Title": t.Name + " – " + loc.T(labelIDs[w]), "Widget": w,
		"Tenant": t.Slug, "Kind": kind, "Fraction": fraction, "Height": height})
}
