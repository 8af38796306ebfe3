package seed

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/migrations"
	"github.com/masseflyt/masseflyt/tenants"
)

// undo removes a tenant this run created moments ago, with every row the
// seed gave it (all tenant tables, the outbox included) and the roles it
// granted: the domain refused a row, and a half-seeded region must not
// stay. Nothing else can refer to the tenant yet. Tables are emptied in
// passes, so a row is deleted after the rows that refer to it whatever the
// foreign keys.
func (r *run) undo(t *tenants.Tenant, assigned []assignment) error {
	for _, a := range assigned {
		if err := r.s.Roles.Unassign(a.userID, a.role, t.ID); err != nil {
			return err
		}
	}
	ctx := store.WithTenant(store.System(r.ctx, "seed: remove a half-seeded tenant"), t.ID)
	var left []string
	for _, table := range r.s.DB.TenantTables() {
		// Insert-only tables (the load ledger) go with the tenant row.
		if !slices.Contains(migrations.InsertOnly(), table) {
			left = append(left, table)
		}
	}
	for pass := 0; len(left) > 0; pass++ {
		var again []string
		var last error
		for _, table := range left {
			err := r.s.DB.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Table(table).Where("tenant_id = ?", t.ID).Delete(map[string]any{}).Error
			})
			if err != nil {
				again, last = append(again, table), err
			}
		}
		if pass > len(left) && len(again) == len(left) {
			return fmt.Errorf("empty %v: %w", again, last)
		}
		left = again
	}
	// The tenant itself, as tenants.Registry.CreateWithAdmin undoes a
	// failed grant.
	return removeTenant(context.WithoutCancel(r.ctx), r.s, t)
}

// removeTenant deletes the emptied tenant and its domains and reloads the
// registry.
func removeTenant(ctx context.Context, s Services, t *tenants.Tenant) error {
	sys := store.System(ctx, "seed: remove a half-seeded tenant")
	err := s.DB.Tx(sys, func(tx *gorm.DB) error {
		if err := tx.Where("tenant_id = ?", t.ID).Delete(&tenants.Domain{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", t.ID).Delete(&tenants.Tenant{}).Error
	})
	if err != nil {
		return err
	}
	return s.Tenants.Load(ctx)
}
