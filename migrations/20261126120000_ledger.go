package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The tamper-evident load ledger (issue 13, K9 point 3): one hash chain of
// signed entries per agreement (ledger_entries; created_at is the entry's
// server time, ServerAt in Go), the head of each chain
// (ledger_heads, locked by an append so two appends never fork a chain),
// the signed daily Merkle roots per tenant (ledger_roots) and the
// platform's public signing keys (ledger_keys, never deleted).
//
// ledger_entries and ledger_roots are insert-only: a trigger refuses
// UPDATE always and DELETE while the row's tenant exists (removing a
// tenant cascades: that is the one documented exception), and on Postgres
// the app role is granted only SELECT and INSERT on them (ledgerGrants,
// applied after every migration run). The owner can still disable the
// trigger deliberately (ALTER TABLE … DISABLE TRIGGER): that is what the
// tampering tests do, and what Verify detects.
func init() {
	insertOnlyTables = append(insertOnlyTables, "ledger_entries", "ledger_roots")
	register(&gormigrate.Migration{
		ID: "20261126120000_ledger",
		Migrate: func(tx *gorm.DB) error {
			if err := execAll(tx,
				`CREATE TABLE ledger_keys (
					key_id TEXT PRIMARY KEY,
					public_key TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					retired_at {{ts}}
				)`,
				`CREATE TABLE ledger_heads (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					chain TEXT NOT NULL,
					seq INTEGER NOT NULL,
					hash TEXT NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, chain)
				)`,
				`CREATE TABLE ledger_entries (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					chain TEXT NOT NULL,
					seq INTEGER NOT NULL,
					kind TEXT NOT NULL,
					load_id TEXT NOT NULL DEFAULT '',
					actor_id TEXT NOT NULL DEFAULT '',
					org_id TEXT NOT NULL DEFAULT '',
					vehicle_id TEXT NOT NULL DEFAULT '',
					lat {{float}},
					lon {{float}},
					device_at {{ts}},
					created_at {{ts}} NOT NULL,
					data TEXT NOT NULL,
					prev_hash TEXT NOT NULL,
					hash TEXT NOT NULL,
					key_id TEXT NOT NULL REFERENCES ledger_keys(key_id),
					signature TEXT NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, chain, seq)
				)`,
				`CREATE INDEX ledger_entries_day ON ledger_entries(tenant_id, created_at, id)`,
				`CREATE INDEX ledger_entries_load ON ledger_entries(tenant_id, load_id)`,
				`CREATE TABLE ledger_roots (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					day TEXT NOT NULL,
					size INTEGER NOT NULL,
					root TEXT NOT NULL,
					key_id TEXT NOT NULL REFERENCES ledger_keys(key_id),
					signature TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, day)
				)`,
			); err != nil {
				return err
			}
			if tx.Dialector.Name() == "postgres" {
				return execAll(tx,
					`CREATE OR REPLACE FUNCTION ledger_insert_only() RETURNS trigger
						LANGUAGE plpgsql AS $$
						BEGIN
							IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
								RETURN OLD; -- the tenant is being removed: its ledger goes with it
							END IF;
							RAISE EXCEPTION 'ledger rows are insert-only (% on %)', TG_OP, TG_TABLE_NAME
								USING ERRCODE = 'insufficient_privilege';
						END $$`,
					`CREATE TRIGGER ledger_entries_insert_only BEFORE UPDATE OR DELETE ON ledger_entries
						FOR EACH ROW EXECUTE FUNCTION ledger_insert_only()`,
					`CREATE TRIGGER ledger_roots_insert_only BEFORE UPDATE OR DELETE ON ledger_roots
						FOR EACH ROW EXECUTE FUNCTION ledger_insert_only()`,
				)
			}
			return execAll(tx,
				`CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
					BEGIN SELECT RAISE(ABORT, 'ledger rows are insert-only (UPDATE on ledger_entries)'); END`,
				`CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
					WHEN EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id)
					BEGIN SELECT RAISE(ABORT, 'ledger rows are insert-only (DELETE on ledger_entries)'); END`,
				`CREATE TRIGGER ledger_roots_no_update BEFORE UPDATE ON ledger_roots
					BEGIN SELECT RAISE(ABORT, 'ledger rows are insert-only (UPDATE on ledger_roots)'); END`,
				`CREATE TRIGGER ledger_roots_no_delete BEFORE DELETE ON ledger_roots
					WHEN EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id)
					BEGIN SELECT RAISE(ABORT, 'ledger rows are insert-only (DELETE on ledger_roots)'); END`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE ledger_roots`, `DROP TABLE ledger_entries`, `DROP TABLE ledger_heads`, `DROP TABLE ledger_keys`)
		},
	})
}
