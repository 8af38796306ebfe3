package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Production identity (issue 11): a user's e-mail counts only once the
// identity provider verified it, and a verified address belongs to one user
// (users.verified_email, unique; NULL while unverified). Roles can wait for
// an address in an invitation: a region's (a tenant row) or the platform's
// (global). At most one open invitation per address and role.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126070000_identity",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE users ADD COLUMN verified_email TEXT`,
				`CREATE UNIQUE INDEX users_verified_email ON users(verified_email)`,
				`CREATE INDEX users_email ON users(email)`,
				`CREATE TABLE invitations (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					email TEXT NOT NULL,
					role TEXT NOT NULL,
					invited_by TEXT NOT NULL DEFAULT '',
					locale TEXT NOT NULL DEFAULT 'nb',
					created_at {{ts}} NOT NULL,
					expires_at {{ts}} NOT NULL,
					accepted_at {{ts}},
					accepted_by TEXT NOT NULL DEFAULT '',
					revoked_at {{ts}},
					PRIMARY KEY (tenant_id, id)
				)`,
				`CREATE UNIQUE INDEX invitations_open ON invitations(tenant_id, email, role) WHERE accepted_at IS NULL AND revoked_at IS NULL`,
				`CREATE INDEX invitations_email ON invitations(email)`,
				`CREATE TABLE platform_invitations (
					id TEXT PRIMARY KEY,
					email TEXT NOT NULL,
					role TEXT NOT NULL,
					invited_by TEXT NOT NULL DEFAULT '',
					locale TEXT NOT NULL DEFAULT 'nb',
					created_at {{ts}} NOT NULL,
					expires_at {{ts}} NOT NULL,
					accepted_at {{ts}},
					accepted_by TEXT NOT NULL DEFAULT '',
					revoked_at {{ts}}
				)`,
				`CREATE UNIQUE INDEX platform_invitations_open ON platform_invitations(email, role) WHERE accepted_at IS NULL AND revoked_at IS NULL`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE platform_invitations`, `DROP TABLE invitations`,
				`DROP INDEX users_email`, `DROP INDEX users_verified_email`)
		},
	})
}
