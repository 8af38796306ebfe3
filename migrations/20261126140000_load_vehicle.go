package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// A load keeps the vehicle as it was when it departed: its body type,
// payload, fuel and Euro class. A load's climate account, a recompute with
// another factor set, the zero-emission share and the supervision package
// read these, not the vehicle's current register entry (a truck converted
// from diesel to HVO must not change last year's loads). Loads from before
// take the vehicle's entry as it is now: the best that is known of them.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126140000_load_vehicle",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE loads ADD COLUMN vehicle_body_type TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE loads ADD COLUMN vehicle_payload_tonnes {{float}} NOT NULL DEFAULT 0`,
				`ALTER TABLE loads ADD COLUMN vehicle_fuel TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE loads ADD COLUMN vehicle_euro_class TEXT NOT NULL DEFAULT ''`,
				`UPDATE loads SET vehicle_body_type = v.body_type, vehicle_payload_tonnes = v.payload_tonnes, vehicle_fuel = v.fuel, vehicle_euro_class = v.euro_class
					FROM vehicles v WHERE v.tenant_id = loads.tenant_id AND v.id = loads.vehicle_id`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE loads DROP COLUMN vehicle_euro_class`,
				`ALTER TABLE loads DROP COLUMN vehicle_fuel`,
				`ALTER TABLE loads DROP COLUMN vehicle_payload_tonnes`,
				`ALTER TABLE loads DROP COLUMN vehicle_body_type`)
		},
	})
}
