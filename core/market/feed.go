package market

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
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

// Feed builds the public feed of the tenant in ctx, named name, whoever
// asks: the open public listings in their public form, newest first, with
// links under base. Rendering and caching it is the adapters' business.
func (s *Service) Feed(ctx context.Context, name, base string) (*Feed, error) {
	a := access.From(ctx)
	if a.TenantID == "" {
		return nil, fail.NotFoundErr()
	}
	rows, err := s.RecentPublic(ctx, a.TenantID, 0)
	if err != nil {
		return nil, err
	}
	f := &Feed{Tenant: a.TenantSlug, Name: name, GeneratedAt: s.now().Truncate(time.Second), License: FeedLicense, Count: len(rows), Listings: make([]FeedItem, len(rows))}
	for i := range rows {
		l := &rows[i]
		f.Listings[i] = FeedItem{PublicView: l.Public(), URL: base + "/t/" + a.TenantSlug + "/listings/" + l.ID, PublishedAt: l.PublishedAt, UpdatedAt: l.UpdatedAt}
	}
	return f, nil
}

// PublicGeoJSON renders the map of the tenant in ctx as the public sees
// it, whoever asks.
func (s *Service) PublicGeoJSON(ctx context.Context, kind, fraction string) ([]byte, error) {
	if err := CheckMapFilter(kind, fraction); err != nil {
		return nil, err
	}
	tid := access.From(ctx).TenantID
	if tid == "" {
		return nil, fail.NotFoundErr()
	}
	return s.geoJSON(ctx, tid, "public", kind, fraction)
}

// RecentPublic returns the open public listings, most recently published
// first: the n newest, or all when n ≤ 0.
func (s *Service) RecentPublic(ctx context.Context, tenantID string, n int) ([]Listing, error) {
	var rows []Listing
	err := s.DB.Read(store.WithTenant(ctx, tenantID), func(tx *gorm.DB) error {
		q := withOwner(tx).Where("listings.status IN ? AND listings.visibility = ? AND listings.available_to >= ?", OpenStatuses, "public", s.today()).
			Order("listings.published_at DESC, listings.id")
		if n > 0 {
			q = q.Limit(n)
		}
		return q.Find(&rows).Error
	})
	return rows, err
}
