package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Every plan change of a member's subscription, in order (issue 13
// leftover): an invoice prorates the licence across each change in its
// month, not only the last. A row names the plan from then on (NULL: free
// or none). Existing subscriptions get what is known of them: the plan they
// started with and, when they changed, their last change.
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
				`INSERT INTO billing_plan_changes (tenant_id, id, subscription_id, plan_id, at, created_at)
					SELECT tenant_id, id || '-start', id, CASE WHEN changed_at IS NULL THEN plan_id ELSE prev_plan_id END, created_at, created_at
					FROM billing_subscriptions`,
				`INSERT INTO billing_plan_changes (tenant_id, id, subscription_id, plan_id, at, created_at)
					SELECT tenant_id, id || '-last', id, plan_id, changed_at, changed_at
					FROM billing_subscriptions WHERE changed_at IS NOT NULL`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE billing_plan_changes`)
		},
	})
}
