package events

import "encoding/json"

// The domain events. Each type name is stored in the outbox: never rename
// one. Live views receive listing and match events without login, so those
// carry only what the public may see.

// ListingPublished: a listing became open, or an open listing changed.
type ListingPublished struct {
	ListingID string `json:"id"`
	Kind      string `json:"kind"`
	// Listing is the listing's public form; empty for members-only
	// listings, which are announced with their fractions only.
	Listing     json.RawMessage `json:"listing,omitempty"`
	Fractions   []string        `json:"fractions,omitempty"`
	MembersOnly bool            `json:"members_only,omitempty"`
	// StatusOnly: only its status changed (partly matched), so there is
	// nothing new to match.
	StatusOnly bool `json:"status_only,omitempty"`
	// Rediscover: nothing changed; the listing was announced again only so
	// that discovery ran (bulk loads did, before seeding went through the
	// domain; events stored then may still carry it). Live views ignore it.
	Rediscover bool `json:"rediscover,omitempty"`
}

// ListingClosed: a listing left the market (closed, fully matched, dropped
// from a plan).
type ListingClosed struct {
	ListingID string `json:"id"`
	Kind      string `json:"kind,omitempty"`
}

// MatchFound: match discovery stored a new match of a listing.
type MatchFound struct {
	ListingID      string  `json:"listing_id"`
	CounterpartID  string  `json:"counterpart_id"`
	Band           string  `json:"band"` // a quantity band, not the tonnes
	KgCO2ePerTonne float64 `json:"kg_co2e_per_tonne"`
	SavingKgCO2e   float64 `json:"saving_kg_co2e"`
	Fraction       string  `json:"fraction"`
	Via            string  `json:"via"`
	// MembersOnly: one of the two listings is for members only; the public
	// live view then says only that a match was found.
	MembersOnly bool `json:"members_only,omitempty"`
}

// MatchesNotified: a representative was notified in the app of new matches
// of a listing (one event per person, so each is mailed, in their language,
// independently of the others).
type MatchesNotified struct {
	UserID    string `json:"user_id"`
	ListingID string `json:"listing_id"`
	Title     string `json:"title"`
	Count     int    `json:"count"`
}

// TenantChanged: a tenant's settings, domains or logo changed, or a tenant
// was created; every instance reloads its tenant registry.
type TenantChanged struct {
	TenantID string `json:"tenant_id"`
}

// RolesChanged: role rules or assignments changed; every instance reloads
// them.
type RolesChanged struct{}

func (ListingPublished) EventType() string { return "listing.published" }
func (ListingClosed) EventType() string    { return "listing.closed" }
func (MatchFound) EventType() string       { return "match.found" }
func (MatchesNotified) EventType() string  { return "matches.notified" }
func (TenantChanged) EventType() string    { return "tenant.changed" }
func (RolesChanged) EventType() string     { return "roles.changed" }

func (e ListingPublished) EventSubject() string { return e.ListingID }
func (e ListingClosed) EventSubject() string    { return e.ListingID }
func (e MatchFound) EventSubject() string       { return e.ListingID }
func (e MatchesNotified) EventSubject() string  { return e.ListingID }

// EventTenant names the tenant of an event emitted by system work.
func (e TenantChanged) EventTenant() string { return e.TenantID }

// catalogue maps every event type name to its decoder. An instance only
// handles (and marks delivered) the types it knows, so an older instance in
// a rolling deploy leaves a newer type to the newer instances.
var catalogue = map[string]decoder{
	ListingPublished{}.EventType(): decodeAs[ListingPublished],
	ListingClosed{}.EventType():    decodeAs[ListingClosed],
	MatchFound{}.EventType():       decodeAs[MatchFound],
	MatchesNotified{}.EventType():  decodeAs[MatchesNotified],
	TenantChanged{}.EventType():    decodeAs[TenantChanged],
	RolesChanged{}.EventType():     decodeAs[RolesChanged],
}
