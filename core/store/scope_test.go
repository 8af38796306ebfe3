package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/testenv"
)

// TestScopingFailsClosed proves the plugin refuses tenant-table access without
// a tenant, stamps the tenant on create, refuses rows of another tenant, and
// filters reads, updates and deletes to the context's tenant.
func TestScopingFailsClosed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		db := e.App.DB
		a, b := e.Tenant("baerum").ID, e.Tenant("rogaland").ID
		ctxA := store.WithTenant(context.Background(), a)
		ctxB := store.WithTenant(context.Background(), b)
		bare := context.Background()

		var orgs []directory.Organization
		if err := db.Read(bare, func(tx *gorm.DB) error { return tx.Find(&orgs).Error }); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("query without tenant: err = %v, want ErrNoTenant", err)
		}
		err := db.Tx(bare, func(tx *gorm.DB) error {
			return tx.Model(&directory.Organization{}).Where("1 = 1").Update("description", "x").Error
		})
		if !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("update without tenant: %v", err)
		}
		if err := db.Tx(bare, func(tx *gorm.DB) error { return tx.Where("1 = 1").Delete(&directory.Contact{}).Error }); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("delete without tenant: %v", err)
		}
		var n int64
		if err := db.Read(bare, func(tx *gorm.DB) error { return tx.Table("vehicles").Count(&n).Error }); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("count without tenant: %v", err)
		}

		// A table named with an alias ("vehicles v", "vehicles AS v") is
		// still a tenant table: refused without a tenant, and counted in
		// the context's tenant only.
		for _, name := range []string{"vehicles v", "vehicles AS v"} {
			if err := db.Read(bare, func(tx *gorm.DB) error { return tx.Table(name).Count(&n).Error }); !errors.Is(err, store.ErrNoTenant) {
				t.Fatalf("%q without tenant: %v", name, err)
			}
			var all, mine int64
			w := db.Read(store.System(context.Background(), "test"), func(tx *gorm.DB) error { return tx.Table("vehicles").Count(&all).Error })
			if w == nil {
				w = db.Read(ctxA, func(tx *gorm.DB) error { return tx.Table(name).Where("v.fuel <> ''").Count(&mine).Error })
			}
			var own int64
			if w == nil {
				w = db.Read(ctxA, func(tx *gorm.DB) error { return tx.Table("vehicles").Count(&own).Error })
			}
			if w != nil || mine != own || mine == 0 || mine == all {
				t.Fatalf("%q in tenant A: %d rows (%v), tenant A has %d, all %d", name, mine, w, own, all)
			}
		}

		// Reads see only the context's tenant.
		if err := db.Read(ctxA, func(tx *gorm.DB) error { return tx.Find(&orgs).Error }); err != nil {
			t.Fatal(err)
		}
		if len(orgs) == 0 {
			t.Fatal("tenant A has no organizations")
		}
		for _, o := range orgs {
			if o.TenantID != a {
				t.Fatalf("tenant A read a row of %s", o.TenantID)
			}
		}
		victim := orgs[0]

		// Tenant B cannot read, update or delete tenant A's row by ID.
		var got directory.Organization
		if err := db.Read(ctxB, func(tx *gorm.DB) error { return tx.Where("id = ?", victim.ID).Take(&got).Error }); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("B read A's org: %v", err)
		}
		var affected int64
		_ = db.Tx(ctxB, func(tx *gorm.DB) error {
			res := tx.Model(&directory.Organization{}).Where("id = ?", victim.ID).Update("description", "hacked")
			affected = res.RowsAffected
			return res.Error
		})
		_ = db.Tx(ctxB, func(tx *gorm.DB) error {
			res := tx.Where("id = ?", victim.ID).Delete(&directory.Organization{})
			affected += res.RowsAffected
			return res.Error
		})
		if affected != 0 {
			t.Fatalf("B changed %d of A's rows", affected)
		}
		if err := db.Read(ctxA, func(tx *gorm.DB) error { return tx.Where("id = ?", victim.ID).Take(&got).Error }); err != nil || got.Description == "hacked" {
			t.Fatalf("A's row changed: %v %q", err, got.Description)
		}

		// Create stamps the tenant, and refuses a row claiming another tenant.
		now := apitest.Now().UTC()
		c := &directory.Contact{ID: store.NewID(), OrganizationID: victim.ID, Name: "Test Person", CreatedAt: now, UpdatedAt: now}
		if err := db.Tx(ctxA, func(tx *gorm.DB) error { return tx.Create(c).Error }); err != nil || c.TenantID != a {
			t.Fatalf("create stamped %q, err %v", c.TenantID, err)
		}
		evil := &directory.Contact{TenantRow: store.TenantRow{TenantID: a}, ID: store.NewID(), OrganizationID: victim.ID, Name: "Evil"}
		if err := db.Tx(ctxB, func(tx *gorm.DB) error { return tx.Create(evil).Error }); !errors.Is(err, store.ErrTenantMismatch) {
			t.Fatalf("create in B of a row for A: %v", err)
		}
		// A reference across tenants is impossible: B's contact cannot point at A's org.
		cross := &directory.Contact{ID: store.NewID(), OrganizationID: victim.ID, Name: "Cross"}
		if err := db.Tx(ctxB, func(tx *gorm.DB) error { return tx.Create(cross).Error }); err == nil || !store.IsForeignKeyViolation(err) {
			t.Fatalf("cross-tenant reference: err = %v, want foreign key violation", err)
		}
		if err := db.Tx(bare, func(tx *gorm.DB) error {
			return tx.Create(&directory.Contact{ID: store.NewID(), OrganizationID: victim.ID, Name: "x"}).Error
		}); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("create without tenant: %v", err)
		}

		// The explicit system bypass sees every tenant.
		sys := store.System(context.Background(), "test: count all tenants")
		var tenantsSeen []string
		if err := db.Read(sys, func(tx *gorm.DB) error {
			return tx.Model(&directory.Organization{}).Distinct("tenant_id").Pluck("tenant_id", &tenantsSeen).Error
		}); err != nil || len(tenantsSeen) != 3 {
			t.Fatalf("system read saw %v tenants, err %v", tenantsSeen, err)
		}
	})
}

// TestRowLevelSecurity proves the second wall on Postgres: raw SQL that
// bypasses the GORM plugin still sees only the transaction's tenant, and the
// app role cannot write rows for another tenant or disable RLS. Without
// PostgreSQL it skips (and fails in CI): it has nothing to check on SQLite.
func TestRowLevelSecurity(t *testing.T) {
	if !slices.Contains(apitest.Backends(t), "postgres") {
		testenv.Need(t, "row-level security exists only on PostgreSQL (MASSEFLYT_TEST_POSTGRES is not set; run `make test`)")
	}
	e := apitest.New(t, "postgres")
	db := e.App.DB
	a, other := e.Tenant("baerum").ID, e.Tenant("trondelag").ID
	ctxA := store.WithTenant(context.Background(), a)
	sys := store.System(context.Background(), "test: count other tenants' rows")

	// Raw SQL in tenant A's transaction sees none of the other tenants' rows,
	// though (as the system bypass shows) they exist.
	var othersExist int64
	for _, table := range e.App.DB.TenantTables() {
		var all, seen int64
		if err := db.Tx(sys, func(tx *gorm.DB) error {
			return tx.Raw("SELECT count(*) FROM "+table+" WHERE tenant_id <> ?", a).Scan(&all).Error
		}); err != nil {
			t.Fatalf("%s: system count: %v", table, err)
		}
		othersExist += all
		if err := db.Tx(ctxA, func(tx *gorm.DB) error {
			return tx.Raw("SELECT count(*) FROM "+table+" WHERE tenant_id <> ?", a).Scan(&seen).Error
		}); err != nil {
			t.Fatalf("%s: raw count in tenant A: %v", table, err)
		}
		if seen != 0 {
			t.Errorf("%s: raw SQL in tenant A saw %d of the %d rows of other tenants", table, seen, all)
		}
	}
	if othersExist == 0 {
		t.Fatal("no tenant table holds rows of other tenants: the isolation check above checked nothing")
	}

	// Outside a transaction with app.tenant_id set, nothing is visible.
	var orgs, n int64
	if err := db.Tx(sys, func(tx *gorm.DB) error { return tx.Raw("SELECT count(*) FROM organizations").Scan(&orgs).Error }); err != nil || orgs == 0 {
		t.Fatalf("system read saw %d organizations (err %v): want some", orgs, err)
	}
	if err := db.Gorm.Raw("SELECT count(*) FROM organizations").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("no tenant setting: saw %d of %d organizations (err %v)", n, orgs, err)
	}

	// WITH CHECK refuses a row for another tenant: the policy's own error
	// (SQLSTATE 42501), not the foreign key that would also refuse it. The
	// row is given with VALUES and names an organization the other tenant
	// really has, so nothing but the policy can refuse it (on Citus an
	// INSERT … SELECT may take a COPY path that fails for other reasons).
	var otherOrg string
	if err := db.Tx(sys, func(tx *gorm.DB) error {
		return tx.Raw("SELECT id FROM organizations WHERE tenant_id = ? ORDER BY id LIMIT 1", other).Scan(&otherOrg).Error
	}); err != nil || otherOrg == "" {
		t.Fatalf("the other tenant's organization: %q, %v", otherOrg, err)
	}
	err := db.Tx(ctxA, func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO contacts (tenant_id, id, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, 'x', now(), now())", other, store.NewID(), otherOrg).Error
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "row-level security") {
		t.Fatalf("tenant A inserting a row for another tenant: err = %v, want SQLSTATE 42501 (row-level security)", err)
	}
	// The same row in the other tenant's own transaction is accepted: the
	// refusal above is the policy's, not the row's.
	ctxOther := store.WithTenant(context.Background(), other)
	if err := db.Tx(ctxOther, func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO contacts (tenant_id, id, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, 'x', now(), now())", other, store.NewID(), otherOrg).Error
	}); err != nil {
		t.Fatalf("the other tenant inserting its own row: %v", err)
	}

	// The app role does not own the tables, so it cannot turn RLS off.
	err = db.Gorm.Exec("ALTER TABLE organizations DISABLE ROW LEVEL SECURITY").Error
	if err == nil || !strings.Contains(err.Error(), "must be owner") {
		t.Fatalf("the app role disabling row-level security: err = %v, want \"must be owner\" (it must not own the tables)", err)
	}
}

// TestUpdatesNeverMoveARowToAnotherTenant: no update sets tenant_id (on
// Citus it is the distribution column), whether a map, a column or a whole
// struct names it, in a tenant's transaction or the system's.
func TestUpdatesNeverMoveARowToAnotherTenant(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		db := e.App.DB
		a, b := e.Tenant("baerum").ID, e.Tenant("rogaland").ID
		ctxA := store.WithTenant(context.Background(), a)
		var org directory.Organization
		if err := db.Read(ctxA, func(tx *gorm.DB) error { return tx.Order("id").Take(&org).Error }); err != nil {
			t.Fatal(err)
		}
		sys := store.System(context.Background(), "test: move a row")
		for name, move := range map[string]func(tx *gorm.DB) error{
			"map": func(tx *gorm.DB) error {
				return tx.Model(&directory.Organization{}).Where("id = ?", org.ID).Updates(map[string]any{"tenant_id": b, "description": "moved?"}).Error
			},
			"column": func(tx *gorm.DB) error {
				return tx.Model(&directory.Organization{}).Where("id = ?", org.ID).Update("tenant_id", b).Error
			},
			"struct": func(tx *gorm.DB) error {
				o := org
				o.TenantID, o.Description = b, "moved?"
				return tx.Model(&o).Select("*").Updates(&o).Error
			},
		} {
			for _, ctx := range []context.Context{ctxA, sys} {
				_ = db.Tx(ctx, move)
				var tenant string
				if err := db.Read(sys, func(tx *gorm.DB) error {
					return tx.Raw("SELECT tenant_id FROM organizations WHERE id = ?", org.ID).Scan(&tenant).Error
				}); err != nil {
					t.Fatal(err)
				}
				if tenant != a {
					t.Fatalf("%s update moved organization %s to tenant %q", name, org.ID, tenant)
				}
			}
		}
	})
}
