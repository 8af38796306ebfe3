// Package migrations holds the versioned schema steps. Each file
// YYYYMMDDHHMMSS_name.go registers one gormigrate migration whose ID is its
// file name. Run applies them in order; on Postgres it also (re)applies the
// row-level security policies and grants to the application role.
package migrations

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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

// migrateLock is the PostgreSQL advisory lock key every Run holds, so
// processes that start together (serve, seed, token create, several
// instances) migrate one after another instead of deadlocking in DDL.
const migrateLock int64 = 0x6d66_6d69_6772 // "mfmigr"

// Run applies pending migrations. On PostgreSQL it holds an advisory lock
// for the whole run, and it changes row-level security and grants only
// when they differ from what is in place: a start with nothing pending
// runs no DDL.
func Run(db *store.DB, o Options) error {
	sorted()
	ctx := store.System(context.Background(), "schema migration")
	if db.Dialect == store.Postgres {
		unlock, err := advisoryLock(ctx, db)
		if err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		defer unlock()
	}
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
		// On a Citus coordinator, tables not yet distributed are made
		// reference or distributed tables (docs/scaling.md).
		citus, err := isCitus(g)
		if err != nil {
			return err
		}
		if citus {
			if err := distribute(g, o.AppRole); err != nil {
				return err
			}
		}
	}
	return nil
}

var ident = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// advisoryLock takes the migration lock on a connection of its own (an
// advisory lock belongs to a session) and returns its release.
func advisoryLock(ctx context.Context, db *store.DB) (func(), error) {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return nil, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrateLock)
		_ = conn.Close()
	}, nil
}

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
	citus, err := isCitus(g)
	if err != nil {
		return err
	}
	plan, err := rlsPlan(tables, appRole, citus)
	if err != nil {
		return err
	}
	// The grants on all tables and sequences cover those that exist now, so
	// their names count too: a new global table is granted on the next run.
	var objects []string
	if err := g.Raw(`SELECT c.relkind::text || ':' || c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
		WHERE c.relkind IN ('r', 'p', 'S', 'v') ORDER BY 1`).Scan(&objects).Error; err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(strings.Join(plan, ";\n") + "\n-- objects: " + strings.Join(objects, ",")))
	fingerprint := hex.EncodeToString(sum[:])
	if ok, err := rlsInPlace(g, tables, fingerprint); err != nil || ok {
		return err
	}
	if err := rlsKeyRow(g); err != nil {
		return err
	}
	for _, s := range plan {
		if err := g.Exec(s).Error; err != nil {
			return fmt.Errorf("%w\n%s", err, s)
		}
	}
	return g.Exec(`INSERT INTO mf_private.rls_state (id, fingerprint) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`, fingerprint).Error
}

// rlsInPlace reports whether the row-level security and grants of the
// given fingerprint are in place: the fingerprint recorded by the last
// apply is the same (same tenant tables, policies, functions, grants, app
// role), and every tenant table still has RLS enabled and forced with its
// policy (so a table changed by hand is set right again). It only reads
// the catalog.
func rlsInPlace(g *gorm.DB, tables []string, fingerprint string) (bool, error) {
	var reg *string
	if err := g.Raw(`SELECT to_regclass('mf_private.rls_state')::text`).Scan(&reg).Error; err != nil {
		return false, err
	}
	if reg == nil {
		return false, nil
	}
	var have string
	if err := g.Raw(`SELECT fingerprint FROM mf_private.rls_state WHERE id = 1`).Scan(&have).Error; err != nil {
		return false, err
	}
	if have != fingerprint {
		return false, nil
	}
	var ok int64
	if err := g.Raw(`SELECT count(*) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
		WHERE c.relname IN ? AND c.relrowsecurity AND c.relforcerowsecurity
		AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')`, tables).Scan(&ok).Error; err != nil {
		return false, err
	}
	return ok == int64(len(tables)), nil
}

// rlsPlan is every statement that sets up row-level security and the app
// role's grants, in order. It is deterministic (no key material), so its
// hash tells whether what is in place is current.
//
// The policy calls the functions in a scalar subquery, so PostgreSQL runs
// them once per statement (an InitPlan) rather than once per row. Citus
// cannot send a policy with a subquery to its shards, so there it calls
// them directly (they are STABLE: still once per row, on the worker).
func rlsPlan(tables []string, appRole string, citus bool) ([]string, error) {
	plan := rlsFunctionsSQL()
	check := `tenant_id = (SELECT mf_private.tenant()) OR (SELECT mf_private.bypass())`
	if citus {
		check = `tenant_id = mf_private.tenant() OR mf_private.bypass()`
	}
	for _, t := range tables {
		if !ident.MatchString(t) {
			return nil, fmt.Errorf("bad table name %q", t)
		}
		plan = append(plan,
			fmt.Sprintf(`ALTER TABLE %s ENABLE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`ALTER TABLE %s FORCE ROW LEVEL SECURITY`, t),
			fmt.Sprintf(`DROP POLICY IF EXISTS tenant_isolation ON %s`, t),
			fmt.Sprintf(`CREATE POLICY tenant_isolation ON %s USING (%s) WITH CHECK (%s)`, t, check, check),
		)
	}
	if appRole != "" {
		if !ident.MatchString(appRole) {
			return nil, fmt.Errorf("bad app role name %q", appRole)
		}
		plan = append(plan,
			`GRANT USAGE ON SCHEMA public TO `+appRole,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO `+appRole,
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO `+appRole,
			`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM `+appRole,
			// The policies call the functions as the querying role: it may
			// run them (they only say yes or no), not read the key.
			`GRANT USAGE ON SCHEMA mf_private TO `+appRole,
			`GRANT EXECUTE ON FUNCTION mf_private.tenant(), mf_private.bypass() TO `+appRole,
			`REVOKE ALL ON mf_private.rls_key FROM `+appRole,
			`REVOKE ALL ON mf_private.rls_state FROM `+appRole,
		)
		// Insert-only tables (the load ledger): the app role may read and
		// add rows, never change or remove them.
		for _, t := range insertOnlyTables {
			plan = append(plan, `REVOKE UPDATE, DELETE, TRUNCATE ON `+t+` FROM `+appRole)
		}
	}
	return plan, nil
}

// insertOnlyTables lists the tables whose rows the app role may only
// insert and read (their migrations add them).
var insertOnlyTables []string

// InsertOnly lists the tables whose rows the app role may only insert and
// read. Their rows go when their tenant is removed (ON DELETE CASCADE, run
// with the table owner's rights); code that empties a tenant skips them.
func InsertOnly() []string { return append([]string(nil), insertOnlyTables...) }

// rlsKeyRow creates the private schema and its signing key (once, random).
func rlsKeyRow(g *gorm.DB) error {
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
	for _, s := range []string{
		`CREATE SCHEMA IF NOT EXISTS mf_private`,
		`REVOKE ALL ON SCHEMA mf_private FROM PUBLIC`,
		`CREATE TABLE IF NOT EXISTS mf_private.rls_key (id INT PRIMARY KEY CHECK (id = 1), k BYTEA NOT NULL, ipad BYTEA NOT NULL, opad BYTEA NOT NULL)`,
		`REVOKE ALL ON mf_private.rls_key FROM PUBLIC`,
		// What the last apply put in place (applyRLS).
		`CREATE TABLE IF NOT EXISTS mf_private.rls_state (id INT PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL)`,
		`REVOKE ALL ON mf_private.rls_state FROM PUBLIC`,
	} {
		if err := g.Exec(s).Error; err != nil {
			return fmt.Errorf("rls key: %w", err)
		}
	}
	if err := g.Exec(`INSERT INTO mf_private.rls_key (id, k, ipad, opad) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		key[:], ipad[:], opad[:]).Error; err != nil {
		return fmt.Errorf("rls key: %w", err)
	}
	return nil
}

// rlsFunctionsSQL creates the two functions the policies call.
func rlsFunctionsSQL() []string {
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
	return []string{
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
	}
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
