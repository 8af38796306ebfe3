// Package store opens the database (embedded SQLite by default, Postgres when
// configured) and enforces tenant scoping on every query against tenant tables.
package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNoTenant is returned by any operation on a tenant table whose context
// carries neither a tenant nor an explicit system bypass (fail closed).
var ErrNoTenant = errors.New("store: no tenant in context")

// ErrTenantMismatch is returned when a row handed to Create carries a tenant
// other than the one in the context.
var ErrTenantMismatch = errors.New("store: row belongs to another tenant")

type tenantKey struct{}
type systemKey struct{}

// WithTenant returns a context scoped to one tenant. Every query on a tenant
// table made with it is restricted to that tenant.
func WithTenant(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenantID)
}

// TenantID returns the tenant in ctx, if any.
func TenantID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(tenantKey{}).(string)
	return id, ok && id != ""
}

// System marks ctx as a deliberate cross-tenant operation (migrations, seeding,
// platform administration). It is the only bypass of tenant scoping and takes a
// reason so every use is greppable and explains itself.
func System(ctx context.Context, reason string) context.Context {
	if reason == "" {
		panic("store.System requires a reason")
	}
	return context.WithValue(ctx, systemKey{}, reason)
}

// IsSystem reports whether ctx carries a system bypass.
func IsSystem(ctx context.Context) bool {
	r, _ := ctx.Value(systemKey{}).(string)
	return r != ""
}

// TenantRow is embedded by every tenant-owned model: it declares the model's
// tenancy, so the store scopes every query, update and delete on it to the
// context's tenant and stamps creates, in any binary that links the store
// and the model. Its table has tenant_id as the first primary-key column.
type TenantRow struct {
	TenantID string `gorm:"primaryKey" json:"-"`
}

func (TenantRow) tenantOwned() {}

// TenantOwned is implemented by models that embed TenantRow.
type TenantOwned interface{ tenantOwned() }

var (
	tenantOwnedType = reflect.TypeOf((*TenantOwned)(nil)).Elem()
	ownedTypes      sync.Map // reflect.Type → bool
)

// ownedModel reports whether a model type declares its tenancy.
func ownedModel(t reflect.Type) bool {
	if v, ok := ownedTypes.Load(t); ok {
		return v.(bool)
	}
	owned := t.Implements(tenantOwnedType) || reflect.PointerTo(t).Implements(tenantOwnedType)
	ownedTypes.Store(t, owned)
	return owned
}

// catalog is the set of tenant-owned tables, read from the database itself:
// those whose primary key starts with tenant_id (the house rule). A
// statement that names such a table is scoped even without a model
// (tx.Table("listings")), so no table can be forgotten. Global tables that
// merely mention a tenant (tenant_domains) are not tenant-owned.
type catalog struct {
	mu     sync.RWMutex
	tables map[string]bool
}

func (c *catalog) has(name string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tables[name]
}

func (c *catalog) list() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.tables))
	for t := range c.tables {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// load reads the tables with a tenant_id column.
func (c *catalog) load(g *gorm.DB, d Dialect) error {
	q := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'tenant_id' AND p.pk = 1`
	if d == Postgres {
		q = `SELECT c.relname FROM pg_index i
			JOIN pg_class c ON c.oid = i.indrelid
			JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
			WHERE i.indisprimary AND a.attname = 'tenant_id' AND n.nspname = current_schema()`
	}
	var names []string
	if err := g.Raw(q).Scan(&names).Error; err != nil {
		return fmt.Errorf("store: read the tenant tables: %w", err)
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	c.mu.Lock()
	c.tables = m
	c.mu.Unlock()
	return nil
}

// TenantTables lists the tenant-owned tables (primary key (tenant_id, …)),
// as of the last RefreshCatalog (Open, and after migrations).
func (d *DB) TenantTables() []string { return d.catalog.list() }

// IsTenantTable reports whether name is a tenant-owned table.
func (d *DB) IsTenantTable(name string) bool { return d.catalog.has(name) }

// RefreshCatalog reads the tenant tables again (after migrations).
func (d *DB) RefreshCatalog() error { return d.catalog.load(d.Gorm, d.Dialect) }

// scoping is the GORM plugin that adds tenant_id to every statement on a
// tenant table and stamps it on create.
type scoping struct{ cat *catalog }

func (scoping) Name() string { return "masseflyt:tenant-scoping" }

func (s scoping) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	if err := cb.Create().Before("gorm:create").Register("masseflyt:tenant_create", s.stampTenant); err != nil {
		return err
	}
	if err := cb.Query().Before("gorm:query").Register("masseflyt:tenant_query", s.whereTenant); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register("masseflyt:tenant_update", s.updateTenant); err != nil {
		return err
	}
	if err := cb.Delete().Before("gorm:delete").Register("masseflyt:tenant_delete", s.whereTenant); err != nil {
		return err
	}
	if err := cb.Row().Before("gorm:row").Register("masseflyt:tenant_row", s.whereTenant); err != nil {
		return err
	}
	return registerGenerationHooks(db, s.owned)
}

// owned reports whether a statement works on a tenant-owned table: its
// model embeds TenantRow, or its table has a tenant_id column.
func (s scoping) owned(db *gorm.DB) (string, bool) {
	table := statementTable(db)
	if sc := db.Statement.Schema; sc != nil && ownedModel(sc.ModelType) {
		return table, true
	}
	return table, table != "" && s.cat.has(table)
}

func statementTable(db *gorm.DB) string {
	if db.Statement.Table != "" {
		// Table("loads l") or Table("loads AS l"): gorm names the
		// statement's table by its alias; the catalog knows the table.
		// The tenant condition is still written on the alias.
		if e := db.Statement.TableExpr; e != nil {
			if f := strings.Fields(e.SQL); len(f) >= 2 && f[len(f)-1] == db.Statement.Table {
				return f[0]
			}
		}
		return db.Statement.Table
	}
	if db.Statement.Schema != nil {
		return db.Statement.Schema.Table
	}
	return ""
}

func (s scoping) whereTenant(db *gorm.DB) {
	if db.Error != nil {
		return
	}
	table, ok := s.owned(db)
	if !ok {
		return
	}
	ctx := db.Statement.Context
	tid, ok := TenantID(ctx)
	if !ok {
		if IsSystem(ctx) {
			return
		}
		_ = db.AddError(ErrNoTenant)
		return
	}
	if db.Statement.Table != "" {
		table = db.Statement.Table // the alias, when the table has one
	}
	db.Statement.AddClause(clause.Where{Exprs: []clause.Expression{
		clause.Eq{Column: clause.Column{Table: table, Name: "tenant_id"}, Value: tid},
	}})
}

// updateTenant scopes an update to the tenant and never sets tenant_id: a
// row stays in its tenant (and on its shard, where tenant_id is the
// distribution column that Citus refuses to change). A struct or map that
// names tenant_id updates everything else.
func (s scoping) updateTenant(db *gorm.DB) {
	s.whereTenant(db)
	if db.Error != nil {
		return
	}
	if _, ok := s.owned(db); ok {
		db.Statement.Omits = append(db.Statement.Omits, "tenant_id")
	}
}

func (s scoping) stampTenant(db *gorm.DB) {
	if db.Error != nil {
		return
	}
	if _, ok := s.owned(db); !ok {
		return
	}
	ctx := db.Statement.Context
	tid, ok := TenantID(ctx)
	if !ok && !IsSystem(ctx) {
		_ = db.AddError(ErrNoTenant)
		return
	}
	rv := db.Statement.ReflectValue
	set := func(v reflect.Value) {
		for v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			_ = db.AddError(errors.New("store: tenant rows must be structs"))
			return
		}
		f := v.FieldByName("TenantID")
		if !f.IsValid() || f.Kind() != reflect.String {
			_ = db.AddError(errors.New("store: tenant table model lacks TenantID"))
			return
		}
		cur := f.String()
		switch {
		case ok && cur == "":
			f.SetString(tid)
		case ok && cur != tid:
			_ = db.AddError(ErrTenantMismatch)
		case !ok && cur == "":
			_ = db.AddError(ErrNoTenant)
		}
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			set(rv.Index(i))
		}
	default:
		set(rv)
	}
}

// AllTenants is System with any tenant in ctx removed: the operation sees every
// tenant's rows (e.g. finding an API token by its hash before checking which
// tenant it belongs to).
func AllTenants(ctx context.Context, reason string) context.Context {
	return System(context.WithValue(ctx, tenantKey{}, ""), reason)
}
