package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The directory's "verified" flag asks, per organization, whether an approved
// membership exists; index that lookup.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122080000_membership_org_index",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx, `CREATE INDEX memberships_org_status ON memberships(tenant_id, organization_id, status)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP INDEX memberships_org_status`)
		},
	})
}
