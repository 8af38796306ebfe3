package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Privacy (B6): a site's owner chooses whether its exact point is public
// (facilities are public businesses and are by default; projects are not:
// visitors see a ~1 km area); and a listing's point may be moved only so
// often a day (M2: moving a draft to trilaterate a hidden counterpart).
func init() {
	register(&gormigrate.Migration{
		ID: "20261126063000_privacy_points",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE sites ADD COLUMN exact_point_public BOOLEAN NOT NULL DEFAULT FALSE`,
				`UPDATE sites SET exact_point_public = TRUE WHERE kind = 'facility'`,
				`ALTER TABLE listings ADD COLUMN location_day TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE listings ADD COLUMN location_changes INTEGER NOT NULL DEFAULT 0`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE listings DROP COLUMN location_changes`,
				`ALTER TABLE listings DROP COLUMN location_day`,
				`ALTER TABLE sites DROP COLUMN exact_point_public`)
		},
	})
}
