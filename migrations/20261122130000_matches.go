package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Stored matches and in-app notifications.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122130000_matches",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE matches (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					counterpart_id TEXT NOT NULL,
					via TEXT NOT NULL,
					tonnes {{float}} NOT NULL,
					kg_co2e_per_tonne {{float}} NOT NULL,
					saving_kg_co2e {{float}} NOT NULL DEFAULT 0,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, listing_id, counterpart_id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, counterpart_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE TABLE notifications (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					kind TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					counterpart_id TEXT NOT NULL,
					read_at {{ts}},
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX notifications_user ON notifications(tenant_id, user_id, read_at)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE notifications`, `DROP TABLE matches`) },
	})
}
