package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Climate accounts from actual loads (issue 14, V8, V9, B3): one row per
// scope (agreement, project, organization, municipality, region), variant
// (the loads' recorded figures, or a recompute with a named factor set),
// month in Oslo, fraction, pickup municipality and factor set, updated
// incrementally from load.received; the loads already counted (so a
// replayed event counts once); and each recompute with a newer factor set,
// who asked and when.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126130000_climate_accounts",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE climate_accounts (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					scope_kind TEXT NOT NULL,
					scope_id TEXT NOT NULL,
					variant TEXT NOT NULL,
					month TEXT NOT NULL,
					fraction TEXT NOT NULL DEFAULT '',
					municipality_no TEXT NOT NULL DEFAULT '',
					factor_set TEXT NOT NULL,
					loads INTEGER NOT NULL DEFAULT 0,
					tonnes {{float}} NOT NULL DEFAULT 0,
					tonnes_reused {{float}} NOT NULL DEFAULT 0,
					tonne_km {{float}} NOT NULL DEFAULT 0,
					kg_co2e {{float}} NOT NULL DEFAULT 0,
					baseline_kg_co2e {{float}} NOT NULL DEFAULT 0,
					saving_kg_co2e {{float}} NOT NULL DEFAULT 0,
					zero_tonnes {{float}} NOT NULL DEFAULT 0,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, scope_kind, scope_id, variant, month, fraction, municipality_no, factor_set)
				)`,
				`CREATE TABLE climate_loads (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, id) REFERENCES loads(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE TABLE climate_sets (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					scope_kind TEXT NOT NULL,
					scope_id TEXT NOT NULL,
					factor_set TEXT NOT NULL,
					loads INTEGER NOT NULL DEFAULT 0,
					recomputed_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, scope_kind, scope_id, factor_set)
				)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE climate_sets`, `DROP TABLE climate_loads`, `DROP TABLE climate_accounts`)
		},
	})
}
