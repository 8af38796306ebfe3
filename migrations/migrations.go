// Package migrations holds the versioned schema steps. Each file
// YYYYMMDDHHMMSS_name.go registers one gormigrate migration whose ID is its
// file name. Run applies them in order; on Postgres it also (re)applies the
// row-level security policies and grants to the application role.
package migrations

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"sort"
	"strconv"
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

// applyRLS enables and forces row-level security on every tenant table, and
// grants the app role what it needs. It is idempotent and runs after every
// migration.
//
// The policies do not trust a setting the app role can make: a
// transaction's app.tenant_id and app.bypass count only with app.sig, an
// HMAC over them and a nonce keyed with a secret in the mf_private schema,
// which only the owner can read (the store reads it through the owner
// connection; see core/store/rls.go). mf_private.tenant() and
// mf_private.bypass() check it as SECURITY DEFINER functions owned by the
// owner. The owner itself (migrations) may bypass.
func applyRLS(g *gorm.DB, tables []string, appRole string) error {
	if err := rlsFunctions(g); err != nil {
		return err
	}
	for _, t := range tables {
		if !ident.MatchString(t) {
			return fmt.Errorf("bad table name %q", t)
		}
		stmts := []string{
			fmt.Sprintf(`ALTER TABLE %s ENABLE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`ALTER TABLE %s FORCE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`DROP POLICY IF EXISTS tenant_isolation ON %s`, t),
			fmt.Sprintf(`CREATE POLICY tenant_isolation ON %s
				USING (tenant_id = (SELECT mf_private.tenant()) OR (SELECT mf_private.bypass()))
				WITH CHECK (tenant_id = (SELECT mf_private.tenant()) OR (SELECT mf_private.bypass()))`, t),
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
			// The policies call the functions as the querying role: it may
			// run them (they only say yes or no), not read the key.
			`GRANT USAGE ON SCHEMA mf_private TO ` + appRole,
			`GRANT EXECUTE ON FUNCTION mf_private.tenant(), mf_private.bypass() TO ` + appRole,
			`REVOKE ALL ON mf_private.rls_key FROM ` + appRole,
		} {
			if err := g.Exec(s).Error; err != nil {
				return fmt.Errorf("grant: %w", err)
			}
		}
		// Insert-only tables (the load ledger): the app role may read and
		// add rows, never change or remove them.
		for _, t := range insertOnlyTables {
			if err := g.Exec(`REVOKE UPDATE, DELETE, TRUNCATE ON ` + t + ` FROM ` + appRole).Error; err != nil {
				return fmt.Errorf("grant: %w", err)
			}
		}
	}
	return nil
}

// insertOnlyTables lists the tables whose rows the app role may only
// insert and read (their migrations add them).
var insertOnlyTables []string

// InsertOnly lists the tables whose rows the app role may only insert and
// read. Their rows go when their tenant is removed (ON DELETE CASCADE, run
// with the table owner's rights); code that empties a tenant skips them.
func InsertOnly() []string { return append([]string(nil), insertOnlyTables...) }

// rlsFunctions creates the private schema, its signing key (once, random)
// and the two functions the policies call.
func rlsFunctions(g *gorm.DB) error {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return err
	}
	// HMAC-SHA256 with a 32-byte key: the key zero-padded to the 64-byte
	// block, XORed with the inner and outer pads, is what SQL hashes.
	var ipad, opad [64]byte
	for i := range ipad {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		ipad[i], opad[i] = k^0x36, k^0x5c
	}
	// The nonce starts with the Unix time it was made: a signature is good
	// for store.RLSWindow seconds either way of the database's clock.
	verify := `mf_private.rls_key k WHERE k.id = 1
		AND (CASE WHEN coalesce(current_setting('app.nonce', true), '') ~ '^[0-9]{1,12}[.]'
			THEN abs(extract(epoch FROM now()) - split_part(current_setting('app.nonce', true), '.', 1)::double precision) < ` + strconv.Itoa(store.RLSWindow) + `
			ELSE false END)
		AND current_setting('app.sig', true) = encode(sha256(k.opad || sha256(k.ipad || convert_to(
			coalesce(current_setting('app.tenant_id', true), '') || '|' ||
			coalesce(current_setting('app.bypass', true), '') || '|' ||
			coalesce(current_setting('app.nonce', true), ''), 'UTF8'))), 'hex')`
	for _, s := range []string{
		`CREATE SCHEMA IF NOT EXISTS mf_private`,
		`REVOKE ALL ON SCHEMA mf_private FROM PUBLIC`,
		`CREATE TABLE IF NOT EXISTS mf_private.rls_key (id INT PRIMARY KEY CHECK (id = 1), k BYTEA NOT NULL, ipad BYTEA NOT NULL, opad BYTEA NOT NULL)`,
		`REVOKE ALL ON mf_private.rls_key FROM PUBLIC`,
	} {
		if err := g.Exec(s).Error; err != nil {
			return fmt.Errorf("rls key: %w", err)
		}
	}
	if err := g.Exec(`INSERT INTO mf_private.rls_key (id, k, ipad, opad) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		key[:], ipad[:], opad[:]).Error; err != nil {
		return fmt.Errorf("rls key: %w", err)
	}
	for _, s := range []string{
		// The tenant the transaction stated, if it signed it; else NULL
		// (no row matches).
		`CREATE OR REPLACE FUNCTION mf_private.tenant() RETURNS TEXT
			LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
			SELECT nullif(current_setting('app.tenant_id', true), '') FROM ` + verify + `
			$$`,
		// True for the owner (migrations), and for a transaction that
		// signed app.bypass = on (system work through store.System).
		`CREATE OR REPLACE FUNCTION mf_private.bypass() RETURNS BOOLEAN
			LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
			SELECT session_user::text = (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'mf_private')
				OR coalesce((SELECT current_setting('app.bypass', true) = 'on' FROM ` + verify + `), false)
			$$`,
		`REVOKE ALL ON FUNCTION mf_private.tenant(), mf_private.bypass() FROM PUBLIC`,
	} {
		if err := g.Exec(s).Error; err != nil {
			return fmt.Errorf("rls functions: %w", err)
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
