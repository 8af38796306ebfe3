package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Dismissed matches: an owner's "not interested", which stays.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122100000_match_dismissals",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE match_dismissals (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					counterpart_id TEXT NOT NULL,
					dismissed_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, listing_id, counterpart_id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, counterpart_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE
				)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE match_dismissals`) },
	})
}
