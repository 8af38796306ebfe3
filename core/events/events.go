// Package events carries typed domain events through an in-process bus. On
// Postgres a LISTEN/NOTIFY bridge (pgbridge.go) forwards every event to the
// other app instances, so live views and caches behind a load balancer see
// the writes of all instances.
package events

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
)

// Event types.
const (
	ListingPublished = "listing.published" // a listing became open (published or changed while open)
	ListingClosed    = "listing.closed"    // a listing left the market (closed, fully agreed, deleted)
	MatchFound       = "match.found"
	// TenantChanged tells instances to reload the tenant registry.
	TenantChanged = "tenant.changed"
	// RolesChanged tells instances to reload the role rules.
	RolesChanged = "roles.changed"
	// Resync is local only: the bridge lost events while reconnecting, so
	// subscribers should refresh whatever they derive from events.
	Resync = "resync"
)

// Event is a domain event of one tenant. Data holds only what the public
// may see: events travel to live views without login.
type Event struct {
	Type     string         `json:"type"`
	TenantID string         `json:"tenant_id"`
	At       time.Time      `json:"at"`
	Data     map[string]any `json:"data,omitempty"`
	Origin   string         `json:"origin,omitempty"` // the instance that published it
}

// Bus delivers events to subscribers synchronously, in order. With a
// bridge, events published here are also sent to other instances, and
// theirs arrive through Receive.
type Bus struct {
	// Clock stamps events; the system clock when nil.
	Clock    clock.Clock
	mu       sync.RWMutex
	subs     []func(Event)
	out      func(Event)
	once     sync.Once
	instance string
}

func (b *Bus) now() time.Time {
	if b.Clock == nil {
		return clock.System().Now()
	}
	return b.Clock.Now().UTC()
}

// Instance identifies this process among the app instances.
func (b *Bus) Instance() string {
	b.once.Do(func() {
		var r [8]byte
		_, _ = rand.Read(r[:])
		b.instance = hex.EncodeToString(r[:])
	})
	return b.instance
}

// Subscribe registers fn for every event.
func (b *Bus) Subscribe(fn func(Event)) {
	b.mu.Lock()
	b.subs = append(b.subs, fn)
	b.mu.Unlock()
}

// SetOutbound sends every event published here on to other instances too.
func (b *Bus) SetOutbound(fn func(Event)) {
	b.mu.Lock()
	b.out = fn
	b.mu.Unlock()
}

// Publish delivers e here and, with a bridge, to the other instances.
func (b *Bus) Publish(e Event) {
	if e.At.IsZero() {
		e.At = b.now()
	}
	e.Origin = b.Instance()
	b.deliver(e)
	b.mu.RLock()
	out := b.out
	b.mu.RUnlock()
	if out != nil && e.Type != Resync {
		out(e)
	}
}

// Receive delivers an event that arrived from the bridge; this instance's
// own events (already delivered by Publish) are ignored.
func (b *Bus) Receive(e Event) {
	if e.Origin == b.Instance() {
		return
	}
	b.deliver(e)
}

func (b *Bus) deliver(e Event) {
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, fn := range subs {
		fn(e)
	}
}
