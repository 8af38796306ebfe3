package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// The people's inbox (notifications of any feature, core/notify), their
// mail preferences and language per region, and the daily digests claimed
// (one per person and day).
func init() {
	register(&gormigrate.Migration{
		ID: "20261126081000_notify",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE inbox (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					kind TEXT NOT NULL,
					title_id TEXT NOT NULL,
					body_id TEXT NOT NULL DEFAULT '',
					data TEXT NOT NULL DEFAULT '{}',
					link TEXT NOT NULL DEFAULT '',
					source TEXT NOT NULL DEFAULT '',
					mail BOOLEAN NOT NULL DEFAULT FALSE,
					mail_state TEXT NOT NULL DEFAULT '',
					mailed_at {{ts}},
					read_at {{ts}},
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id)
				)`,
				`CREATE INDEX inbox_user ON inbox(tenant_id, user_id, read_at, created_at)`,
				`CREATE INDEX inbox_source ON inbox(tenant_id, user_id, source)`,
				`CREATE INDEX inbox_mail ON inbox(mail_state, tenant_id, user_id)`,
				`CREATE TABLE mail_preferences (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					mail TEXT NOT NULL DEFAULT 'each',
					locale TEXT NOT NULL DEFAULT '',
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, user_id)
				)`,
				`CREATE TABLE mail_digests (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					day TEXT NOT NULL,
					count INTEGER NOT NULL DEFAULT 0,
					sent_at {{ts}},
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, user_id, day)
				)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE mail_digests`, `DROP TABLE mail_preferences`, `DROP TABLE inbox`)
		},
	})
}
