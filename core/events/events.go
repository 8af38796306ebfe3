// Package events carries typed domain events through an in-process bus.
// (A Postgres LISTEN/NOTIFY bridge for several instances is the live-view
// issue's; subscribers here see the events of their own instance.)
package events

import (
	"sync"
	"time"
)

// Event types.
const (
	ListingPublished = "listing.published"
	MatchFound       = "match.found"
)

// Event is a domain event of one tenant.
type Event struct {
	Type     string         `json:"type"`
	TenantID string         `json:"tenant_id"`
	At       time.Time      `json:"at"`
	Data     map[string]any `json:"data"`
}

// Bus delivers events to subscribers synchronously, in order.
type Bus struct {
	mu   sync.RWMutex
	subs []func(Event)
}

// Subscribe registers fn for every event.
func (b *Bus) Subscribe(fn func(Event)) {
	b.mu.Lock()
	b.subs = append(b.subs, fn)
	b.mu.Unlock()
}

// Publish delivers e.
func (b *Bus) Publish(e Event) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, fn := range subs {
		fn(e)
	}
}
