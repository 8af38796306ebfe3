package market

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Service is the market: listings, their lab samples and documents, the
// projects' mass handling plans, the map and the open feed. Its methods take
// a context carrying the actor (core/access); they know nothing of HTTP.
//
// "Create a listing" from its route to its SQL: api/market.go (the route and
// its permission) → api/market_listings.go (the handler) → commands.go
// (Create: row rules, write) → validate.go (the input) → events.go (the
// outbox). Reads are in query.go, the row rules in rules.go.
type Service struct {
	DB *store.DB
	// Directory holds the organizations and sites listings belong to.
	Directory *directory.Service
	Blobs     blob.Store

	// PublicURL, when set, is the configured base of links to the platform
	// (the feed's links; the adapters pass it to Feed as its base).
	PublicURL string

	// MaxLocationChanges is how often a listing's point may be moved (and
	// the listing so re-matched) a day; 0 is DefaultMaxLocationChanges,
	// below 0 no limit. Moving a draft again and again against the exact
	// figures of matches would otherwise trilaterate a hidden point (M2).
	MaxLocationChanges int
	// ImportLimits bound lab imports (H2); unset fields are the defaults.
	ImportLimits ImportLimits
	// Disclosures, when set, tells ViewFor what owners disclosed in dialogs.
	Disclosures Disclosures
	// CreateGate, when set, may refuse a new listing of an organization
	// (a region whose consequence of an unpaid invoice is "no new
	// listings"). Registered listings are never locked.
	CreateGate func(ctx context.Context, orgID string) error

	maps sync.Map // tenant|audience → *mapState (the map, kept up to date incrementally)
}

// DefaultMaxLocationChanges is the daily limit on moving a listing's point.
const DefaultMaxLocationChanges = 3

func (s *Service) maxLocationChanges() int {
	if s.MaxLocationChanges == 0 {
		return DefaultMaxLocationChanges
	}
	return s.MaxLocationChanges
}

// countMove counts a move of l's point on the clock's day, or refuses it
// (on lat, with the limit) when the day's moves are used up.
func (s *Service) countMove(l *Listing, v *fail.Validation) {
	max := s.maxLocationChanges()
	if max < 0 {
		return
	}
	today := s.now().UTC().Format("2006-01-02")
	if l.LocationDay != today {
		l.LocationDay, l.LocationChanges = today, 0
	}
	if l.LocationChanges >= max {
		v.Add("lat", "location_changes", "ErrLocationChanges", "Max", max)
		return
	}
	l.LocationChanges++
}

// now reads the one clock, which the store carries.
func (s *Service) now() time.Time { return s.DB.Now() }

// today is the start of the clock's day: listings whose window ended before
// it have expired.
func (s *Service) today() time.Time { return s.now().Truncate(24 * time.Hour) }

func inSet(v string, set []string) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func enumErr(v *fail.Validation, field string, set []string) {
	v.Add(field, "enum", "ErrFieldEnum", "Allowed", strings.Join(set, ", "))
}
