package matching

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Dismissal records that a listing's owner is not interested in a counterpart.
type Dismissal struct {
	store.TenantRow
	ID            string    `gorm:"primaryKey" json:"id"`
	ListingID     string    `json:"listing_id"`
	CounterpartID string    `json:"counterpart_id"`
	DismissedBy   string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
}

func (Dismissal) TableName() string { return "match_dismissals" }

// Service answers match queries from a per-tenant index (index.go), built
// once from the database and then kept current from the domain events
// (live.go): a published, changed or closed listing is reloaded alone.
type Service struct {
	DB     *store.DB
	Market *market.Service
	Engine *Engine
	Mailer events.Mailer
	// Bundle and Regions localize match mail: the messages, and a tenant's
	// name, slug and default locale by ID.
	Bundle  *i18n.Bundle
	Regions func(tenantID string) (Region, bool)
	// Events delivers discovery and mail after commit (see Subscribe).
	Events *events.Dispatcher
	// Road refines the ranked matches' distances when set (routing.osrm);
	// nil when the engine's own estimate is the router (routing.haversine).
	Road geo.Router
	// RebuildEvery is how often a tenant's index is rebuilt from the
	// database in the background (listings whose window ended, organization
	// names, deletes no event reports); 0: DefaultRebuildEvery.
	RebuildEvery time.Duration

	mu      sync.Mutex
	indexes map[string]*liveIndex
}

// IndexTTL bounds how stale the facilities of an index can be against
// other instances' writes (listings follow the outbox at once).
const IndexTTL = 10 * time.Second

// DefaultRebuildEvery is the default of Service.RebuildEvery.
const DefaultRebuildEvery = 15 * time.Minute

// ItemOf converts a listing; a capacity on a facility with permits accepts
// what its permits allow.
func ItemOf(l *market.Listing, siteType map[string]string, accepts map[string]map[string]int) Item {
	it := Item{ID: l.ID, OrgID: l.OrganizationID, Kind: l.Kind, Title: l.Title, OrgName: l.OrganizationName, Fractions: l.Fractions, Tonnes: l.QuantityTonnes,
		From: l.AvailableFrom, To: l.AvailableTo, P: geo.Point{Lat: l.Lat, Lon: l.Lon}, Class: l.ContaminationClass, Use: l.IntendedUse}
	if l.SiteID != nil && l.Kind == "capacity" {
		it.SiteID = *l.SiteID
		it.FacilityType = siteType[*l.SiteID]
		if a, ok := accepts[*l.SiteID]; ok {
			it.Accepts = a
		}
	}
	return it
}

// RankDepth is how many counterparts of a listing are ranked (and, with a road
// router, measured by discovery); Notified is how many of the best are
// stored as found and announced.
const (
	RankDepth = 100
	Notified  = 20
)

// Rank ranks a listing's counterparts in the tenant of ctx, leaving out
// dismissed ones; with a road router, the distances discovery has measured
// by road replace the estimates. It never waits on the router: requests
// call it.
func (s *Service) Rank(ctx context.Context, l *market.Listing, k int) ([]Match, error) {
	return s.rank(ctx, l, k, false)
}

// Best is the first n of the ranked counterparts, as the matches API's
// first page of n has them, for the actor in ctx (coarse.go).
func (s *Service) Best(ctx context.Context, l *market.Listing, n int) ([]Match, error) {
	p, err := s.Page(ctx, l, page.Request{Limit: n})
	return p.Items, err
}

// Page is a page of a listing's ranked counterparts (the best RankDepth), in
// rank order, as the actor in ctx may see them: a counterpart whose exact
// point or quantity the actor may not see is coarsened, one it may not see
// at all left out (coarse.go). Without a road router only the page is
// explained; with one, all are, since the measured road distances may
// reorder them. The cursor is the position in the ranking, so it carries
// no exact figure of a counterpart.
func (s *Service) Page(ctx context.Context, l *market.Listing, r page.Request) (page.Page[Match], error) {
	key := func(pos int) string { return fmt.Sprintf("%06d", pos) }
	if s.Road != nil {
		ms, err := s.Rank(ctx, l, RankDepth)
		if err != nil {
			return page.Page[Match]{}, err
		}
		sort.SliceStable(ms, func(i, j int) bool {
			if ms[i].KgPerTonne != ms[j].KgPerTonne {
				return ms[i].KgPerTonne < ms[j].KgPerTonne
			}
			return ms[i].CounterpartID < ms[j].CounterpartID
		})
		at := make([]positioned[Match], len(ms))
		for i, m := range ms {
			at[i] = positioned[Match]{i, m}
		}
		p, err := page.Slice(at, r, func(x positioned[Match]) string { return key(x.pos) })
		if err != nil {
			return page.Page[Match]{}, err
		}
		items := make([]Match, len(p.Items))
		for i, x := range p.Items {
			items[i] = x.v
		}
		items, err = s.forViewer(ctx, l, items)
		return page.Page[Match]{Items: items, NextCursor: p.NextCursor}, err
	}
	ix, target, skip, err := s.ranking(ctx, l)
	if err != nil {
		return page.Page[Match]{}, err
	}
	ranked := s.Engine.Rank(ix, target, RankDepth, skip)
	at := make([]positioned[Ranked], len(ranked))
	for i, x := range ranked {
		at[i] = positioned[Ranked]{i, x}
	}
	rs, err := page.Slice(at, r, func(x positioned[Ranked]) string { return key(x.pos) })
	if err != nil {
		return page.Page[Match]{}, err
	}
	sel := make([]Ranked, len(rs.Items))
	for i, x := range rs.Items {
		sel[i] = x.v
	}
	items, err := s.forViewer(ctx, l, s.Engine.Explain(ix, target, sel))
	if err != nil {
		return page.Page[Match]{}, err
	}
	return page.Page[Match]{Items: items, NextCursor: rs.NextCursor}, nil
}

// positioned is an item with its position in the ranking.
type positioned[T any] struct {
	pos int
	v   T
}

// ranking is what ranking a listing needs: its tenant's index, the listing
// as the engine sees it, and the counterparts its owner dismissed.
func (s *Service) ranking(ctx context.Context, l *market.Listing) (*Index, Item, map[string]bool, error) {
	tenantID, ok := store.TenantID(ctx)
	if !ok {
		return nil, Item{}, nil, store.ErrNoTenant
	}
	ix, err := s.Index(ctx, tenantID)
	if err != nil {
		return nil, Item{}, nil, err
	}
	var dismissed []string
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return tx.Model(&Dismissal{}).Where("listing_id = ?", l.ID).Pluck("counterpart_id", &dismissed).Error
	}); err != nil {
		return nil, Item{}, nil, err
	}
	skip := make(map[string]bool, len(dismissed))
	for _, id := range dismissed {
		skip[id] = true
	}
	ix.mu.RLock()
	target := ItemOf(l, ix.siteType, ix.accepts)
	ix.mu.RUnlock()
	return ix, target, skip, nil
}

// rank ranks; measure asks the road router for the legs not measured yet
// and keeps them (discovery, off the request).
func (s *Service) rank(ctx context.Context, l *market.Listing, k int, measure bool) ([]Match, error) {
	ix, target, skip, err := s.ranking(ctx, l)
	if err != nil {
		return nil, err
	}
	out := s.Engine.Match(ix, target, k, skip)
	if out == nil {
		out = []Match{}
	}
	if s.Road != nil && len(out) > 0 {
		if measure {
			return s.Engine.Refine(ctx, newKeepingRouter(s), out), nil
		}
		return s.refineKept(ctx, out)
	}
	return out, nil
}

// Owned reads a listing whose matches the actor may see and act on: their
// own organization's (or any, for tenant admins and supervisors).
func (s *Service) Owned(ctx context.Context, id string) (*market.Listing, error) {
	l, err := s.Market.Find(ctx, id)
	if err != nil {
		return nil, err
	}
	switch market.AccessFor(access.From(ctx), l) {
	case market.Full:
		return l, nil
	case market.Hidden:
		return nil, fail.NotFoundErr()
	}
	return nil, access.NotOwnOrganization()
}

// Dismiss records that the owner does not want a counterpart; it stays
// dismissed. Only the listing's own organization (or a tenant admin) may.
func (s *Service) Dismiss(ctx context.Context, l *market.Listing, counterpartID string) error {
	a := access.From(ctx)
	if !a.CanEditOrg(l.OrganizationID) {
		return access.NotOwnOrganization()
	}
	cp, err := s.Market.Find(ctx, counterpartID)
	if err != nil {
		return err
	}
	d := &Dismissal{ID: store.NewID(), ListingID: l.ID, CounterpartID: cp.ID, DismissedBy: a.UserID()}
	err = s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(d).Error })
	if store.IsUniqueViolation(err) {
		return nil // already dismissed
	}
	return err
}
