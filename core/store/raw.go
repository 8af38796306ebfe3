package store

import (
	"fmt"
	"regexp"
	"strings"

	"gorm.io/gorm"
)

var identifier = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// Raw is the one way to run hand-written SQL outside migrations. SQL that
// names a tenant table must filter it with the named parameter @tenant,
// which Raw binds to the context's tenant; without a tenant (and without
// store.System) it fails closed. GORM's scoping cannot see inside raw SQL,
// so this check stands in for it; on Postgres RLS is the second wall.
func Raw(tx *gorm.DB, sql string, args map[string]any) *gorm.DB {
	if args == nil {
		args = map[string]any{}
	}
	var cat *catalog
	if p, ok := tx.Config.Plugins[scoping{}.Name()].(scoping); ok {
		cat = p.cat
	}
	if cat == nil {
		_ = tx.AddError(fmt.Errorf("store: Raw needs a database opened by store.Open"))
		return tx
	}
	ctx := tx.Statement.Context
	for _, name := range identifier.FindAllString(sql, -1) {
		if !cat.has(strings.ToLower(name)) {
			continue
		}
		tid, ok := TenantID(ctx)
		switch {
		case ok && !strings.Contains(sql, "@tenant"):
			_ = tx.AddError(fmt.Errorf("store: raw SQL on tenant table %s must filter tenant_id = @tenant", name))
			return tx
		case ok:
			args["tenant"] = tid
		case !IsSystem(ctx):
			_ = tx.AddError(ErrNoTenant)
			return tx
		}
		break
	}
	if len(args) == 0 {
		return tx.Raw(sql)
	}
	return tx.Raw(sql, args)
}
