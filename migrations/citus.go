package migrations

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// Distribution says how a table lives on a Citus cluster (docs/scaling.md).
type Distribution string

const (
	// Distributed tables are tenant tables (primary key (tenant_id, …)),
	// sharded by tenant_id and co-located with organizations, so a
	// region's rows and their joins stay on one node.
	Distributed Distribution = "distributed"
	// Reference tables are global tables, copied to every node so tenant
	// tables may reference and join them.
	Reference Distribution = "reference"
	// Local tables stay on the coordinator (bookkeeping nothing joins).
	Local Distribution = "local"
)

// Tables declares every table's distribution. A table a migration creates
// must be declared here: TestEveryTableDeclaresItsDistribution fails
// otherwise, and on Citus Run refuses to start with an undeclared table
// (an undistributed tenant table with a foreign key accepts its DDL but
// refuses every insert).
var Tables = map[string]Distribution{
	// Global.
	"tenants": Reference, "tenant_domains": Reference, "users": Reference,
	"registry_units": Reference, "casbin_rule": Reference, "platform_invitations": Reference,
	"billing_region_plans": Reference, "billing_region_subscriptions": Reference,
	"billing_region_invoices": Reference, "billing_webhook_events": Reference, "billing_closings": Reference,
	"ledger_keys": Reference, "tenant_domain_claims": Reference,
	"schema_migrations": Local,
	// The outbox is one queue for the whole platform, numbered across
	// tenants in commit order (core/events): it stays on the coordinator
	// (a Citus local table, since it references tenants), where its
	// cross-tenant numbering and claiming run as on plain PostgreSQL.
	"outbox": Local,
	// Per tenant.
	"organizations": Distributed, "sites": Distributed, "permits": Distributed, "contacts": Distributed,
	"vehicles": Distributed, "memberships": Distributed, "api_tokens": Distributed,
	"listings": Distributed, "documents": Distributed, "lab_samples": Distributed,
	"mass_plan_lines": Distributed, "matches": Distributed, "match_dismissals": Distributed,
	"road_legs": Distributed, "invitations": Distributed,
	"dialogs": Distributed, "dialog_messages": Distributed, "dialog_attachments": Distributed,
	"dialog_reads": Distributed, "dialog_disclosures": Distributed,
	"inbox": Distributed, "notifications": Distributed, "mail_preferences": Distributed, "mail_digests": Distributed,
	"contract_templates": Distributed, "agreements": Distributed, "agreement_versions": Distributed,
	"agreement_signatures": Distributed, "agreement_events": Distributed,
	"billing_settings": Distributed, "billing_plans": Distributed, "billing_subscriptions": Distributed,
	"billing_usage": Distributed, "billing_invoices": Distributed, "billing_plan_changes": Distributed,
	"ledger_entries": Distributed, "ledger_heads": Distributed, "ledger_roots": Distributed,
	"transport_requests": Distributed, "transport_orders": Distributed, "transport_planned_loads": Distributed,
	"transport_plans": Distributed,
	"loads":           Distributed, "load_events": Distributed, "load_photos": Distributed, "load_requests": Distributed,
	"load_tallies": Distributed, "release_codes": Distributed, "receipt_templates": Distributed,
	"climate_accounts": Distributed, "climate_loads": Distributed, "climate_sets": Distributed,
}

// colocationAnchor is the first distributed table; every other tenant
// table is co-located with it.
const colocationAnchor = "organizations"

// CitusStep is one statement of the distribution plan, with why it runs.
type CitusStep struct {
	SQL  string
	Note string
}

// ForeignKey is a foreign key constraint as the catalog gives it.
type ForeignKey struct {
	Table, Name, Def string
}

// CitusPlan is what makes a migrated schema distributed, for the tables not
// yet distributed (undistributed lists them; it is every table on the first
// run, and a new table's own on later runs). The order is the one Citus
// needs: making a referenced global table a reference table while tenant
// tables still point at it would silently turn them into coordinator-only
// tables through the foreign-key chain, so the foreign keys touching the
// tables go first, then the reference tables are made, then the tenant
// tables are distributed (organizations first, the rest co-located with
// it), and then the foreign keys come back.
func CitusPlan(tables map[string]Distribution, undistributed []string, fks []ForeignKey, appRole string) ([]CitusStep, error) {
	var plan []CitusStep
	pending := map[string]bool{}
	for _, t := range undistributed {
		d, ok := tables[t]
		if !ok {
			return nil, fmt.Errorf("table %s declares no distribution (migrations.Tables)", t)
		}
		if d != Local {
			pending[t] = true
		}
	}
	if len(pending) == 0 {
		return nil, nil
	}
	plan = append(plan,
		CitusStep{`SET LOCAL citus.multi_shard_modify_mode = 'sequential'`, "mixed DDL and DML on shards"},
		// The ledger's insert-only triggers (they only raise an error on
		// UPDATE or DELETE) go with their tables to every shard.
		CitusStep{`SET LOCAL citus.enable_unsafe_triggers = on`, "the ledger's insert-only triggers on the shards"})
	var readd []ForeignKey
	for _, fk := range fks {
		plan = append(plan, CitusStep{fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, fk.Table, quoteIdent(fk.Name)), "foreign keys go first"})
		readd = append(readd, fk)
	}
	names := make([]string, 0, len(pending))
	for t := range pending {
		names = append(names, t)
	}
	slices.Sort(names)
	for _, t := range names {
		if tables[t] == Reference {
			plan = append(plan, CitusStep{fmt.Sprintf(`SELECT create_reference_table('%s')`, t), "global table on every node"})
		}
	}
	anchorDone := !pending[colocationAnchor]
	if !anchorDone {
		plan = append(plan, CitusStep{fmt.Sprintf(`SELECT create_distributed_table('%s', 'tenant_id')`, colocationAnchor), "sharded by tenant"})
	}
	for _, t := range names {
		if tables[t] == Distributed && t != colocationAnchor {
			plan = append(plan, CitusStep{fmt.Sprintf(`SELECT create_distributed_table('%s', 'tenant_id', colocate_with => '%s')`, t, colocationAnchor), "sharded by tenant, co-located"})
		}
	}
	for _, fk := range readd {
		plan = append(plan, CitusStep{fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, fk.Table, quoteIdent(fk.Name), fk.Def), "foreign keys back"})
	}
	return plan, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// isCitus reports whether the database has the citus extension.
func isCitus(g *gorm.DB) (bool, error) {
	var n int64
	err := g.Raw(`SELECT count(*) FROM pg_extension WHERE extname = 'citus'`).Scan(&n).Error
	return n > 0, err
}

// keyOnWorkers copies the row-level security key to every worker that
// lacks it. The policies check the signed tenant setting on the node that
// holds the shard, in a function that reads the key: it must be a plain
// table there (a query on a shard may not read a reference table). A
// worker added later gets it on the next start.
func keyOnWorkers(g *gorm.DB) error {
	var missing int64
	if err := g.Raw(`SELECT count(*) FROM run_command_on_workers($$SELECT count(*) FROM mf_private.rls_key$$) WHERE NOT success OR result <> '1'`).Scan(&missing).Error; err != nil {
		return err
	}
	if missing == 0 {
		return nil
	}
	var cmd string
	// Citus has made the schema (with the functions) on every worker, and
	// refuses schema DDL there.
	if err := g.Raw(`SELECT format($f$CREATE TABLE IF NOT EXISTS mf_private.rls_key (id INT PRIMARY KEY CHECK (id = 1), k BYTEA NOT NULL, ipad BYTEA NOT NULL, opad BYTEA NOT NULL);
		REVOKE ALL ON mf_private.rls_key FROM PUBLIC;
		INSERT INTO mf_private.rls_key (id, k, ipad, opad) VALUES (1, %L, %L, %L) ON CONFLICT (id) DO NOTHING$f$, k, ipad, opad)
		FROM mf_private.rls_key WHERE id = 1`).Scan(&cmd).Error; err != nil {
		return err
	}
	var failed []string
	if err := g.Raw(`SELECT nodename || ':' || nodeport || ' ' || result FROM run_command_on_workers(?) WHERE NOT success`, cmd).Scan(&failed).Error; err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}

// distribute applies the distribution plan to the tables Citus does not
// yet know, in one transaction. It runs only on a Citus coordinator.
func distribute(g *gorm.DB, appRole string) error {
	if err := keyOnWorkers(g); err != nil {
		return fmt.Errorf("citus: the row-level security key: %w", err)
	}
	plan, err := PlanFromCatalog(g, appRole, true)
	if err != nil || len(plan) == 0 {
		return err
	}
	return g.Transaction(func(tx *gorm.DB) error {
		for _, s := range plan {
			if err := tx.Exec(s.SQL).Error; err != nil {
				return fmt.Errorf("citus (%s): %w\n%s", s.Note, err, s.SQL)
			}
		}
		return nil
	})
}

// PlanFromCatalog reads the schema and returns the distribution plan for
// its tables that Citus does not yet know (on plain PostgreSQL, citus
// false: all of them), without running it.
func PlanFromCatalog(g *gorm.DB, appRole string, citus bool) ([]CitusStep, error) {
	var all []string
	if err := g.Raw(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`).Scan(&all).Error; err != nil {
		return nil, err
	}
	var known []string
	if citus {
		if err := g.Raw(`SELECT logicalrelid::regclass::text FROM pg_dist_partition`).Scan(&known).Error; err != nil {
			return nil, err
		}
	}
	var undistributed []string
	for _, t := range all {
		if !slices.Contains(known, t) && Tables[t] != Local {
			undistributed = append(undistributed, t)
		}
	}
	if len(undistributed) == 0 {
		return nil, nil
	}
	// The foreign keys of and to the tables about to change.
	var fks []ForeignKey
	if err := g.Raw(`SELECT cl.relname AS "table", co.conname AS name, pg_get_constraintdef(co.oid) AS def
		FROM pg_constraint co
		JOIN pg_class cl ON cl.oid = co.conrelid
		JOIN pg_class rf ON rf.oid = co.confrelid
		JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE co.contype = 'f' AND n.nspname = current_schema()
		AND (cl.relname IN ? OR rf.relname IN ?)
		ORDER BY cl.relname, co.conname`, undistributed, undistributed).Scan(&fks).Error; err != nil {
		return nil, err
	}
	return CitusPlan(Tables, undistributed, fks, appRole)
}
