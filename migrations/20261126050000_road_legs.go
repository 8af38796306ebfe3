package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Road distances found by match discovery (off the request), which the
// matches API reads instead of asking the road router in the request.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126050000_road_legs",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE road_legs (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					km {{float}} NOT NULL,
					router TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id)
				)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE road_legs`) },
	})
}
