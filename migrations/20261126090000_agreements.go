package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Agreements (K6): the tenant's contract templates (each edit a new
// version), the agreements with every version of their terms, the
// signatures on a version and the timeline of steps. match_id has no
// foreign key: matches are rediscovered (the link is a hint, not a term).
// Removing an organization, a listing or a dialog (L5, with confirmation)
// removes its agreements.
func init() {
	register(&gormigrate.Migration{
		ID: "20261126090000_agreements",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE contract_templates (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					template_key TEXT NOT NULL,
					locale TEXT NOT NULL,
					version INTEGER NOT NULL,
					title TEXT NOT NULL,
					body TEXT NOT NULL,
					created_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, template_key, locale, version)
				)`,
				`CREATE TABLE agreements (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					number TEXT NOT NULL,
					status TEXT NOT NULL,
					version INTEGER NOT NULL,
					sealed_version INTEGER NOT NULL DEFAULT 0,
					template_key TEXT NOT NULL,
					template_version INTEGER NOT NULL,
					locale TEXT NOT NULL,
					supplier_org_id TEXT NOT NULL,
					receiver_org_id TEXT NOT NULL,
					proposed_by_org_id TEXT NOT NULL DEFAULT '',
					listing_id TEXT,
					counterpart_listing_id TEXT,
					dialog_id TEXT,
					match_id TEXT,
					fraction TEXT NOT NULL DEFAULT '',
					tonnes {{float}} NOT NULL DEFAULT 0,
					seal_hash TEXT NOT NULL DEFAULT '',
					term_digests TEXT NOT NULL DEFAULT '',
					sealed_at {{ts}},
					created_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, number),
					FOREIGN KEY (tenant_id, supplier_org_id) REFERENCES organizations(tenant_id, id),
					FOREIGN KEY (tenant_id, receiver_org_id) REFERENCES organizations(tenant_id, id),
					FOREIGN KEY (tenant_id, listing_id) REFERENCES listings(tenant_id, id),
					FOREIGN KEY (tenant_id, counterpart_listing_id) REFERENCES listings(tenant_id, id),
					FOREIGN KEY (tenant_id, dialog_id) REFERENCES dialogs(tenant_id, id)
				)`,
				`CREATE INDEX agreements_supplier ON agreements(tenant_id, supplier_org_id)`,
				`CREATE INDEX agreements_receiver ON agreements(tenant_id, receiver_org_id)`,
				`CREATE INDEX agreements_listing ON agreements(tenant_id, listing_id)`,
				`CREATE TABLE agreement_versions (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					agreement_id TEXT NOT NULL,
					version INTEGER NOT NULL,
					terms TEXT NOT NULL,
					proposed_by_org_id TEXT NOT NULL DEFAULT '',
					created_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, agreement_id, version),
					FOREIGN KEY (tenant_id, agreement_id) REFERENCES agreements(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE TABLE agreement_signatures (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					agreement_id TEXT NOT NULL,
					version INTEGER NOT NULL,
					organization_id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id),
					name TEXT NOT NULL,
					method TEXT NOT NULL,
					aal TEXT NOT NULL,
					doc_hash TEXT NOT NULL,
					evidence TEXT NOT NULL DEFAULT '',
					signed_at {{ts}} NOT NULL,
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, agreement_id, version, organization_id),
					FOREIGN KEY (tenant_id, agreement_id) REFERENCES agreements(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id)
				)`,
				`CREATE TABLE agreement_events (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					agreement_id TEXT NOT NULL,
					kind TEXT NOT NULL,
					version INTEGER NOT NULL,
					organization_id TEXT NOT NULL DEFAULT '',
					user_id TEXT NOT NULL DEFAULT '',
					user_name TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, agreement_id) REFERENCES agreements(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX agreement_events_agreement ON agreement_events(tenant_id, agreement_id, created_at)`)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx, `DROP TABLE agreement_events`, `DROP TABLE agreement_signatures`, `DROP TABLE agreement_versions`, `DROP TABLE agreements`, `DROP TABLE contract_templates`)
		},
	})
}
