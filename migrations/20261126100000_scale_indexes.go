package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Issue 16: the lists are read in their sort orders by index, not by
// scanning and sorting a region's rows: the market list by date (all kinds
// or one) and by quantity (largest first), the open feed by publication
// (newest first), the directory's organizations and sites by name. Each
// ends in the ID, the lists' tie-break and cursor.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126100000_scale_indexes",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE INDEX listings_by_from ON listings(tenant_id, available_from, id)`,
				`CREATE INDEX listings_by_kind_from ON listings(tenant_id, kind, available_from, id)`,
				`CREATE INDEX listings_by_quantity ON listings(tenant_id, quantity_tonnes DESC, id)`,
				`CREATE INDEX listings_by_published ON listings(tenant_id, published_at DESC, id)`,
				`CREATE INDEX organizations_by_name ON organizations(tenant_id, name, id)`,
				`CREATE INDEX sites_by_name ON sites(tenant_id, name, id)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`DROP INDEX sites_by_name`,
				`DROP INDEX organizations_by_name`,
				`DROP INDEX listings_by_published`,
				`DROP INDEX listings_by_quantity`,
				`DROP INDEX listings_by_kind_from`,
				`DROP INDEX listings_by_from`)
		},
	})
}
