package store

import (
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// Generations count writes per tenant so read caches can tell when their
// entry is stale. A write through GORM to a tenant table bumps its tenant's
// generation (a system-wide write bumps every tenant's, via the global
// counter); deletes also bump a separate delete generation, for caches that
// otherwise update incrementally by updated_at. Counters are per process;
// caches also expire entries after a short TTL so other instances' writes
// are seen soon.
var (
	gens      sync.Map // tenant ID → *atomic.Uint64
	dels      sync.Map // tenant ID → *atomic.Uint64 (deletes only)
	global    atomic.Uint64
	globalDel atomic.Uint64
)

func counterIn(m *sync.Map, tenantID string) *atomic.Uint64 {
	if c, ok := m.Load(tenantID); ok {
		return c.(*atomic.Uint64)
	}
	c, _ := m.LoadOrStore(tenantID, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

func bump(db *gorm.DB, del bool, owned func(*gorm.DB) (string, bool)) {
	if db.Error != nil || db.Statement.RowsAffected == 0 {
		return
	}
	if _, ok := owned(db); !ok {
		return
	}
	if tid, ok := TenantID(db.Statement.Context); ok {
		counterIn(&gens, tid).Add(1)
		if del {
			counterIn(&dels, tid).Add(1)
		}
		return
	}
	global.Add(1)
	if del {
		globalDel.Add(1)
	}
}

// Gen identifies a state of a tenant's data in this process.
type Gen struct{ Tenant, Global uint64 }

// Generation returns a value that changes whenever the tenant's data (or
// any tenant's, through a system write) changes in this process.
func Generation(tenantID string) Gen {
	return Gen{Tenant: counterIn(&gens, tenantID).Load(), Global: global.Load()}
}

// DeleteGeneration changes whenever rows of the tenant are deleted in this process.
func DeleteGeneration(tenantID string) Gen {
	return Gen{Tenant: counterIn(&dels, tenantID).Load(), Global: globalDel.Load()}
}

// BumpGeneration marks a tenant's data as changed (for writes GORM does not
// see, such as raw SQL).
func BumpGeneration(tenantID string) { counterIn(&gens, tenantID).Add(1) }

func registerGenerationHooks(db *gorm.DB, owned func(*gorm.DB) (string, bool)) error {
	cb := db.Callback()
	if err := cb.Create().After("gorm:create").Register("masseflyt:gen_create", func(db *gorm.DB) { bump(db, false, owned) }); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register("masseflyt:gen_update", func(db *gorm.DB) { bump(db, false, owned) }); err != nil {
		return err
	}
	return cb.Delete().After("gorm:delete").Register("masseflyt:gen_delete", func(db *gorm.DB) { bump(db, true, owned) })
}
