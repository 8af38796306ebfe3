package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Listings (surplus, need, capacity), their lab samples and stored matches.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122090000_listings",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE listings (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					organization_id TEXT NOT NULL,
					site_id TEXT,
					kind TEXT NOT NULL,
					title TEXT NOT NULL,
					description TEXT NOT NULL DEFAULT '',
					fractions TEXT NOT NULL,
					quantity_tonnes {{float}} NOT NULL,
					quantity_value {{float}} NOT NULL,
					quantity_unit TEXT NOT NULL,
					available_from {{ts}} NOT NULL,
					available_to {{ts}} NOT NULL,
					lat {{float}} NOT NULL,
					lon {{float}} NOT NULL,
					contamination_class INTEGER NOT NULL DEFAULT 0,
					intended_use TEXT NOT NULL DEFAULT '',
					rock_type TEXT NOT NULL DEFAULT '',
					grain_min_mm {{float}},
					grain_max_mm {{float}},
					la_value {{float}},
					micro_deval {{float}},
					price_nok_per_tonne {{float}},
					price_public BOOLEAN NOT NULL DEFAULT FALSE,
					exact_location_public BOOLEAN NOT NULL DEFAULT FALSE,
					transport TEXT NOT NULL,
					status TEXT NOT NULL DEFAULT 'draft',
					visibility TEXT NOT NULL DEFAULT 'public',
					created_by TEXT NOT NULL DEFAULT '',
					published_at {{ts}},
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, site_id) REFERENCES sites(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX listings_status ON listings(tenant_id, status, kind)`,
				`CREATE INDEX listings_org ON listings(tenant_id, organization_id)`,
				`CREATE TABLE lab_samples (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					name TEXT NOT NULL,
					taken_on {{ts}},
					lab TEXT NOT NULL DEFAULT '',
					results TEXT NOT NULL,
					class INTEGER NOT NULL,
					deciding TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX lab_samples_listing ON lab_samples(tenant_id, listing_id)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE lab_samples`, `DROP TABLE listings`)
		},
	})
}
