package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Custom domains a tenant admin asked for and has not proved yet (H3): a
// domain takes effect (tenant_domains) only after its challenge is found.
// Several tenants may claim a domain; the first to prove it gets it, so a
// pending claim blocks no one.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126060000_domain_claims",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE tenant_domain_claims (
					domain TEXT NOT NULL,
					tenant_id TEXT NOT NULL,
					token TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (domain, tenant_id)
				)`,
				`CREATE INDEX tenant_domain_claims_tenant ON tenant_domain_claims (tenant_id)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE tenant_domain_claims`) },
	})
}
