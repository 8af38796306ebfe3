package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The map reads the listings changed since its last refresh.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122140000_listing_updated_index",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx, `CREATE INDEX listings_updated ON listings(tenant_id, updated_at)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP INDEX listings_updated`) },
	})
}
