package store

import (
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// Generations count writes per tenant so read caches can tell when their
// entry is stale. A write through GORM to a tenant table bumps its tenant's
// generation (a system-wide write bumps every tenant's, via the global
// counter). Counters are per process; caches also expire entries after a
// short TTL so other instances' writes are seen soon.
var (
	genMu   sync.Mutex
	gens    sync.Map // tenant ID → *atomic.Uint64
	global  atomic.Uint64
	genHook = func(db *gorm.DB) {
		if db.Error != nil || db.Statement.RowsAffected == 0 {
			return
		}
		if !IsTenantTable(statementTable(db)) {
			return
		}
		if tid, ok := TenantID(db.Statement.Context); ok {
			counter(tid).Add(1)
			return
		}
		global.Add(1)
	}
)

func counter(tenantID string) *atomic.Uint64 {
	if c, ok := gens.Load(tenantID); ok {
		return c.(*atomic.Uint64)
	}
	genMu.Lock()
	defer genMu.Unlock()
	c, _ := gens.LoadOrStore(tenantID, new(atomic.Uint64))
	return c.(*atomic.Uint64)
}

// Gen identifies a state of a tenant's data in this process.
type Gen struct{ Tenant, Global uint64 }

// Generation returns a value that changes whenever the tenant's data (or
// any tenant's, through a system write) changes in this process.
func Generation(tenantID string) Gen {
	return Gen{Tenant: counter(tenantID).Load(), Global: global.Load()}
}

// BumpGeneration marks a tenant's data as changed (for writes GORM does not
// see, such as raw SQL).
func BumpGeneration(tenantID string) { counter(tenantID).Add(1) }

func registerGenerationHooks(db *gorm.DB) error {
	cb := db.Callback()
	if err := cb.Create().After("gorm:create").Register("masseflyt:gen_create", genHook); err != nil {
		return err
	}
	if err := cb.Update().After("gorm:update").Register("masseflyt:gen_update", genHook); err != nil {
		return err
	}
	return cb.Delete().After("gorm:delete").Register("masseflyt:gen_delete", genHook)
}
