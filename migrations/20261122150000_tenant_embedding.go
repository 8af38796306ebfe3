package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// White-label embedding: the tenant's map tiles and attribution, and the
// origins allowed to embed its widgets (one per line).
func init() {
	register(&gormigrate.Migration{
		ID: "20261122150000_tenant_embedding",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE tenants ADD COLUMN tile_url TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE tenants ADD COLUMN tile_attribution TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE tenants ADD COLUMN embed_origins TEXT NOT NULL DEFAULT ''`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `ALTER TABLE tenants DROP COLUMN tile_url`, `ALTER TABLE tenants DROP COLUMN tile_attribution`,
				`ALTER TABLE tenants DROP COLUMN embed_origins`)
		},
	})
}
