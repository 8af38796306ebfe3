package matching

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/events"
	"github.com/masseflyt/masseflyt/core/geo"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
)

// A tenant's index is built from the database once, on first use (or by
// Warm at start), and then maintained from the domain events every
// instance receives through the outbox (Listen): a published, changed or
// closed listing is marked dirty, and the next query reloads the dirty
// listings alone (one query by ID) and updates their slots: O(changed).
// Facilities (a few hundred) are reloaded when the tenant's data changed
// in this process and at least every IndexTTL. A full rebuild runs only
// in the background: every RebuildEvery, when the day changes (windows
// end), and after deletes in this process; queries keep the old index
// meanwhile, and what changed during the rebuild is applied to the new
// one before it is swapped in.

// sweepMax: when more listings than this changed without events, the
// index is rebuilt in the background instead of reloading them one by one.
const sweepMax = 2000

// deleteRebuildAfter: after deletes in this process, the index is rebuilt
// when it is at least this old (a deleted counterpart is left out of
// results meanwhile: they are read from the database before they are
// shown).
const deleteRebuildAfter = 30 * time.Second

type liveIndex struct {
	ready chan struct{} // closed when the first build ended
	ix    *Index
	err   error

	mu         sync.Mutex
	dirty      map[string]bool // listings changed since the last apply
	during     map[string]bool // listings changed while a rebuild runs (nil: none runs)
	builtAt    time.Time
	builtDay   time.Time
	facAt      time.Time
	facGen     store.Gen
	delGen     store.Gen
	sweepGen   store.Gen
	maxUpd     time.Time // the latest updated_at read
	rebuilding bool

	apply sync.Mutex // one apply at a time, so reloads land in order
}

// Listen keeps the indexes current from the domain events of every
// instance (see above). Subscribe calls it.
func (s *Service) Listen(d *events.Dispatcher) {
	d.Listen(func(env events.Envelope) {
		switch e := env.Event.(type) {
		case events.ListingPublished:
			s.Changed(env.TenantID, e.ListingID)
		case events.ListingClosed:
			s.Changed(env.TenantID, e.ListingID)
		}
	})
}

// Changed marks a listing of a tenant changed: the next query of the
// tenant's index reloads it.
func (s *Service) Changed(tenantID, listingID string) {
	s.mu.Lock()
	li := s.indexes[tenantID]
	s.mu.Unlock()
	if li == nil {
		return // not built: its build reads the listing as it is
	}
	li.mu.Lock()
	li.mark(listingID)
	li.mu.Unlock()
}

// mark marks a listing dirty, for the index in use and for the one a
// background rebuild is building; li.mu is held.
func (li *liveIndex) mark(id string) {
	li.dirty[id] = true
	if li.during != nil {
		li.during[id] = true
	}
}

func (s *Service) rebuildEvery() time.Duration {
	if s.RebuildEvery > 0 {
		return s.RebuildEvery
	}
	return DefaultRebuildEvery
}

// Warm builds a tenant's index now (at start, in the background), so the
// first query does not wait for it.
func (s *Service) Warm(ctx context.Context, tenantID string) error {
	_, err := s.Index(store.WithTenant(ctx, tenantID), tenantID)
	return err
}

// Index returns the tenant's current index, with the listings changed
// since the last query applied.
func (s *Service) Index(ctx context.Context, tenantID string) (*Index, error) {
	s.mu.Lock()
	if s.indexes == nil {
		s.indexes = map[string]*liveIndex{}
	}
	li := s.indexes[tenantID]
	first := li == nil
	if first {
		li = &liveIndex{ready: make(chan struct{}), dirty: map[string]bool{}}
		s.indexes[tenantID] = li
	}
	s.mu.Unlock()
	if first {
		li.facGen, li.delGen = store.Generation(tenantID), store.DeleteGeneration(tenantID)
		li.sweepGen = li.facGen
		ix, upd, err := s.build(ctx)
		li.mu.Lock()
		li.ix, li.err, li.maxUpd = ix, err, upd
		li.builtAt, li.facAt, li.builtDay = clock.Real(), clock.Real(), clock.Today(s.DB.Clock)
		li.mu.Unlock()
		close(li.ready)
		if err != nil {
			s.mu.Lock()
			if s.indexes[tenantID] == li {
				delete(s.indexes, tenantID)
			}
			s.mu.Unlock()
			return nil, err
		}
	} else {
		select {
		case <-li.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if li.err != nil {
			return nil, li.err
		}
	}
	if err := s.refresh(ctx, tenantID, li); err != nil {
		return nil, err
	}
	li.mu.Lock()
	ix := li.ix
	li.mu.Unlock()
	return ix, nil
}

// refresh applies the dirty listings, reloads the facilities when they
// may have changed, and starts a background rebuild when one is due.
func (s *Service) refresh(ctx context.Context, tenantID string, li *liveIndex) error {
	li.mu.Lock()
	ix := li.ix
	gen, del := store.Generation(tenantID), store.DeleteGeneration(tenantID)
	facDue := gen != li.facGen || clock.Real().Sub(li.facAt) > IndexTTL
	sweepDue := gen != li.sweepGen
	since := li.maxUpd
	age := clock.Real().Sub(li.builtAt)
	rebuildDue := !li.rebuilding && (age > s.rebuildEvery() || (del != li.delGen && age > deleteRebuildAfter) || !clock.Today(s.DB.Clock).Equal(li.builtDay))
	if rebuildDue {
		li.rebuilding, li.during, li.delGen = true, map[string]bool{}, del
	}
	li.mu.Unlock()
	if rebuildDue {
		go s.rebuild(context.WithoutCancel(ctx), tenantID, li)
	}
	if facDue {
		fs, err := s.facilities(ctx)
		if err != nil {
			return err
		}
		ix.SetFacilities(fs)
		li.mu.Lock()
		li.facGen, li.facAt = gen, clock.Real()
		li.mu.Unlock()
	}
	if sweepDue {
		// Writes in this process that no event announces (a lab import
		// changes a listing's class): the listings updated since the
		// latest read, by the (tenant_id, updated_at) index.
		var rows []struct {
			ID        string
			UpdatedAt time.Time
		}
		if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
			return tx.Model(&market.Listing{}).Select("id, updated_at").Where("updated_at >= ?", since).Find(&rows).Error
		}); err != nil {
			return err
		}
		li.mu.Lock()
		bulk := len(rows) > sweepMax
		if bulk && !li.rebuilding {
			// A bulk change: rebuild rather than reload one by one.
			li.rebuilding, li.during, li.delGen = true, map[string]bool{}, del
			go s.rebuild(context.WithoutCancel(ctx), tenantID, li)
		}
		for _, r := range rows {
			if !bulk {
				li.mark(r.ID)
			}
			if r.UpdatedAt.After(li.maxUpd) {
				li.maxUpd = r.UpdatedAt
			}
		}
		li.sweepGen = gen
		li.mu.Unlock()
	}
	return s.applyDirty(ctx, li)
}

// applyDirty reloads the listings marked dirty into ix.
func (s *Service) applyDirty(ctx context.Context, li *liveIndex) error {
	li.mu.Lock()
	empty := len(li.dirty) == 0
	li.mu.Unlock()
	if empty {
		return nil
	}
	li.apply.Lock()
	defer li.apply.Unlock()
	li.mu.Lock()
	ix := li.ix // after a swap, the new one
	ids := make([]string, 0, len(li.dirty))
	for id := range li.dirty {
		ids = append(ids, id)
	}
	li.dirty = map[string]bool{}
	li.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if err := s.reload(ctx, ix, ids); err != nil {
		// Try again on the next query.
		li.mu.Lock()
		for _, id := range ids {
			li.dirty[id] = true
		}
		li.mu.Unlock()
		return err
	}
	return nil
}

// reload reads listings by ID and puts the open ones in ix, taking out the
// others: the index work of a publication, O(changed).
func (s *Service) reload(ctx context.Context, ix *Index, ids []string) error {
	var ls []market.Listing
	today := clock.Today(s.DB.Clock)
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		var got []market.Listing
		if err := s.DB.Read(ctx, func(tx *gorm.DB) error {
			return openListings(tx, today).Where("listings.id IN ?", part).Find(&got).Error
		}); err != nil {
			return err
		}
		ls = append(ls, got...)
	}
	open := make(map[string]*market.Listing, len(ls))
	for i := range ls {
		open[ls[i].ID] = &ls[i]
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, id := range ids {
		if l, ok := open[id]; ok {
			it := ItemOf(l, ix.siteType, ix.accepts)
			ix.upsert(&it)
		} else {
			ix.remove(id)
		}
	}
	return nil
}

// rebuild builds the index anew in the background and swaps it in; the
// listings that changed meanwhile are applied to it by the next query.
func (s *Service) rebuild(ctx context.Context, tenantID string, li *liveIndex) {
	ix, _, err := s.build(ctx)
	li.apply.Lock() // no apply runs on the old index while it is swapped
	defer li.apply.Unlock()
	li.mu.Lock()
	defer li.mu.Unlock()
	for id := range li.during {
		li.dirty[id] = true
	}
	li.during, li.rebuilding = nil, false
	if err != nil {
		li.builtAt = clock.Real() // try again after RebuildEvery
		slog.Warn("matching: background rebuild failed", "tenant", tenantID, "err", err)
		return
	}
	li.ix, li.builtAt, li.facAt, li.builtDay = ix, clock.Real(), clock.Real(), clock.Today(s.DB.Clock)
}

// openListings selects the open listings whose window has not ended, with
// their organization's name.
func openListings(tx *gorm.DB, today time.Time) *gorm.DB {
	return tx.Model(&market.Listing{}).Select("listings.*, organizations.name AS organization_name").
		Joins("JOIN organizations ON organizations.tenant_id = listings.tenant_id AND organizations.id = listings.organization_id").
		Where("listings.status IN ? AND listings.available_to >= ?", market.OpenStatuses, today)
}

// build loads the open listings and the facilities with their valid
// permits; and the latest updated_at of the listings read.
func (s *Service) build(ctx context.Context) (*Index, time.Time, error) {
	var maxUpd time.Time
	fs, err := s.facilities(ctx)
	if err != nil {
		return nil, maxUpd, err
	}
	ix := NewIndex(nil, fs)
	today := clock.Today(s.DB.Clock)
	// The columns the index needs, scanned without the ORM's per-row
	// reflection: at 100 000 listings that is most of a start's work.
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		rows, err := tx.Model(&market.Listing{}).Select("listings.id, listings.organization_id, listings.site_id, listings.kind, listings.title, listings.fractions, "+
			"listings.quantity_tonnes, listings.available_from, listings.available_to, listings.lat, listings.lon, listings.contamination_class, listings.intended_use, "+
			"listings.updated_at, organizations.name").
			Joins("JOIN organizations ON organizations.tenant_id = listings.tenant_id AND organizations.id = listings.organization_id").
			Where("listings.status IN ? AND listings.available_to >= ?", market.OpenStatuses, today).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		ix.mu.Lock()
		defer ix.mu.Unlock()
		var (
			l      market.Listing
			site   *string
			fracs  directory.List
			update time.Time
		)
		for rows.Next() {
			site = nil
			if err := rows.Scan(&l.ID, &l.OrganizationID, &site, &l.Kind, &l.Title, &fracs, &l.QuantityTonnes, &l.AvailableFrom, &l.AvailableTo,
				&l.Lat, &l.Lon, &l.ContaminationClass, &l.IntendedUse, &update, &l.OrganizationName); err != nil {
				return err
			}
			l.SiteID = site
			l.Fractions = fracs
			if update.After(maxUpd) {
				maxUpd = update
			}
			it := ItemOf(&l, ix.siteType, ix.accepts)
			ix.upsert(&it)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, maxUpd, err
	}
	return ix, maxUpd, nil
}

// facilities loads the tenant's facilities with what their valid permits
// accept.
func (s *Service) facilities(ctx context.Context) ([]Facility, error) {
	var (
		sites   []directory.Site
		permits []directory.Permit
	)
	err := s.DB.Read(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("kind = ?", "facility").Find(&sites).Error; err != nil {
			return err
		}
		return tx.Find(&permits).Error
	})
	if err != nil {
		return nil, err
	}
	now := s.DB.Now()
	accepts := map[string]map[string]int{}
	storageAccepts := map[string]map[string]int{}
	validity := map[string][2]time.Time{}
	for _, p := range permits {
		if !p.ValidAt(now) && (p.ValidFrom == nil || p.ValidFrom.Before(now)) {
			continue // expired
		}
		a := accepts[p.SiteID]
		if a == nil {
			a = map[string]int{}
			accepts[p.SiteID] = a
		}
		sa := storageAccepts[p.SiteID]
		if sa == nil && p.Kind == "intermediate_storage" {
			sa = map[string]int{}
			storageAccepts[p.SiteID] = sa
		}
		for _, f := range p.Fractions {
			if p.MaxClass > a[f] {
				a[f] = p.MaxClass
			}
			if p.Kind == "intermediate_storage" && p.MaxClass > sa[f] {
				sa[f] = p.MaxClass
			}
		}
		v := validity[p.SiteID]
		if p.ValidFrom != nil && (v[0].IsZero() || p.ValidFrom.Before(v[0])) {
			v[0] = *p.ValidFrom
		}
		if p.ValidTo != nil && p.ValidTo.After(v[1]) {
			v[1] = *p.ValidTo
		}
		validity[p.SiteID] = v
	}
	facilities := make([]Facility, 0, len(sites))
	for _, st := range sites {
		v := validity[st.ID]
		facilities = append(facilities, Facility{ID: st.ID, Name: st.Name, Type: st.FacilityType, P: geo.Point{Lat: st.Lat, Lon: st.Lon}, Accepts: accepts[st.ID], StorageAccepts: storageAccepts[st.ID], From: v[0], To: v[1], Capacity: st.CapacityTonnes})
	}
	return facilities, nil
}

// Indexed is the number of listings in a tenant's index (0 when not built).
func (s *Service) Indexed(tenantID string) int {
	s.mu.Lock()
	li := s.indexes[tenantID]
	s.mu.Unlock()
	if li == nil {
		return 0
	}
	li.mu.Lock()
	ix := li.ix
	li.mu.Unlock()
	if ix == nil {
		return 0
	}
	return ix.Len()
}
