package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Quality documents attached to listings.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122110000_documents",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE documents (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					listing_id TEXT NOT NULL,
					kind TEXT NOT NULL,
					filename TEXT NOT NULL,
					content_type TEXT NOT NULL,
					size BIGINT NOT NULL,
					sha256 TEXT NOT NULL,
					blob_key TEXT NOT NULL,
					uploaded_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX documents_listing ON documents(tenant_id, listing_id)`)
		},
		Rollback: func(tx *gorm.DB) error { return execAll(tx, `DROP TABLE documents`) },
	})
}
