package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Representations can be ended (M12), and a rejected or ended request can
// be made again: every request is its own row, so an organization's
// memberships are its history (who asked, who decided and when, who ended
// it and when). Only one open request or representation (pending or
// approved) per user and organization.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126061000_membership_history",
		Migrate: func(tx *gorm.DB) error {
			if tx.Dialector.Name() == "postgres" {
				return execAll(tx,
					`ALTER TABLE memberships ADD COLUMN ended_by TEXT NOT NULL DEFAULT ''`,
					`ALTER TABLE memberships ADD COLUMN ended_at TIMESTAMPTZ`,
					`ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_tenant_id_user_id_organization_id_key`,
					`CREATE UNIQUE INDEX memberships_open ON memberships(tenant_id, user_id, organization_id) WHERE status IN ('pending', 'approved')`,
					`CREATE INDEX memberships_org_created ON memberships(tenant_id, organization_id, created_at)`)
			}
			// SQLite cannot drop a table's UNIQUE constraint: rebuild it.
			return execAll(tx,
				`CREATE TABLE memberships_new (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					organization_id TEXT NOT NULL,
					role TEXT NOT NULL,
					status TEXT NOT NULL DEFAULT 'pending',
					message TEXT NOT NULL DEFAULT '',
					decided_by TEXT NOT NULL DEFAULT '',
					decided_at {{ts}},
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					ended_by TEXT NOT NULL DEFAULT '',
					ended_at {{ts}},
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`INSERT INTO memberships_new (tenant_id, id, user_id, organization_id, role, status, message, decided_by, decided_at, created_at, updated_at)
					SELECT tenant_id, id, user_id, organization_id, role, status, message, decided_by, decided_at, created_at, updated_at FROM memberships`,
				`DROP TABLE memberships`,
				`ALTER TABLE memberships_new RENAME TO memberships`,
				`CREATE INDEX memberships_user ON memberships(tenant_id, user_id)`,
				`CREATE INDEX memberships_org_status ON memberships(tenant_id, organization_id, status)`,
				`CREATE UNIQUE INDEX memberships_open ON memberships(tenant_id, user_id, organization_id) WHERE status IN ('pending', 'approved')`,
				`CREATE INDEX memberships_org_created ON memberships(tenant_id, organization_id, created_at)`)
		},
		Rollback: func(tx *gorm.DB) error { return nil },
	})
}
