package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The transactional outbox of domain events (core/events): a tenant table,
// written in the transaction of the change an event describes and read by
// the dispatchers as system work.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126030000_outbox",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE outbox (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					type TEXT NOT NULL,
					subject TEXT NOT NULL DEFAULT '',
					payload TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					seq BIGINT,
					delivered TEXT NOT NULL DEFAULT '',
					attempts INTEGER NOT NULL DEFAULT 0,
					next_at {{ts}} NOT NULL,
					claim TEXT,
					claimed_until {{ts}},
					last_error TEXT NOT NULL DEFAULT '',
					done_at {{ts}},
					PRIMARY KEY (tenant_id, id)
				)`,
				`CREATE INDEX outbox_seq ON outbox(seq)`,
				`CREATE INDEX outbox_unnumbered ON outbox(id) WHERE seq IS NULL`,
				`CREATE INDEX outbox_due ON outbox(next_at) WHERE done_at IS NULL`,
				`CREATE INDEX outbox_subject ON outbox(tenant_id, subject) WHERE done_at IS NULL`,
				`CREATE INDEX outbox_done ON outbox(done_at)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE outbox`) },
	})
}
