package api

import (
	"encoding/json"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The map and the open feed are documents, not list pages. The feed is
// rendered once per change of the region's listings (and per day) and kept
// with its gzip form and ETag; HTTP caching is this layer's business.

func (h *marketAPI) geoJSON(c *fiber.Ctx) error {
	if view, err := market.ParseMapView(c.Query("bbox"), c.Query("zoom")); err != nil || view.Set {
		if err != nil {
			return err
		}
		b, err := h.m.GeoJSONView(request.Ctx(c), c.Query("kind"), c.Query("fraction"), view)
		return SendGeoJSON(c, b, err)
	}
	r, err := h.m.GeoJSONDoc(request.Ctx(c), c.Query("kind"), c.Query("fraction"))
	if err != nil {
		return err
	}
	return SendGeoDoc(c, r, "private, no-cache")
}

func (h *marketAPI) feed(c *fiber.Ctx) error {
	d, err := FeedDoc(c, h.m, h.publicURL)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
	return d.Send(c, "public, max-age=30")
}

func (h *marketAPI) feedGeoJSON(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if view, err := market.ParseMapView(c.Query("bbox"), c.Query("zoom")); err != nil || view.Set {
		if err != nil {
			return err
		}
		b, err := h.m.PublicGeoJSONView(request.Ctx(c), c.Query("kind"), c.Query("fraction"), view)
		c.Set(fiber.HeaderCacheControl, "public, max-age=30")
		return SendGeoJSON(c, b, err)
	}
	r, err := h.m.PublicGeoJSONDoc(request.Ctx(c), c.Query("kind"), c.Query("fraction"))
	if err != nil {
		return err
	}
	return SendGeoDoc(c, r, "public, max-age=30")
}

// SendGeoDoc answers with a rendered map, compressed and tagged once per
// change of the map (issue 16): 304 to a conditional request, gzip when
// accepted.
func SendGeoDoc(c *fiber.Ctx, r *market.Rendered, cacheControl string) error {
	d := r.Memo(func(b []byte) any { return httpx.NewDoc(b, "application/geo+json") }).(*httpx.Doc)
	return d.Send(c, cacheControl)
}

// SendGeoJSON answers with a rendered map, or err.
func SendGeoJSON(c *fiber.Ctx, b []byte, err error) error {
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/geo+json")
	return c.Send(b)
}

// BaseURL is the scheme and host links to the platform use: the
// configured public URL, else the request's.
func BaseURL(c *fiber.Ctx, public string) string {
	if p := strings.TrimRight(public, "/"); p != "" {
		return p
	}
	return c.BaseURL()
}

// feedTTL bounds how long another instance's write can go unseen when its
// event did not arrive.
const feedTTL = 15 * time.Second

// feedCache keeps one market's rendered feeds.
type feedCache struct {
	docs       *store.Cache[*httpx.Doc]
	baseDomain string // the regions' subdomains are their own hosts
}

func newFeedCache(baseDomain string) *feedCache {
	return &feedCache{docs: store.NewCache[*httpx.Doc](feedTTL, 500), baseDomain: baseDomain}
}

// feedCaches holds each app's feed cache (the API's feed and the widgets
// share it); an app drops its own when it closes.
var feedCaches sync.Map // *market.Service → *feedCache

// LinkBase is the base of the links a public document (the feed) carries
// (L7): the configured public URL; else the request's scheme and host when
// the host is one of the region's own (its custom domains, its subdomain of
// the base domain); else "" and the links are relative. A made-up Host
// header never reaches a document.
func LinkBase(c *fiber.Ctx, publicURL, baseDomain string) string {
	if p := strings.TrimRight(publicURL, "/"); p != "" {
		return p
	}
	host := strings.ToLower(c.Hostname())
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		return ""
	}
	for _, h := range tenantHosts(request.Tenant(c), baseDomain) {
		if host == h {
			return c.Protocol() + "://" + strings.ToLower(c.Hostname())
		}
	}
	return ""
}

// FeedDoc returns the request tenant's public feed with links under
// LinkBase, rendered once per change and kept with its gzip form (the API's
// feed and the listings widget).
func FeedDoc(c *fiber.Ctx, m *market.Service, publicURL string) (*httpx.Doc, error) {
	v, ok := feedCaches.Load(m)
	if !ok {
		v, _ = feedCaches.LoadOrStore(m, newFeedCache(""))
	}
	fc := v.(*feedCache)
	t := request.Tenant(c)
	base := LinkBase(c, publicURL, fc.baseDomain)
	ctx := request.Ctx(c)
	key := t.ID + "|" + base + "|" + m.DB.Now().Format("2006-01-02")
	gen := store.Generation(t.ID)
	if d, ok := fc.docs.Get(key, gen); ok {
		return d, nil
	}
	f, err := m.Feed(ctx, t.Name, base)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	d := httpx.NewDoc(body, fiber.MIMEApplicationJSONCharsetUTF8)
	fc.docs.Put(key, gen, d)
	return d, nil
}
