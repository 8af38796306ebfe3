package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
)

// The kernel: tenants, users, the registry cache, Casbin rules, and the
// tenant-owned directory. Every tenant table has PRIMARY KEY (tenant_id, id)
// and its foreign keys carry tenant_id, so a row can never point across tenants.
func init() {
	register(&gormigrate.Migration{
		ID: "20261122070000_kernel",
		Migrate: func(tx *gorm.DB) error {
			return execAll(tx,
				`CREATE TABLE tenants (
					id TEXT PRIMARY KEY,
					slug TEXT NOT NULL UNIQUE,
					name TEXT NOT NULL,
					short_name TEXT NOT NULL DEFAULT '',
					description TEXT NOT NULL DEFAULT '',
					color_primary TEXT NOT NULL DEFAULT '#1f5f3f',
					color_accent TEXT NOT NULL DEFAULT '#f2b134',
					logo_type TEXT NOT NULL DEFAULT '',
					logo {{blob}},
					default_locale TEXT NOT NULL DEFAULT 'nb',
					center_lat {{float}} NOT NULL DEFAULT 0,
					center_lon {{float}} NOT NULL DEFAULT 0,
					zoom INTEGER NOT NULL DEFAULT 9,
					municipalities TEXT NOT NULL DEFAULT '',
					active BOOLEAN NOT NULL DEFAULT TRUE,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL
				)`,
				`CREATE TABLE tenant_domains (
					domain TEXT PRIMARY KEY,
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					created_at {{ts}} NOT NULL
				)`,
				`CREATE INDEX tenant_domains_tenant ON tenant_domains(tenant_id)`,
				`CREATE TABLE users (
					id TEXT PRIMARY KEY,
					subject TEXT NOT NULL UNIQUE,
					email TEXT NOT NULL DEFAULT '',
					name TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL
				)`,
				`CREATE TABLE registry_units (
					org_number TEXT PRIMARY KEY,
					name TEXT NOT NULL,
					org_form_code TEXT NOT NULL DEFAULT '',
					org_form TEXT NOT NULL DEFAULT '',
					address TEXT NOT NULL DEFAULT '',
					postcode TEXT NOT NULL DEFAULT '',
					city TEXT NOT NULL DEFAULT '',
					municipality_no TEXT NOT NULL DEFAULT '',
					municipality TEXT NOT NULL DEFAULT '',
					nace_code TEXT NOT NULL DEFAULT '',
					nace_text TEXT NOT NULL DEFAULT '',
					employees INTEGER NOT NULL DEFAULT 0,
					website TEXT NOT NULL DEFAULT '',
					bankrupt BOOLEAN NOT NULL DEFAULT FALSE,
					under_liquidation BOOLEAN NOT NULL DEFAULT FALSE,
					deleted BOOLEAN NOT NULL DEFAULT FALSE,
					fetched_at {{ts}} NOT NULL
				)`,
				`CREATE TABLE casbin_rule (
					id {{autoid}},
					ptype VARCHAR(100) NOT NULL DEFAULT '',
					v0 VARCHAR(100) NOT NULL DEFAULT '',
					v1 VARCHAR(100) NOT NULL DEFAULT '',
					v2 VARCHAR(100) NOT NULL DEFAULT '',
					v3 VARCHAR(100) NOT NULL DEFAULT '',
					v4 VARCHAR(100) NOT NULL DEFAULT '',
					v5 VARCHAR(100) NOT NULL DEFAULT ''
				)`,
				`CREATE UNIQUE INDEX idx_casbin_rule ON casbin_rule(ptype, v0, v1, v2, v3, v4, v5)`,
				`CREATE TABLE organizations (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					org_number TEXT NOT NULL,
					name TEXT NOT NULL,
					description TEXT NOT NULL DEFAULT '',
					kinds TEXT NOT NULL DEFAULT '',
					services TEXT NOT NULL DEFAULT '',
					website TEXT NOT NULL DEFAULT '',
					email TEXT NOT NULL DEFAULT '',
					phone TEXT NOT NULL DEFAULT '',
					address TEXT NOT NULL DEFAULT '',
					postcode TEXT NOT NULL DEFAULT '',
					city TEXT NOT NULL DEFAULT '',
					municipality_no TEXT NOT NULL DEFAULT '',
					lat {{float}},
					lon {{float}},
					registry_status TEXT NOT NULL DEFAULT 'unknown',
					created_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, org_number)
				)`,
				`CREATE INDEX organizations_name ON organizations(tenant_id, name)`,
				`CREATE TABLE sites (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					organization_id TEXT NOT NULL,
					kind TEXT NOT NULL,
					name TEXT NOT NULL,
					description TEXT NOT NULL DEFAULT '',
					address TEXT NOT NULL DEFAULT '',
					postcode TEXT NOT NULL DEFAULT '',
					city TEXT NOT NULL DEFAULT '',
					municipality_no TEXT NOT NULL DEFAULT '',
					lat {{float}} NOT NULL,
					lon {{float}} NOT NULL,
					phase TEXT NOT NULL DEFAULT '',
					planned_start {{ts}},
					planned_end {{ts}},
					expected_surplus_tonnes {{float}} NOT NULL DEFAULT 0,
					expected_need_tonnes {{float}} NOT NULL DEFAULT 0,
					facility_type TEXT NOT NULL DEFAULT '',
					permanent BOOLEAN NOT NULL DEFAULT TRUE,
					capacity_tonnes {{float}} NOT NULL DEFAULT 0,
					opening_hours TEXT NOT NULL DEFAULT '',
					gate_fee_nok_per_tonne {{float}},
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX sites_org ON sites(tenant_id, organization_id)`,
				`CREATE TABLE permits (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					site_id TEXT NOT NULL,
					kind TEXT NOT NULL,
					authority TEXT NOT NULL DEFAULT '',
					reference TEXT NOT NULL DEFAULT '',
					valid_from {{ts}},
					valid_to {{ts}},
					fractions TEXT NOT NULL DEFAULT '',
					max_class INTEGER NOT NULL DEFAULT 1,
					annual_capacity_tonnes {{float}} NOT NULL DEFAULT 0,
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, site_id) REFERENCES sites(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX permits_site ON permits(tenant_id, site_id)`,
				`CREATE TABLE contacts (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					organization_id TEXT NOT NULL,
					site_id TEXT,
					name TEXT NOT NULL,
					title TEXT NOT NULL DEFAULT '',
					phone TEXT NOT NULL DEFAULT '',
					email TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE,
					FOREIGN KEY (tenant_id, site_id) REFERENCES sites(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX contacts_org ON contacts(tenant_id, organization_id)`,
				`CREATE TABLE vehicles (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					organization_id TEXT NOT NULL,
					registration TEXT NOT NULL,
					make TEXT NOT NULL DEFAULT '',
					model TEXT NOT NULL DEFAULT '',
					body_type TEXT NOT NULL,
					euro_class TEXT NOT NULL,
					fuel TEXT NOT NULL,
					payload_tonnes {{float}} NOT NULL,
					payload_m3 {{float}} NOT NULL DEFAULT 0,
					status TEXT NOT NULL DEFAULT 'pending',
					decided_by TEXT NOT NULL DEFAULT '',
					decided_at {{ts}},
					created_by TEXT NOT NULL DEFAULT '',
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, registration),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX vehicles_org ON vehicles(tenant_id, organization_id)`,
				`CREATE TABLE memberships (
					tenant_id TEXT NOT NULL,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					organization_id TEXT NOT NULL,
					role TEXT NOT NULL,
					status TEXT NOT NULL DEFAULT 'pending',
					message TEXT NOT NULL DEFAULT '',
					decided_by TEXT NOT NULL DEFAULT '',
					decided_at {{ts}},
					created_at {{ts}} NOT NULL,
					updated_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id),
					UNIQUE (tenant_id, user_id, organization_id),
					FOREIGN KEY (tenant_id, organization_id) REFERENCES organizations(tenant_id, id) ON DELETE CASCADE
				)`,
				`CREATE INDEX memberships_user ON memberships(tenant_id, user_id)`,
				`CREATE TABLE api_tokens (
					tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
					id TEXT NOT NULL,
					user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
					name TEXT NOT NULL,
					token_hash TEXT NOT NULL UNIQUE,
					prefix TEXT NOT NULL,
					scopes TEXT NOT NULL,
					expires_at {{ts}} NOT NULL,
					revoked_at {{ts}},
					last_used_at {{ts}},
					created_at {{ts}} NOT NULL,
					PRIMARY KEY (tenant_id, id)
				)`,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return execAll(tx,
				`DROP TABLE api_tokens`, `DROP TABLE memberships`, `DROP TABLE vehicles`,
				`DROP TABLE contacts`, `DROP TABLE permits`, `DROP TABLE sites`,
				`DROP TABLE organizations`, `DROP TABLE casbin_rule`, `DROP TABLE registry_units`,
				`DROP TABLE users`, `DROP TABLE tenant_domains`, `DROP TABLE tenants`)
		},
	})
}

func init() {
	store.RegisterTenantTable("organizations", "sites", "permits", "contacts", "vehicles", "memberships", "api_tokens")
}
