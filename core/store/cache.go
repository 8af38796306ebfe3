package store

import (
	"sync"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
)

// Cache holds derived values (rendered responses, lookups) per key, valid
// while the tenant's generation is unchanged and for at most TTL (so writes
// on other instances are seen within TTL).
type Cache[V any] struct {
	TTL time.Duration
	Max int

	mu sync.RWMutex
	m  map[string]cacheEntry[V]
}

type cacheEntry[V any] struct {
	gen Gen
	exp time.Time
	val V
}

// NewCache returns a cache of at most max entries.
func NewCache[V any](ttl time.Duration, max int) *Cache[V] {
	return &Cache[V]{TTL: ttl, Max: max, m: map[string]cacheEntry[V]{}}
}

// Get returns the value for key if it was stored at generation gen and has not expired.
func (c *Cache[V]) Get(key string, gen Gen) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || e.gen != gen || clock.Real().After(e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Put stores a value computed at generation gen.
func (c *Cache[V]) Put(key string, gen Gen, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.Max {
		now := clock.Real()
		for k, e := range c.m { // drop expired entries; if none, start over
			if now.After(e.exp) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.Max {
			c.m = map[string]cacheEntry[V]{}
		}
	}
	c.m[key] = cacheEntry[V]{gen: gen, exp: clock.Real().Add(c.TTL), val: v}
}

// Delete forgets key.
func (c *Cache[V]) Delete(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// DeleteFunc forgets every entry whose value matches.
func (c *Cache[V]) DeleteFunc(match func(V) bool) {
	c.mu.Lock()
	for k, e := range c.m {
		if match(e.val) {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}
