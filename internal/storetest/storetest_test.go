package storetest_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/migrations"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// TestOpenMigrates: a database comes with every migration applied, its
// tenant tables known to the store, and nothing else in it.
func TestOpenMigrates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var ids []string
		if err := db.Read(store.System(t.Context(), "test"), func(tx *gorm.DB) error {
			return tx.Table("schema_migrations").Order("id").Pluck("id", &ids).Error
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, migrations.IDs()) {
			t.Fatalf("applied %v, want %v", ids, migrations.IDs())
		}
		for _, table := range []string{"api_tokens", "listings", "notifications", "outbox"} {
			if !slices.Contains(db.TenantTables(), table) {
				t.Errorf("%s is not a tenant table: %v", table, db.TenantTables())
			}
		}
		for _, table := range []string{"tenants", "users", "organizations", "listings"} {
			var n int64
			if err := db.Read(store.System(t.Context(), "test"), func(tx *gorm.DB) error { return tx.Table(table).Count(&n).Error }); err != nil || n != 0 {
				t.Fatalf("%s: %d rows (%v), want an empty database", table, n, err)
			}
		}
	})
}

// TestOpenIsFresh: every Open is a database of its own.
func TestOpenIsFresh(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b, func(t *testing.T) {
			one, two := storetest.Open(t, b), storetest.Open(t, b)
			storetest.Tenant(t, one, "en")
			var n int64
			if err := two.Read(store.System(t.Context(), "test"), func(tx *gorm.DB) error { return tx.Table("tenants").Count(&n).Error }); err != nil || n != 0 {
				t.Fatalf("the second database sees %d tenants (%v)", n, err)
			}
		})
	}
}

// TestClockOption: the store's clock is the one given, and it stamps rows.
func TestClockOption(t *testing.T) {
	at := time.Date(2031, 3, 14, 9, 26, 53, 589793000, time.UTC)
	mc := clock.NewManual(at)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if !db.Now().Equal(at) {
			t.Fatalf("db.Now() = %v, want %v", db.Now(), at)
		}
		mc.Advance(time.Hour)
		u := storetest.User(t, db, "klokke@example.no")
		var got auth.User
		if err := db.Read(store.System(t.Context(), "test"), func(tx *gorm.DB) error { return tx.Where("id = ?", u.ID).Take(&got).Error }); err != nil {
			t.Fatal(err)
		}
		if want := at.Add(time.Hour); !got.CreatedAt.Equal(want) {
			t.Fatalf("created at %v, want the store clock's %v", got.CreatedAt, want)
		}
		mc.Set(at)
	}, storetest.Clock(mc))
}

// TestDefaultClock: without the option, the harness clock (MASSEFLYT_NOW
// when set).
func TestDefaultClock(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite)
	if db.Clock != storetest.DefaultClock() {
		t.Fatalf("clock %T, want the harness clock", db.Clock)
	}
	if d := db.Now().Sub(storetest.DefaultClock().Now()); d > time.Second || d < -time.Second {
		t.Fatalf("db.Now() is %v off the harness clock", d)
	}
}

// TestTenantsAndCtx: Tenant makes rows that scoping accepts; Ctx scopes to
// the tenant and carries the actor; a context without a tenant fails closed
// and another tenant sees nothing.
func TestTenantsAndCtx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, b := storetest.Tenant(t, db, "a"), storetest.Tenant(t, db, "b")
		if a == b || !store.ValidID(a) {
			t.Fatalf("tenant IDs %q %q", a, b)
		}
		u := storetest.User(t, db, "ola@example.no")
		ctx := storetest.Ctx(a, storetest.As(u, auth.RoleMember))
		act := access.From(ctx)
		if act.TenantID != a || act.UserID() != u.ID || !act.Principal.Has(auth.RoleMember) || !act.Principal.Has(auth.RoleAuthenticated) || act.Anonymous() {
			t.Fatalf("actor %+v %+v", act, act.Principal)
		}
		if tid, ok := store.TenantID(ctx); !ok || tid != a {
			t.Fatalf("context tenant %q %v", tid, ok)
		}
		if anon := access.From(storetest.Ctx(b)); !anon.Anonymous() || anon.TenantID != b {
			t.Fatalf("Ctx without an actor: %+v", anon)
		}
		// The same actor given to two contexts is not shared between them.
		shared := storetest.As(u)
		_ = storetest.Ctx(a, shared)
		if access.From(storetest.Ctx(b, shared)).TenantID != b || shared.TenantID != "" {
			t.Fatal("Ctx must not change the actor it was given")
		}

		users := &auth.Users{DB: db}
		if _, _, err := users.CreateToken(ctx, u.ID, "a", []string{auth.ScopeRead}, time.Hour); err != nil {
			t.Fatal(err)
		}
		mine, err := users.Tokens(ctx, u.ID)
		if err != nil || len(mine) != 1 || mine[0].TenantID != a {
			t.Fatalf("tenant A's tokens: %+v %v", mine, err)
		}
		if theirs, err := users.Tokens(storetest.Ctx(b, storetest.As(u)), u.ID); err != nil || len(theirs) != 0 {
			t.Fatalf("tenant B sees %d of A's tokens (%v)", len(theirs), err)
		}
		if _, err := users.Tokens(t.Context(), u.ID); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("no tenant: %v, want ErrNoTenant", err)
		}
	})
}

// TestPostgresConnectsAsTheAppRole: on PostgreSQL the code under test is
// the app role, a non-owner, so row-level security is the second wall.
func TestPostgresConnectsAsTheAppRole(t *testing.T) {
	storetest.RequirePostgres(t, "the app role is a PostgreSQL role")
	db := storetest.Open(t, storetest.Postgres)
	var user string
	if err := db.Gorm.Raw("SELECT current_user").Scan(&user).Error; err != nil {
		t.Fatal(err)
	}
	if want := os.Getenv(storetest.PostgresAppRoleEnv); user != want {
		t.Fatalf("connected as %q, want the app role %q", user, want)
	}
	tid := storetest.Tenant(t, db, "rls")
	// A row written in the tenant is invisible to a raw query without the
	// tenant setting: RLS, not only the store's scoping, hides it.
	u := storetest.User(t, db, "rls@example.no")
	if _, _, err := (&auth.Users{DB: db}).CreateToken(storetest.Ctx(tid, storetest.As(u)), u.ID, "rls", []string{auth.ScopeRead}, time.Hour); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM api_tokens").Scan(&n).Error; err != nil || n != 0 {
		t.Fatalf("without a tenant the app role sees %d tokens (%v)", n, err)
	}
}

// fatalTB records a Fatal instead of ending the test.
type fatalTB struct {
	testing.TB
	fatal string
}

func (f *fatalTB) Fatal(args ...any) { f.fatal = fmt.Sprint(args...) }

// TestBackendsInCI: in CI a missing PostgreSQL fails, it never skips; a
// SQLite-only run asks for SQLite alone, in CI too.
func TestBackendsInCI(t *testing.T) {
	for _, c := range []struct {
		name, ci, pg, only string
		want               []string
		fails              bool
	}{
		{name: "local without postgres", want: []string{"sqlite"}},
		{name: "local with postgres", pg: "postgres://x", want: []string{"sqlite", "postgres"}},
		{name: "ci without postgres", ci: "true", want: []string{"sqlite"}, fails: true},
		{name: "ci with postgres", ci: "1", pg: "postgres://x", want: []string{"sqlite", "postgres"}},
		{name: "ci sqlite only", ci: "true", only: "sqlite", want: []string{"sqlite"}},
		{name: "sqlite only with postgres", pg: "postgres://x", only: "sqlite", want: []string{"sqlite"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("CI", c.ci)
			t.Setenv(storetest.PostgresEnv, c.pg)
			t.Setenv("MASSEFLYT_TEST_BACKENDS", c.only)
			f := &fatalTB{TB: t}
			got := storetest.Backends(f)
			if !slices.Equal(got, c.want) || (f.fatal != "") != c.fails {
				t.Fatalf("backends %v, fatal %q; want %v, fails %v", got, f.fatal, c.want, c.fails)
			}
		})
	}
}
