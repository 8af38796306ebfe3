package migrations_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/migrations"
)

// TestEveryTableDeclaresItsDistribution: every table the migrations make
// is declared in migrations.Tables, tenant tables (primary key (tenant_id,
// …)) as distributed and global ones as reference or local, and nothing
// is declared that no migration makes.
func TestEveryTableDeclaresItsDistribution(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
		if db.Dialect == store.Postgres {
			q = `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`
		}
		var tables []string
		if err := db.Gorm.Raw(q).Scan(&tables).Error; err != nil || len(tables) < 20 {
			t.Fatalf("tables: %v (%v)", tables, err)
		}
		for _, name := range tables {
			d, ok := migrations.Tables[name]
			switch {
			case !ok:
				t.Errorf("table %s declares no distribution: add it to migrations.Tables (distributed if it is a tenant table, else reference)", name)
			case db.IsTenantTable(name) && d != migrations.Distributed && !(name == "outbox" && d == migrations.Local):
				t.Errorf("tenant table %s is declared %s, want distributed (only the platform-wide outbox stays on the coordinator)", name, d)
			case !db.IsTenantTable(name) && d == migrations.Distributed:
				t.Errorf("global table %s is declared distributed: it has no tenant_id primary key to shard by", name)
			}
		}
		for name := range migrations.Tables {
			if !slices.Contains(tables, name) {
				t.Errorf("migrations.Tables declares %s, which no migration makes", name)
			}
		}
	})
}

// TestCitusPlanCoversEveryTenantTable: on plain PostgreSQL, the plan that
// would distribute this schema distributes every tenant table co-located
// with organizations, makes every global table a reference table, drops
// every foreign key before the first table changes and adds each back
// after the last.
func TestCitusPlanCoversEveryTenantTable(t *testing.T) {
	needPostgres(t)
	owner, role := storetest.EmptyPostgres(t)
	db := open(t, owner)
	if err := migrations.Run(db, migrations.Options{AppRole: role}); err != nil {
		t.Fatal(err)
	}
	plan, err := migrations.PlanFromCatalog(db.Gorm, role, false)
	if err != nil {
		t.Fatal(err)
	}
	var fks int64
	var declared []string
	for name := range migrations.Tables {
		declared = append(declared, name)
	}
	// The tables' own foreign keys (on a cluster the coordinator also
	// holds reference-table shards, with theirs).
	if err := db.Gorm.Raw(`SELECT count(*) FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = co.connamespace
		WHERE co.contype = 'f' AND n.nspname = current_schema() AND cl.relname IN ?`, declared).Scan(&fks).Error; err != nil || fks < 20 {
		t.Fatalf("foreign keys: %d (%v)", fks, err)
	}
	index := func(sql string) int {
		return slices.IndexFunc(plan, func(s migrations.CitusStep) bool { return s.SQL == sql })
	}
	firstCreate, lastCreate := len(plan), -1
	for i, s := range plan {
		if strings.Contains(s.SQL, "create_") {
			firstCreate, lastCreate = min(firstCreate, i), max(lastCreate, i)
		}
	}
	var drops, adds int
	for i, s := range plan {
		switch {
		case strings.Contains(s.SQL, "DROP CONSTRAINT"):
			drops++
			if i > firstCreate {
				t.Errorf("step %d drops a foreign key after a table changed: %s", i, s.SQL)
			}
		case strings.Contains(s.SQL, "ADD CONSTRAINT"):
			adds++
			if i < lastCreate {
				t.Errorf("step %d adds a foreign key back before the last table changed: %s", i, s.SQL)
			}
		}
	}
	if int64(drops) != fks || int64(adds) != fks {
		t.Errorf("the plan drops %d and adds back %d foreign keys, the schema has %d", drops, adds, fks)
	}
	anchor := index(`SELECT create_distributed_table('organizations', 'tenant_id')`)
	if anchor < 0 {
		t.Fatal("organizations is not distributed by tenant_id")
	}
	for _, tbl := range db.TenantTables() {
		if tbl == "organizations" || migrations.Tables[tbl] == migrations.Local {
			continue
		}
		i := index(fmt.Sprintf(`SELECT create_distributed_table('%s', 'tenant_id', colocate_with => 'organizations')`, tbl))
		if i < 0 {
			t.Errorf("tenant table %s is not distributed co-located with organizations", tbl)
		} else if i < anchor {
			t.Errorf("tenant table %s is distributed before organizations", tbl)
		}
	}
	for name, d := range migrations.Tables {
		if d == migrations.Reference && index(fmt.Sprintf(`SELECT create_reference_table('%s')`, name)) < 0 {
			t.Errorf("global table %s is not made a reference table", name)
		}
	}
	if !strings.Contains(plan[0].SQL, "sequential") {
		t.Errorf("the plan does not start in sequential mode: %s", plan[0].SQL)
	}
}

// TestCitusPlanRefusesAnUndeclaredTable: a table without a declaration
// stops the plan instead of being left on the coordinator.
func TestCitusPlanRefusesAnUndeclaredTable(t *testing.T) {
	_, err := migrations.CitusPlan(migrations.Tables, []string{"organizations", "new_table"}, nil, "")
	if err == nil || !strings.Contains(err.Error(), "new_table") {
		t.Fatalf("plan with an undeclared table: %v, want an error naming it", err)
	}
}
