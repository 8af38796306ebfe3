package kratos

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masseflyt/masseflyt/core/auth"
)

// sessionCache remembers Kratos' answers for a short while, keyed by a
// hash of the credentials (never the cookie or token itself), and limits
// the lookups each client address may cause: a flood of made-up cookies
// costs at most lookupsPerMinute calls per client, then counts as
// anonymous.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	clients map[string]*window
	// bypasses counts bypass entries (at least; expiries found later
	// are recounted when it reaches maxBypass).
	bypasses int
	calls    atomic.Int64
	// real is the cache's own clock (lifetimes are durations, not dates).
	real func() time.Time
}

type cacheEntry struct {
	s     *auth.Session
	err   error
	until time.Time
	// bypass: the browser is in a self-service flow (a login, step-up or
	// verification may change its session any moment): ask Kratos every
	// time until then.
	bypass bool
}

// flowBypass is how long credentials are not cached after a self-service
// page was shown to them.
const flowBypass = 5 * time.Minute

type window struct {
	start time.Time
	n     int
}

// Limits of the cache.
const (
	maxEntries       = 50000
	maxBypass        = 5000
	lookupsPerMinute = 300
)

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[string]cacheEntry{}, clients: map[string]*window{}, real: time.Now}
}

func cacheKey(token, cookie string) string {
	h := sha256.Sum256([]byte(token + "\x00" + cookie))
	return hex.EncodeToString(h[:])
}

func (c *sessionCache) get(key string) (*auth.Session, error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, nil, false
	}
	if !c.real().Before(e.until) {
		delete(c.entries, key)
		return nil, nil, false
	}
	if e.bypass {
		return nil, nil, false
	}
	return e.s, e.err, true
}

func (c *sessionCache) put(key string, s *auth.Session, err error, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.real()
	if e, ok := c.entries[key]; ok && e.bypass && now.Before(e.until) {
		return
	}
	if len(c.entries) >= maxEntries {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxEntries {
			c.entries = map[string]cacheEntry{}
			c.bypasses = 0
		}
	}
	c.entries[key] = cacheEntry{s: s, err: err, until: now.Add(ttl)}
}

// forget drops the answer for key and does not cache one for flowBypass.
// Self-service pages call it for whatever credentials a visitor sends, so
// bypass entries are capped on their own (maxBypass): made-up cookies
// cannot fill the cache and wipe the cached sessions of others. When the
// cap is reached the answer is only dropped, and the next one is cached
// again (a login then takes effect within a cached answer's lifetime).
func (c *sessionCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.real()
	if e, ok := c.entries[key]; ok && e.bypass {
		c.entries[key] = cacheEntry{until: now.Add(flowBypass), bypass: true}
		return
	}
	delete(c.entries, key)
	if c.bypasses >= maxBypass {
		c.bypasses = 0
		for k, e := range c.entries {
			switch {
			case !now.Before(e.until):
				delete(c.entries, k)
			case e.bypass:
				c.bypasses++
			}
		}
		if c.bypasses >= maxBypass {
			return
		}
	}
	c.entries[key] = cacheEntry{until: now.Add(flowBypass), bypass: true}
	c.bypasses++
}

// allow counts one uncached lookup for a client address and reports
// whether it is within the limit.
func (c *sessionCache) allow(client string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.real()
	w, ok := c.clients[client]
	if !ok || now.Sub(w.start) >= time.Minute {
		if len(c.clients) > maxEntries {
			c.clients = map[string]*window{}
		}
		w = &window{start: now}
		c.clients[client] = w
	}
	w.n++
	return w.n <= lookupsPerMinute
}

// drop removes every cached session for which gone says so (a device
// logged out from the settings page): it stops authenticating on this
// instance at once, elsewhere within a cached answer's lifetime.
func (c *sessionCache) drop(gone func(*auth.Session) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if e.s != nil && gone(e.s) {
			delete(c.entries, k)
		}
	}
}
