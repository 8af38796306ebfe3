package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Every plan change of a member's subscription, in order (issue 13
// leftover): an invoice prorates the licence across each change in its
// month, not only the last. A row names the plan from then on (NULL: free
// or none). Existing subscriptions are not copied here (on Citus the new
// table is distributed only after the migrations, and cannot take rows
// before): an invoice reads a subscription without rows from its last
// change, and its next change first writes what is known of it.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126141000_billing_plan_changes",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE billing_plan_changes (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					subscription_id TEXT NOT NULL,
					plan_id TEXT,
					at {{ts}} NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, subscription_id) REFERENCES billing_subscriptions(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, plan_id) REFERENCES billing_plans(tenant_id, id)
				)`,
				`CREATE INDEX billing_plan_changes_sub ON billing_plan_changes(tenant_id, subscription_id, at)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE billing_plan_changes`)
		},
	})
}
