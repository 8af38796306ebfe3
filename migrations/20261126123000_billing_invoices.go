package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Billing, finished (issue 15): the region's bank account for payments of
// its invoices; invoices kept with their lines, due date
// and hosted page; one stored offline invoice per organization and month
// (a partial unique index); the platform's invoices to regions (a global
// table, from the offline close or the provider's webhooks); the closed
// months, claimed once across instances; and a lease on usage rows, so two
// instances draining at once send a row once.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126123000_billing_invoices",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`ALTER TABLE billing_usage ADD COLUMN claimed_by TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE billing_settings ADD COLUMN account_number TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE billing_usage ADD COLUMN claimed_until {{ts}}`,
				`ALTER TABLE billing_invoices ADD COLUMN lines TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE billing_invoices ADD COLUMN due_at {{ts}}`,
				`ALTER TABLE billing_invoices ADD COLUMN hosted_url TEXT NOT NULL DEFAULT ''`,
				`ALTER TABLE billing_invoices ADD COLUMN paid_at {{ts}}`,
				`ALTER TABLE billing_invoices ADD COLUMN mailed_at {{ts}}`,
				`CREATE UNIQUE INDEX billing_invoices_month ON billing_invoices(tenant_id, org_id, period_start) WHERE provider_id = ''`,
				`CREATE UNIQUE INDEX billing_invoices_number ON billing_invoices(tenant_id, number) WHERE provider_id = ''`,
				`CREATE TABLE billing_region_invoices (
					id TEXT PRIMARY KEY,
					region_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					number TEXT NOT NULL DEFAULT '',
					period_start {{ts}} NOT NULL,
					period_end {{ts}} NOT NULL,
					lines TEXT NOT NULL DEFAULT '',
					net_ore BIGINT NOT NULL DEFAULT 0,
					vat_ore BIGINT NOT NULL DEFAULT 0,
					total_ore BIGINT NOT NULL DEFAULT 0,
					status TEXT NOT NULL,
					due_at {{ts}},
					paid_at {{ts}},
					mailed_at {{ts}},
					hosted_url TEXT NOT NULL DEFAULT '',
					provider_id TEXT NOT NULL DEFAULT '',
					provider_at BIGINT NOT NULL DEFAULT 0,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL
				)`,
				`CREATE UNIQUE INDEX billing_region_invoices_month ON billing_region_invoices(region_id, period_start) WHERE provider_id = ''`,
				`CREATE UNIQUE INDEX billing_region_invoices_number ON billing_region_invoices(number) WHERE provider_id = ''`,
				`CREATE UNIQUE INDEX billing_region_invoices_provider ON billing_region_invoices(provider_id) WHERE provider_id <> ''`,
				`CREATE TABLE billing_closings (
					scope TEXT NOT NULL,
					period_start {{ts}} NOT NULL,
					invoices INTEGER NOT NULL DEFAULT 0,
					closed_at {{ts}} NOT NULL,
					PRIMARY KEY (scope, period_start)
				)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE billing_closings`, `DROP TABLE billing_region_invoices`,
				`DROP INDEX billing_invoices_number`, `DROP INDEX billing_invoices_month`,
				`ALTER TABLE billing_invoices DROP COLUMN mailed_at`, `ALTER TABLE billing_invoices DROP COLUMN paid_at`, `ALTER TABLE billing_invoices DROP COLUMN hosted_url`,
				`ALTER TABLE billing_invoices DROP COLUMN due_at`, `ALTER TABLE billing_invoices DROP COLUMN lines`,
				`ALTER TABLE billing_usage DROP COLUMN claimed_until`, `ALTER TABLE billing_usage DROP COLUMN claimed_by`,
				`ALTER TABLE billing_settings DROP COLUMN account_number`)
		},
	})
}
