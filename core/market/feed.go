package market

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/tenants"
)

// FeedItem is a listing in the public feed: its public view (B6), where it
// can be opened, and when it was published and last changed.
type FeedItem struct {
	PublicView
	URL         string     `json:"url"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Feed is the public listing feed of a region (B4): the open, public
// listings in their public form, for other platforms and the widgets.
type Feed struct {
	Tenant      string     `json:"tenant"`
	Name        string     `json:"name"`
	GeneratedAt time.Time  `json:"generated_at"`
	License     string     `json:"license"`
	Count       int        `json:"count"`
	Listings    []FeedItem `json:"listings"`
}

// FeedLicense is the licence of the open data.
const FeedLicense = "NLOD-2.0"

// feedTTL bounds how long another instance's write can go unseen when its
// event did not arrive.
const feedTTL = 15 * time.Second

// FeedDoc returns the tenant's public feed, rendered once per change and
// kept with its gzip form. base prefixes the listing URLs.
func (s *Service) FeedDoc(ctx context.Context, t *tenants.Tenant, base string) (*httpx.Doc, error) {
	s.feedsOnce.Do(func() { s.feeds = store.NewCache[*httpx.Doc](feedTTL, 500) })
	base = s.feedBase(t.ID, base)
	day := s.now().Format("2006-01-02")
	key := t.ID + "|" + base + "|" + day
	gen := store.Generation(t.ID)
	if d, ok := s.feeds.Get(key, gen); ok {
		return d, nil
	}
	rows, err := s.RecentPublic(ctx, t.ID, 0)
	if err != nil {
		return nil, err
	}
	f := Feed{Tenant: t.Slug, Name: t.Name, GeneratedAt: s.now().Truncate(time.Second), License: FeedLicense, Count: len(rows), Listings: make([]FeedItem, len(rows))}
	for i := range rows {
		l := &rows[i]
		f.Listings[i] = FeedItem{PublicView: l.Public(), URL: base + "/t/" + t.Slug + "/listings/" + l.ID, PublishedAt: l.PublishedAt, UpdatedAt: l.UpdatedAt}
	}
	body, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	d := httpx.NewDoc(body, fiber.MIMEApplicationJSONCharsetUTF8)
	s.feeds.Put(key, gen, d)
	return d, nil
}

// maxFeedBases bounds the link bases a tenant's feed is rendered for (the
// base comes from the Host header unless MASSEFLYT_PUBLIC_URL is set, so
// requests with made-up hosts must not multiply cached documents).
const maxFeedBases = 3

// feedBase returns base if it is one of the first few seen for the tenant,
// else "" (the feed then carries links relative to the platform).
func (s *Service) feedBase(tenantID, base string) string {
	s.basesMu.Lock()
	defer s.basesMu.Unlock()
	if s.bases == nil {
		s.bases = map[string][]string{}
	}
	for _, b := range s.bases[tenantID] {
		if b == base {
			return base
		}
	}
	if len(s.bases[tenantID]) < maxFeedBases {
		s.bases[tenantID] = append(s.bases[tenantID], base)
		return base
	}
	return ""
}

// PublicGeoJSON renders the tenant's map as the public sees it, whoever asks.
func (s *Service) PublicGeoJSON(ctx context.Context, tenantID, kind, fraction string) ([]byte, error) {
	return s.geoJSON(ctx, tenantID, "public", kind, fraction)
}

// BaseURL is the scheme and host links to the platform use: the
// configured public URL, else the request's.
func BaseURL(c *fiber.Ctx, public string) string {
	if p := strings.TrimRight(public, "/"); p != "" {
		return p
	}
	return c.BaseURL()
}

func (s *Service) feedJSON(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	d, err := s.FeedDoc(request.Ctx(c), request.Tenant(c), BaseURL(c, s.PublicURL))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
	return d.Send(c, "public, max-age=30")
}

func (s *Service) feedGeoJSON(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	kind, fraction, err := ParseMapFilter(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderCacheControl, "public, max-age=30")
	return SendGeoJSON(c)(s.PublicGeoJSON(request.Ctx(c), request.Tenant(c).ID, kind, fraction))
}

// RecentPublic returns the open public listings, most recently published
// first: the n newest, or all when n ≤ 0.
func (s *Service) RecentPublic(ctx context.Context, tenantID string, n int) ([]Listing, error) {
	var rows []Listing
	err := s.DB.Read(store.WithTenant(ctx, tenantID), func(tx *gorm.DB) error {
		q := withOwner(tx).Where("listings.status IN ? AND listings.visibility = ? AND listings.available_to >= ?", OpenStatuses, "public", s.now().Truncate(24*time.Hour)).
			Order("listings.published_at DESC, listings.id")
		if n > 0 {
			q = q.Limit(n)
		}
		return q.Find(&rows).Error
	})
	return rows, err
}
