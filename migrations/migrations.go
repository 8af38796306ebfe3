// Package migrations holds the versioned schema steps. Each file
// YYYYMMDDHHMMSS_name.go registers one gormigrate migration whose ID is its
// file name. Run applies them in order; on Postgres it also (re)applies the
// row-level security policies and grants to the application role.
package migrations

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

var all []*gormigrate.Migration

func register(m *gormigrate.Migration) { all = append(all, m) }

// IDs lists the registered migration IDs in order.
func IDs() []string {
	sorted()
	ids := make([]string, len(all))
	for i, m := range all {
		ids[i] = m.ID
	}
	return ids
}

func sorted() {
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
}

// Options for Run.
type Options struct {
	// AppRole is the Postgres role the application connects as. When set,
	// Run grants it DML rights; it must not own the tables (RLS is FORCEd,
	// but a non-owner also cannot ALTER or DISABLE it).
	AppRole string
}

// Run applies pending migrations.
func Run(db *store.DB, o Options) error {
	sorted()
	ctx := store.System(context.Background(), "schema migration")
	g := db.Gorm.WithContext(ctx)
	m := gormigrate.New(g, &gormigrate.Options{
		TableName:                 "schema_migrations",
		IDColumnName:              "id",
		IDColumnSize:              255,
		UseTransaction:            db.Dialect == store.Postgres,
		ValidateUnknownMigrations: false,
	}, all)
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// The tenant tables are those whose primary key starts with tenant_id,
	// read from the schema just migrated: a new table gets scoping and RLS
	// by having one.
	if err := db.RefreshCatalog(); err != nil {
		return err
	}
	if db.Dialect == store.Postgres {
		if err := applyRLS(g, db.TenantTables(), o.AppRole); err != nil {
			return fmt.Errorf("row-level security: %w", err)
		}
	}
	return nil
}

var ident = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// applyRLS enables and forces row-level security on every tenant table with a
// policy on the transaction-local setting app.tenant_id, and grants the app
// role what it needs. It is idempotent and runs after every migration.
func applyRLS(g *gorm.DB, tables []string, appRole string) error {
	for _, t := range tables {
		if !ident.MatchString(t) {
			return fmt.Errorf("bad table name %q", t)
		}
		stmts := []string{
			fmt.Sprintf(`ALTER TABLE %s ENABLE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`ALTER TABLE %s FORCE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`DROP POLICY IF EXISTS tenant_isolation ON %s`, t),
			fmt.Sprintf(`CREATE POLICY tenant_isolation ON %s
				USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.bypass', true) = 'on')
				WITH CHECK (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.bypass', true) = 'on')`, t),
		}
		for _, s := range stmts {
			if err := g.Exec(s).Error; err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
	}
	if appRole != "" {
		if !ident.MatchString(appRole) {
			return fmt.Errorf("bad app role name %q", appRole)
		}
		for _, s := range []string{
			`GRANT USAGE ON SCHEMA public TO ` + appRole,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + appRole,
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + appRole,
			`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ` + appRole,
		} {
			if err := g.Exec(s).Error; err != nil {
				return fmt.Errorf("grant: %w", err)
			}
		}
	}
	return nil
}

// ddl renders dialect placeholders in a schema statement.
func ddl(tx *gorm.DB, s string) string {
	pg := tx.Dialector.Name() == "postgres"
	r := map[string][2]string{
		"{{ts}}":     {"TIMESTAMP", "TIMESTAMPTZ"},
		"{{float}}":  {"REAL", "DOUBLE PRECISION"},
		"{{blob}}":   {"BLOB", "BYTEA"},
		"{{autoid}}": {"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY"},
	}
	for k, v := range r {
		if pg {
			s = strings.ReplaceAll(s, k, v[1])
		} else {
			s = strings.ReplaceAll(s, k, v[0])
		}
	}
	return s
}

func execAll(tx *gorm.DB, stmts ...string) error {
	for _, s := range stmts {
		if err := tx.Exec(ddl(tx, s)).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return nil
}
