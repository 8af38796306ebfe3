package web

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	_ "image/jpeg" // logos
	"image/png"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // logos

	"github.com/masseflyt/masseflyt/admin"
	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/live"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/tenants"
)

// StatsData feeds the statistics page and the statistics on the front page.
type StatsData struct {
	S       *stats.Stats
	APIBase string
}

func (u *UI) statsPage(c *fiber.Ctx) error {
	st, err := api.LocalizedStats(c, u.A.Stats)
	if err != nil {
		return err
	}
	return u.render(c, "statistics", u.page(c, httpx.Loc(c).T("NavStatistics"), StatsData{S: st, APIBase: "/api/v1/tenants/" + request.Tenant(c).Slug}))
}

// LiveData feeds the big-screen live view.
type LiveData struct {
	S        *stats.Stats
	Recent   []market.PublicView
	Labels   map[string]any // fraction and kind names, messages (JSON in the page)
	MapData  string
	Events   string
	Tiles    string
	Attrib   string
	Clock    bool
	Headline string
}

func (u *UI) livePage(c *fiber.Ctx) error {
	t := request.Tenant(c)
	st, err := api.LocalizedStats(c, u.A.Stats)
	if err != nil {
		return err
	}
	recent, err := u.A.Market.RecentPublic(request.Ctx(c), t.ID, 8)
	if err != nil {
		return err
	}
	l := httpx.Loc(c)
	labels := map[string]any{}
	names := map[string]string{}
	for _, f := range market.Fractions {
		names[f.Code] = l.T("Fraction_" + f.Code)
	}
	labels["fractions"] = names
	kinds := map[string]string{"facility": l.T("Kind_facility")}
	for _, k := range market.Kinds {
		kinds[k] = l.T("ListingKind_" + k)
	}
	labels["kinds"] = kinds
	for k, id := range map[string]string{"published": "LiveNewListing", "closed": "LiveClosedListing", "match": "LiveNewMatch", "saving": "LiveSaving",
		"live": "LiveConnected", "offline": "LiveReconnecting", "approx": "ApproxArea", "hours": "Hours", "fewer": "StatsFewerThan3", "agreement": "LiveNewAgreement", "fewerAgreements": "FiguresFewerAgreements"} {
		labels[k] = l.T(id)
	}
	d := LiveData{S: st, Labels: labels, MapData: "/api/v1/tenants/" + t.Slug + "/feed/listings.geojson", Events: "/t/" + t.Slug + "/live/events"}
	d.Tiles, d.Attrib = t.Tiles()
	for _, r := range recent {
		d.Recent = append(d.Recent, r.Public())
	}
	p := u.page(c, l.T("LiveTitle"), d)
	p.Bare = true
	return u.render(c, "live", p)
}

func (u *UI) liveEvents(c *fiber.Ctx) error {
	return httpx.Stream(c, u.A.Live, request.Tenant(c).ID, live.Caps{PerAddr: u.A.Config.MaxLivePerClient, PerTenant: u.A.Config.MaxLivePerTenant})
}

// manifest makes the marketplace installable, in the tenant's branding.
func (u *UI) manifest(c *fiber.Ctx) error {
	t := request.Tenant(c)
	base := "/t/" + t.Slug
	short := t.ShortName
	if short == "" {
		short = t.Name
	}
	v := strconv.FormatInt(t.UpdatedAt.Unix(), 10)
	icons := []map[string]string{
		{"src": base + "/icons/icon-192.png?v=" + v, "sizes": "192x192", "type": "image/png", "purpose": "any"},
		{"src": base + "/icons/icon-512.png?v=" + v, "sizes": "512x512", "type": "image/png", "purpose": "any"},
		{"src": base + "/icons/maskable-512.png?v=" + v, "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
	}
	m := map[string]any{
		"id": base + "/", "name": t.Name + " – Masseflyt", "short_name": short, "description": t.Description,
		"lang": t.DefaultLocale, "start_url": base + "/?source=pwa", "scope": base + "/", "display": "standalone",
		"background_color": "#ffffff", "theme_color": t.ColorPrimary, "icons": icons,
		"shortcuts": []map[string]string{
			{"name": httpx.Loc(c).T("NavListings"), "url": base + "/listings"},
			{"name": httpx.Loc(c).T("NavMap"), "url": base + "/map"},
		},
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(m, "application/manifest+json")
}

// serviceWorker caches the offline page and the static assets; pages and
// API answers are never cached (they may be personal).
func (u *UI) serviceWorker(c *fiber.Ctx) error {
	t := request.Tenant(c)
	base := "/t/" + t.Slug
	assetOnce.Do(hashAssets)
	version := strconv.FormatInt(t.UpdatedAt.Unix(), 36) + "-" + assetHashes["app.css"] + assetHashes["pwa.js"] + assetHashes["vendor/designsystemet/designsystemet.css"] + assetHashes["haul.js"]
	precache := []string{base + "/offline", asset("vendor/designsystemet/designsystemet.css"), asset("vendor/designsystemet/theme-digdir.css"), asset("app.css"), asset("favicon.svg"), asset("haul.js"), asset("haul.css"), base + "/theme.css?v=" + ThemeVersion(t), base + "/icons/icon-192.png"}
	pc, _ := json.Marshal(precache)
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.SendString(strings.NewReplacer("__VERSION__", version, "__PRECACHE__", string(pc), "__OFFLINE__", base+"/offline").Replace(swSource))
}

const swSource = `// Masseflyt service worker: an offline page and cached static assets.
"use strict";
const CACHE = "masseflyt-__VERSION__";
const PRECACHE = __PRECACHE__;
const OFFLINE = "__OFFLINE__";
self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("masseflyt-") && k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode === "navigate") {
    // The driver and gate app open offline from their last copy (haul.js
    // queues their steps); every other page falls back to the offline page.
    if (/\/(driver|gate)$/.test(url.pathname)) {
      e.respondWith(fetch(req).then((res) => {
        if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
        return res;
      }).catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit || caches.match(OFFLINE))));
      return;
    }
    e.respondWith(fetch(req).catch(() => caches.match(OFFLINE)));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname.includes("/icons/")) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
      return res;
    })));
  }
});
`

func anonymousPrincipal() *auth.Principal {
	return &auth.Principal{Roles: []string{auth.RoleAnonymous}}
}

func (u *UI) offline(c *fiber.Ctx) error {
	p := u.page(c, httpx.Loc(c).T("OfflineTitle"), nil)
	p.P = anonymousPrincipal() // cached by the service worker: nothing personal
	p.Admin, p.Platform = false, false
	return u.render(c, "offline", p)
}

// icon draws the app icon in the tenant's colours, with its logo when it
// is a bitmap (PNG, JPEG, WebP).
func (u *UI) icon(c *fiber.Ctx) error {
	t := request.Tenant(c)
	var size int
	maskable := false
	switch c.Params("name") {
	case "icon-192.png":
		size = 192
	case "icon-512.png":
		size = 512
	case "maskable-512.png":
		size, maskable = 512, true
	case "apple-touch-icon.png":
		size = 180
	default:
		return httpx.NotFound()
	}
	b, err := tenantIcon(t, c.Params("name"), size, maskable)
	if err != nil {
		return err
	}
	return sendPNG(c, b)
}

// iconSet is a tenant's rendered icons for one version of its logo and
// colours: each icon is drawn once per change, by one request while the
// others for that tenant wait for it (M13), and an old version's icons are
// dropped when the logo or colours change.
type iconSet struct {
	mu      sync.Mutex
	version string
	png     map[string][]byte
}

var iconSets sync.Map // tenant ID → *iconSet

func tenantIcon(t *tenants.Tenant, name string, size int, maskable bool) ([]byte, error) {
	v, _ := iconSets.LoadOrStore(t.ID, &iconSet{})
	set := v.(*iconSet)
	version := t.ColorPrimary + "|" + t.ColorAccent + "|" + t.LogoType + "|" + strconv.FormatUint(uint64(crc32.ChecksumIEEE(t.Logo)), 16) + "|" + strconv.Itoa(len(t.Logo))
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.version != version {
		set.version, set.png = version, map[string][]byte{}
	}
	if b, ok := set.png[name]; ok {
		return b, nil
	}
	b, err := DrawIcon(t, size, maskable)
	if err != nil {
		return nil, err
	}
	set.png[name] = b
	return b, nil
}

func sendPNG(c *fiber.Ctx, b []byte) error {
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(b)
}

func hexColor(s string) color.RGBA {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return color.RGBA{31, 95, 63, 255}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// DrawIcon renders a square PNG icon: the brand colour, and the logo on a
// white tile, or a stylised heap of masses with an arrow in the accent
// colour. A maskable icon keeps its content in the central safe zone.
func DrawIcon(t *tenants.Tenant, size int, maskable bool) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg, accent := hexColor(t.ColorPrimary), hexColor(t.ColorAccent)
	white := color.RGBA{255, 255, 255, 255}
	xdraw.Draw(img, img.Bounds(), &image.Uniform{bg}, image.Point{}, xdraw.Src)
	inset := 0.16
	if maskable {
		inset = 0.24
	}
	lo, hi := int(float64(size)*inset), int(float64(size)*(1-inset))
	var logo image.Image
	if t.HasLogo() && t.LogoType != "image/svg+xml" {
		logo, _ = admin.DecodeLogo(t.Logo) // the header first: at most 4096×4096
	}
	if logo != nil {
		tile := image.Rect(lo, lo, hi, hi)
		xdraw.Draw(img, tile, &image.Uniform{white}, image.Point{}, xdraw.Src)
		pad := (hi - lo) / 10
		xdraw.CatmullRom.Scale(img, tile.Inset(pad), logo, logo.Bounds(), xdraw.Over, nil)
	} else {
		// A heap (a flattened half-disc) with an arrow over it, anti-aliased
		// by 4×4 supersampling.
		w := float64(hi - lo)
		cx, base := float64(lo)+w/2, float64(lo)+w*0.86
		rx, ry := w*0.48, w*0.42
		ax0, ax1, ay := float64(lo)+w*0.12, float64(lo)+w*0.88, float64(lo)+w*0.2
		for y := lo; y < hi; y++ {
			for x := lo; x < hi; x++ {
				var heap, arrow int
				for sy := 0; sy < 4; sy++ {
					for sx := 0; sx < 4; sx++ {
						px, py := float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4
						dx, dy := (px-cx)/rx, (base-py)/ry
						if py <= base && dy >= 0 && dx*dx+dy*dy <= 1 {
							heap++
						}
						// the arrow: a bar and a head pointing right
						if px >= ax0 && px <= ax1-w*0.14 && math.Abs(py-ay) <= w*0.045 {
							arrow++
						} else if px > ax1-w*0.2 && px <= ax1 && math.Abs(py-ay) <= (ax1-px)*0.75 {
							arrow++
						}
					}
				}
				if heap > 0 {
					img.Set(x, y, blend(img.RGBAAt(x, y), white, float64(heap)/16))
				}
				if arrow > 0 {
					img.Set(x, y, blend(img.RGBAAt(x, y), accent, float64(arrow)/16))
				}
			}
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func blend(a, b color.RGBA, f float64) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8(float64(x)*(1-f) + float64(y)*f + 0.5) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 255}
}

// adminEmbedding saves the embedding settings: allowed origins and tiles.
func (u *UI) adminEmbedding(c *fiber.Ctx) error {
	origins := strings.Fields(strings.ReplaceAll(c.FormValue("embed_origins"), ",", " "))
	tile, attr := formStr(c, "tile_url"), formStr(c, "tile_attribution")
	in := &admin.Settings{EmbedOrigins: &origins, TileURL: tile, TileAttribution: attr}
	if _, err := (&admin.Admin{A: u.A}).ApplySettings(request.Ctx(c), in); err != nil {
		return u.adminFail(c, err)
	}
	return u.adminDone(c)
}
