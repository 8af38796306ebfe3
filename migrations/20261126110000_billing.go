package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Billing (D3, V10): a region's plans for its members, which organization is
// on which plan, the region's billing settings, the usage ledger (one row
// per billable quantity, with its sent marker), invoices as the provider
// reports them (tenant tables); the platform's plans for regions, each
// region's subscription with the platform and the handled webhook events
// (global tables).
func init() {
	register(&gormigrate.Migration{
		ID: "20261126110000_billing",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE billing_plans (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					name TEXT NOT NULL,
					description TEXT NOT NULL DEFAULT '',
					licence_ore BIGINT NOT NULL DEFAULT 0,
					cycle TEXT NOT NULL DEFAULT 'month',
					unit_ore BIGINT NOT NULL DEFAULT 0,
					currency TEXT NOT NULL DEFAULT 'NOK',
					archived BOOLEAN NOT NULL DEFAULT FALSE,
					version INTEGER NOT NULL DEFAULT 1,
					product_id TEXT NOT NULL DEFAULT '',
					licence_price_id TEXT NOT NULL DEFAULT '',
					usage_price_id TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, name)
				)`,
				`CREATE TABLE billing_subscriptions (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					org_id TEXT NOT NULL,
					plan_id TEXT,
					free BOOLEAN NOT NULL DEFAULT FALSE,
					status TEXT NOT NULL DEFAULT 'active',
					billing_email TEXT NOT NULL DEFAULT '',
					invoice_reference TEXT NOT NULL DEFAULT '',
					period_start {{ts}} NOT NULL,
					prev_plan_id TEXT,
					changed_at {{ts}},
					customer_id TEXT NOT NULL DEFAULT '',
					provider_id TEXT NOT NULL DEFAULT '',
					provider_at BIGINT NOT NULL DEFAULT 0,
					version INTEGER NOT NULL DEFAULT 1,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, org_id),
					FOREIGN KEY (tenant_id, org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, plan_id) REFERENCES billing_plans(tenant_id, id)
				)`,
				`CREATE INDEX billing_subscriptions_provider ON billing_subscriptions(provider_id)`,
				`CREATE TABLE billing_settings (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					metric TEXT NOT NULL DEFAULT 'agreements',
					consequence TEXT NOT NULL DEFAULT 'none',
					connect_account TEXT NOT NULL DEFAULT '',
					connect_status TEXT NOT NULL DEFAULT '',
					fee_percent DOUBLE PRECISION NOT NULL DEFAULT 0,
					meter_id TEXT NOT NULL DEFAULT '',
					version INTEGER NOT NULL DEFAULT 1,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id)
				)`,
				`CREATE TABLE billing_usage (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					event_id TEXT NOT NULL,
					org_id TEXT NOT NULL,
					agreement_id TEXT NOT NULL DEFAULT '',
					metric TEXT NOT NULL,
					quantity BIGINT NOT NULL,
					occurred_at {{ts}} NOT NULL,
					sent_at {{ts}},
					attempts INTEGER NOT NULL DEFAULT 0,
					next_at {{ts}} NOT NULL,
					last_error TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX billing_usage_unsent ON billing_usage(next_at) WHERE sent_at IS NULL`,
				`CREATE INDEX billing_usage_org ON billing_usage(tenant_id, org_id, occurred_at)`,
				`CREATE TABLE billing_invoices (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					org_id TEXT NOT NULL,
					number TEXT NOT NULL DEFAULT '',
					period_start {{ts}} NOT NULL,
					period_end {{ts}} NOT NULL,
					net_ore BIGINT NOT NULL DEFAULT 0,
					vat_ore BIGINT NOT NULL DEFAULT 0,
					total_ore BIGINT NOT NULL DEFAULT 0,
					status TEXT NOT NULL,
					provider_id TEXT NOT NULL DEFAULT '',
					provider_at BIGINT NOT NULL DEFAULT 0,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX billing_invoices_provider ON billing_invoices(provider_id)`,
				`CREATE TABLE billing_region_plans (
					id TEXT PRIMARY KEY,
					name TEXT NOT NULL UNIQUE,
					licence_ore BIGINT NOT NULL DEFAULT 0,
					cycle TEXT NOT NULL DEFAULT 'month',
					unit_ore BIGINT NOT NULL DEFAULT 0,
					currency TEXT NOT NULL DEFAULT 'NOK',
					version INTEGER NOT NULL DEFAULT 1,
					product_id TEXT NOT NULL DEFAULT '',
					licence_price_id TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL
				)`,
				`CREATE TABLE billing_region_subscriptions (
					id TEXT PRIMARY KEY,
					region_id TEXT NOT NULL UNIQUE REFERENCES tenants(id) ON DELETE CASCADE,
					plan_id TEXT REFERENCES billing_region_plans(id),
					status TEXT NOT NULL DEFAULT 'active',
					public_body BOOLEAN NOT NULL DEFAULT FALSE,
					org_number TEXT NOT NULL DEFAULT '',
					buyer_reference TEXT NOT NULL DEFAULT '',
					billing_email TEXT NOT NULL DEFAULT '',
					customer_id TEXT NOT NULL DEFAULT '',
					provider_id TEXT NOT NULL DEFAULT '',
					provider_at BIGINT NOT NULL DEFAULT 0,
					version INTEGER NOT NULL DEFAULT 1,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL
				)`,
				`CREATE TABLE billing_webhook_events (
					id TEXT PRIMARY KEY,
					type TEXT NOT NULL,
					account TEXT NOT NULL DEFAULT '',
					outcome TEXT NOT NULL DEFAULT '',
					received_at {{ts}} NOT NULL
				)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE billing_webhook_events`, `DROP TABLE billing_region_subscriptions`, `DROP TABLE billing_region_plans`,
				`DROP TABLE billing_invoices`, `DROP TABLE billing_usage`, `DROP TABLE billing_settings`, `DROP TABLE billing_subscriptions`, `DROP TABLE billing_plans`)
		},
	})
}
