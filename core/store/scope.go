// Package store opens the database (embedded SQLite by default, Postgres when
// configured) and enforces tenant scoping on every query against tenant tables.
package store

import (
	"context"
	"errors"
	"reflect"
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

var (
	tenantTablesMu sync.RWMutex
	tenantTables   = map[string]bool{}
)

// RegisterTenantTable declares a table as tenant-owned: it has a tenant_id
// column that is part of its primary key, and the scoping plugin guards it.
func RegisterTenantTable(names ...string) {
	tenantTablesMu.Lock()
	defer tenantTablesMu.Unlock()
	for _, n := range names {
		tenantTables[n] = true
	}
}

// TenantTables lists the registered tenant tables.
func TenantTables() []string {
	tenantTablesMu.RLock()
	defer tenantTablesMu.RUnlock()
	out := make([]string, 0, len(tenantTables))
	for t := range tenantTables {
		out = append(out, t)
	}
	return out
}

// IsTenantTable reports whether name is a registered tenant table.
func IsTenantTable(name string) bool {
	tenantTablesMu.RLock()
	defer tenantTablesMu.RUnlock()
	return tenantTables[name]
}

// scoping is the GORM plugin that adds tenant_id to every statement on a
// tenant table and stamps it on create.
type scoping struct{}

func (scoping) Name() string { return "masseflyt:tenant-scoping" }

func (scoping) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	if err := cb.Create().Before("gorm:create").Register("masseflyt:tenant_create", stampTenant); err != nil {
		return err
	}
	if err := cb.Query().Before("gorm:query").Register("masseflyt:tenant_query", whereTenant); err != nil {
		return err
	}
	if err := cb.Update().Before("gorm:update").Register("masseflyt:tenant_update", whereTenant); err != nil {
		return err
	}
	if err := cb.Delete().Before("gorm:delete").Register("masseflyt:tenant_delete", whereTenant); err != nil {
		return err
	}
	if err := cb.Row().Before("gorm:row").Register("masseflyt:tenant_row", whereTenant); err != nil {
		return err
	}
	return registerGenerationHooks(db)
}

func statementTable(db *gorm.DB) string {
	if db.Statement.Table != "" {
		return db.Statement.Table
	}
	if db.Statement.Schema != nil {
		return db.Statement.Schema.Table
	}
	return ""
}

func whereTenant(db *gorm.DB) {
	if db.Error != nil {
		return
	}
	table := statementTable(db)
	if !IsTenantTable(table) {
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
	db.Statement.AddClause(clause.Where{Exprs: []clause.Expression{
		clause.Eq{Column: clause.Column{Table: table, Name: "tenant_id"}, Value: tid},
	}})
}

func stampTenant(db *gorm.DB) {
	if db.Error != nil {
		return
	}
	table := statementTable(db)
	if !IsTenantTable(table) {
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
