package market

import (
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

	maps sync.Map // tenant|audience → *mapState (the map, kept up to date incrementally)
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
