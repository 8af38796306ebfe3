package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// API tokens are unique per tenant and hash (issue 17): a token is looked up
// with the request's tenant and its hash, and a distributed database can
// only enforce a uniqueness that includes the distribution column. SQLite
// cannot drop an inline constraint, so there the table is rebuilt.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126124000_token_tenant_hash",
		Migrate: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "postgres" {
				return execAll(tx,
					`ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_token_hash_key`,
					`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_tenant_hash UNIQUE (tenant_id, token_hash)`,
				)
			}
			// One transaction: SQLite's DDL is transactional, and a rebuild
			// stopped between DROP and RENAME must not lose the tokens.
			return tx.Transaction(func(tx *gorm.DB) error {
				return execAll(tx,
					`CREATE TABLE api_tokens_new (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					name TEXT NOT NULL,
					token_hash TEXT NOT NULL,
					prefix TEXT NOT NULL,
					scopes TEXT NOT NULL,
					expires_at {{ts}} NOT NULL,
					revoked_at {{ts}},
					last_used_at {{ts}},
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, token_hash)
				)`,
					`INSERT INTO api_tokens_new (tenant_id, id, user_id, name, token_hash, prefix, scopes, expires_at, revoked_at, last_used_at, created_at)
					SELECT tenant_id, id, user_id, name, token_hash, prefix, scopes, expires_at, revoked_at, last_used_at, created_at FROM api_tokens`,
					`DROP TABLE api_tokens`,
					`ALTER TABLE api_tokens_new RENAME TO api_tokens`,
				)
			})
		},
		Rollback: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "postgres" {
				return execAll(tx,
					`ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_tenant_hash`,
					`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)`,
				)
			}
			return nil
		},
	})
}
