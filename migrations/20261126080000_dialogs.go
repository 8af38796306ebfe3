package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Dialogs about masses (K11): one per listing and counterpart organization,
// their messages, attachments, each person's read state and the record of
// the owner's disclosures (B6).
func init() {
	register(&gormigrate.Migration{
		ID: "20261126080000_dialogs",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE dialogs (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					owner_org_id TEXT NOT NULL,
					counterpart_org_id TEXT NOT NULL,
					match_listing_id TEXT,
					opened_by TEXT NOT NULL DEFAULT '',
					messages INTEGER NOT NULL DEFAULT 0,
					last_message_at {{ts}},
					disclosed BOOLEAN NOT NULL DEFAULT FALSE,
					disclosed_at {{ts}},
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, listing_id, counterpart_org_id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, owner_org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, counterpart_org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX dialogs_owner ON dialogs(tenant_id, owner_org_id)`,
				`CREATE INDEX dialogs_counterpart ON dialogs(tenant_id, counterpart_org_id)`,
				`CREATE TABLE dialog_messages (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					dialog_id TEXT NOT NULL,
					seq INTEGER NOT NULL,
					author_id TEXT NOT NULL REFERENCES users(id),
					author_org_id TEXT NOT NULL,
					text TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, dialog_id, seq),
					FOREIGN KEY (tenant_id, dialog_id) REFERENCES dialogs(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, author_org_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE TABLE dialog_attachments (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					dialog_id TEXT NOT NULL,
					message_id TEXT NOT NULL,
					filename TEXT NOT NULL,
					content_type TEXT NOT NULL,
					size INTEGER NOT NULL,
					sha256 TEXT NOT NULL,
					blob_key TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, dialog_id) REFERENCES dialogs(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, message_id) REFERENCES dialog_messages(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX dialog_attachments_message ON dialog_attachments(tenant_id, message_id)`,
				`CREATE TABLE dialog_reads (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					dialog_id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					org_id TEXT NOT NULL,
					last_seq INTEGER NOT NULL DEFAULT 0,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, dialog_id, user_id),
					FOREIGN KEY (tenant_id, dialog_id) REFERENCES dialogs(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE TABLE dialog_disclosures (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					dialog_id TEXT NOT NULL,
					disclosed BOOLEAN NOT NULL,
					by_user TEXT NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, dialog_id) REFERENCES dialogs(tenant_id, id) ON DELETE CASCADE
				)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE dialog_disclosures`, `DROP TABLE dialog_reads`, `DROP TABLE dialog_attachments`, `DROP TABLE dialog_messages`, `DROP TABLE dialogs`)
		},
	})
}
