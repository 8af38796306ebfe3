package market

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Find reads a listing of the tenant in ctx with its owner's name, whoever
// asks (callers apply the row rules: Get, Editable, AccessFor).
func (s *Service) Find(ctx context.Context, id string) (*Listing, error) {
	if !store.ValidID(id) {
		return nil, fail.NotFoundErr()
	}
	var l Listing
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		return withOwner(tx).Where("listings.id = ?", id).Take(&l).Error
	})
	if err != nil {
		return nil, store.NotFoundOr(err)
	}
	return &l, nil
}

// Get reads a listing the actor in ctx may see (not found otherwise); View
// renders it at the actor's access level.
func (s *Service) Get(ctx context.Context, id string) (*Listing, error) {
	l, err := s.Find(ctx, id)
	if err != nil {
		return nil, err
	}
	if AccessTo(ctx, l) == Hidden {
		return nil, fail.NotFoundErr()
	}
	return l, nil
}

// withOwner selects listings with their organization's name. The name is
// a subquery per row returned, not a join: a join lets the planner drive
// from the organizations and sort every listing of the region, where the
// lists should walk their sort order's index and stop at a page (issue 16,
// TestListsUseTheirIndexes). The subquery names the tenant as a value, not
// as listings.tenant_id: Citus routes a query to one shard only when every
// table in it is filtered by a constant tenant (docs/scaling.md).
func withOwner(tx *gorm.DB) *gorm.DB {
	tid, _ := store.TenantID(tx.Statement.Context)
	return tx.Model(&Listing{}).Select("listings.*, (SELECT organizations.name FROM organizations WHERE organizations.tenant_id = ? AND organizations.id = listings.organization_id) AS organization_name", tid)
}

// Filter selects listings (ParseFilter reads it from a search).
type Filter struct {
	Kind, Fraction, OrganizationID, Sort string
	MinTonnes, MaxTonnes                 float64
	From, To                             time.Time
	MaxClass                             int
	Near                                 *geo.Point
	RadiusKm                             float64
}

// ListingBounds are the listing search's page sizes.
var ListingBounds = page.Bounds{Default: 100, Max: 1000}

// List returns a page of the listings the actor in ctx may see, filtered
// and in the filter's order: by date (available from, then ID), by
// quantity (largest first, then ID) or by distance from Near (nearest
// first, then ID). Each order pages by its own key, so a page never
// repeats or skips a row that did not change.
func (s *Service) List(ctx context.Context, f Filter, r page.Request) (page.Page[Listing], error) {
	if f.Sort == "distance" && f.Near != nil {
		return s.listByDistance(ctx, f, r)
	}
	var after page.Key
	if r.Cursor != "" {
		k, err := page.Decode(r.Cursor, 2)
		if err != nil {
			return page.Page[Listing]{}, err
		}
		after = k
	}
	key := func(l Listing) page.Key {
		if f.Sort == "quantity" {
			return page.Key{strconv.FormatFloat(l.QuantityTonnes, 'g', -1, 64), l.ID}
		}
		return page.Key{l.AvailableFrom.UTC().Format(time.RFC3339Nano), l.ID}
	}
	// Rows the row rules hide or the radius leaves out are skipped after
	// reading, so read on in batches until the page is full or the rows
	// end: a page is short only when it is the last.
	a := access.From(ctx)
	batch := r.Limit + 1
	var kept []Listing
	for len(kept) <= r.Limit {
		var rows []Listing
		err := s.DB.Read(ctx, func(tx *gorm.DB) error {
			q, err := s.after(s.search(ctx, tx, f), f.Sort, after)
			if err != nil {
				return err
			}
			return q.Limit(batch).Find(&rows).Error
		})
		if err != nil {
			return page.Page[Listing]{}, err
		}
		for _, l := range rows {
			if AccessFor(a, &l) != Hidden && f.within(&l) {
				kept = append(kept, l)
			}
		}
		if len(rows) < batch {
			break
		}
		after = key(rows[len(rows)-1])
	}
	return page.Cut(kept, r.Limit, key), nil
}

// after orders q by the sort and keeps the rows after the key.
func (s *Service) after(q *gorm.DB, sort string, after page.Key) (*gorm.DB, error) {
	switch sort {
	case "quantity":
		if after != nil {
			t, err := strconv.ParseFloat(after[0], 64)
			if err != nil {
				return nil, page.BadCursor()
			}
			// The range first, so that the (tenant, quantity desc, ID)
			// index is walked from the cursor on (issue 16).
			q = q.Where("listings.quantity_tonnes <= ? AND (listings.quantity_tonnes < ? OR listings.id > ?)", t, t, after[1])
		}
		return q.Order("listings.quantity_tonnes DESC, listings.id"), nil
	default:
		if after != nil {
			t, err := time.Parse(time.RFC3339Nano, after[0])
			if err != nil {
				return nil, page.BadCursor()
			}
			q = q.Where("listings.available_from >= ? AND (listings.available_from > ? OR listings.id > ?)", t, t, after[1])
		}
		return q.Order("listings.available_from, listings.id"), nil
	}
}

// within reports whether l lies inside the filter's radius (if any).
func (f Filter) within(l *Listing) bool {
	return f.Near == nil || f.RadiusKm <= 0 || geo.HaversineKm(*f.Near, geo.Point{Lat: l.Lat, Lon: l.Lon}) <= f.RadiusKm
}

// listByDistance orders the candidates (within the radius's bounding box)
// by great-circle distance from Near and pages by (distance, ID).
func (s *Service) listByDistance(ctx context.Context, f Filter, r page.Request) (page.Page[Listing], error) {
	var afterDist float64
	var afterID string
	if r.Cursor != "" {
		k, err := page.Decode(r.Cursor, 2)
		if err != nil {
			return page.Page[Listing]{}, err
		}
		if afterDist, err = strconv.ParseFloat(k[0], 64); err != nil {
			return page.Page[Listing]{}, page.BadCursor()
		}
		afterID = k[1]
	}
	var rows []Listing
	if err := s.DB.Read(ctx, func(tx *gorm.DB) error { return s.search(ctx, tx, f).Find(&rows).Error }); err != nil {
		return page.Page[Listing]{}, err
	}
	dist := func(l *Listing) float64 { return geo.HaversineKm(*f.Near, geo.Point{Lat: l.Lat, Lon: l.Lon}) }
	type ranked struct {
		l Listing
		d float64
	}
	a := access.From(ctx)
	rs := make([]ranked, 0, len(rows))
	for _, l := range rows {
		d := dist(&l)
		if r.Cursor != "" && (d < afterDist || d == afterDist && l.ID <= afterID) || AccessFor(a, &l) == Hidden || !f.within(&l) {
			continue
		}
		rs = append(rs, ranked{l, d})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].d != rs[j].d {
			return rs[i].d < rs[j].d
		}
		return rs[i].l.ID < rs[j].l.ID
	})
	if len(rs) > r.Limit+1 {
		rs = rs[:r.Limit+1]
	}
	out := make([]Listing, len(rs))
	for i := range rs {
		out[i] = rs[i].l
	}
	return page.Cut(out, r.Limit, func(l Listing) page.Key {
		return page.Key{strconv.FormatFloat(dist(&l), 'g', -1, 64), l.ID}
	}), nil
}

// search is the listings the actor may see that match the filter, in SQL:
// open listings and the actor's own organizations' (drafts too); for those
// who are neither members, supervisors nor admins, public ones only.
func (s *Service) search(ctx context.Context, tx *gorm.DB, f Filter) *gorm.DB {
	a := access.From(ctx)
	own := []string{""}
	for id := range a.Principal.Orgs {
		own = append(own, id)
	}
	q := withOwner(tx).Where("((listings.status IN ? AND listings.available_to >= ?) OR listings.organization_id IN ?)", OpenStatuses, s.today(), own)
	if !a.IsAdmin() && !a.Principal.Has(auth.RoleSupervisor) && !a.Principal.Has(auth.RoleMember) {
		q = q.Where("(listings.visibility = ? OR listings.organization_id IN ?)", "public", own)
	}
	if f.Kind != "" {
		q = q.Where("listings.kind = ?", f.Kind)
	}
	if f.Fraction != "" {
		q = q.Where("(',' || listings.fractions || ',') LIKE ?", "%,"+f.Fraction+",%")
	}
	if f.OrganizationID != "" {
		q = q.Where("listings.organization_id = ?", f.OrganizationID)
	}
	if f.MinTonnes > 0 {
		q = q.Where("listings.quantity_tonnes >= ?", f.MinTonnes)
	}
	if f.MaxTonnes > 0 {
		q = q.Where("listings.quantity_tonnes <= ?", f.MaxTonnes)
	}
	if !f.From.IsZero() {
		q = q.Where("listings.available_to >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("listings.available_from <= ?", f.To)
	}
	if f.MaxClass > 0 {
		q = q.Where("listings.contamination_class <= ?", f.MaxClass)
	}
	if f.Near != nil && f.RadiusKm > 0 {
		dLat := f.RadiusKm / 111.0
		dLon := f.RadiusKm / (111.0 * math.Max(0.2, math.Cos(f.Near.Lat*math.Pi/180)))
		q = q.Where("listings.lat BETWEEN ? AND ? AND listings.lon BETWEEN ? AND ?", f.Near.Lat-dLat, f.Near.Lat+dLat, f.Near.Lon-dLon, f.Near.Lon+dLon)
	}
	return q
}
