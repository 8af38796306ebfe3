package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Mass handling plans (massehåndteringsplan): expected cut and fill per
// fraction and period for a project, kept in step with its listings.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122120000_mass_plans",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE mass_plan_lines (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					site_id TEXT NOT NULL,
					position INTEGER NOT NULL,
					direction TEXT NOT NULL,
					fraction TEXT NOT NULL,
					quantity_value {{float}} NOT NULL,
					quantity_unit TEXT NOT NULL,
					quantity_tonnes {{float}} NOT NULL,
					period_from {{ts}} NOT NULL,
					period_to {{ts}} NOT NULL,
					intended_use TEXT NOT NULL DEFAULT '',
					note TEXT NOT NULL DEFAULT '',
					listing_id TEXT,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, site_id) REFERENCES sites(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id)
				)`,
				`CREATE INDEX mass_plan_lines_site ON mass_plan_lines(tenant_id, site_id, position)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE mass_plan_lines`) },
	})
}
