package migrations_test

import (
	"regexp"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/internal/testenv"
	"github.com/masseflyt/masseflyt/migrations"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func needPostgres(t *testing.T) {
	if !slices.Contains(storetest.Backends(t), storetest.Postgres) {
		testenv.Need(t, "the migration lock and the row-level security steps exist only on PostgreSQL (MASSEFLYT_TEST_POSTGRES is not set)")
	}
}

func open(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(store.Options{URL: url, Clock: storetest.DefaultClock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestConcurrentMigrations: processes that start together (serve, seed,
// token create) migrate one after another under the advisory lock; before
// it, three concurrent runs deadlocked two of nine processes.
func TestConcurrentMigrations(t *testing.T) {
	needPostgres(t)
	owner, role := storetest.EmptyPostgres(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		db := open(t, owner)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = migrations.Run(db, migrations.Options{AppRole: role})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	var applied int64
	if err := open(t, owner).Gorm.Raw(`SELECT count(*) FROM schema_migrations`).Scan(&applied).Error; err != nil || applied != int64(len(migrations.IDs())) {
		t.Fatalf("applied %d migrations (%v), want %d", applied, err, len(migrations.IDs()))
	}
}

var ddl = regexp.MustCompile(`(?i)^\s*(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT|TRUNCATE)\b`)

// TestStartRunsNoDDL: with nothing pending, Run only reads the catalog:
// row-level security and grants are changed only when they differ from
// what is in place. A table whose RLS was turned off by hand is set right
// on the next run.
func TestStartRunsNoDDL(t *testing.T) {
	needPostgres(t)
	owner, role := storetest.EmptyPostgres(t)
	if err := migrations.Run(open(t, owner), migrations.Options{AppRole: role}); err != nil {
		t.Fatal(err)
	}
	db := open(t, owner)
	var mu sync.Mutex
	var seen []string
	if err := db.Gorm.Callback().Raw().Before("gorm:raw").Register("test:ddl", func(tx *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, tx.Statement.SQL.String())
	}); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Run(db, migrations.Options{AppRole: role}); err != nil {
		t.Fatal(err)
	}
	for _, s := range seen {
		if ddl.MatchString(s) {
			t.Errorf("a start with nothing pending ran DDL: %.120s", s)
		}
	}

	// Drift: the owner turns forced RLS off on one table; the next run
	// puts it back (and only then runs DDL).
	if err := db.Gorm.Exec(`ALTER TABLE organizations NO FORCE ROW LEVEL SECURITY`).Error; err != nil {
		t.Fatal(err)
	}
	seen = nil
	if err := migrations.Run(db, migrations.Options{AppRole: role}); err != nil {
		t.Fatal(err)
	}
	var forced bool
	if err := db.Gorm.Raw(`SELECT relforcerowsecurity FROM pg_class WHERE relname = 'organizations'`).Scan(&forced).Error; err != nil || !forced {
		t.Fatalf("forced RLS on organizations after the next run: %v (%v), want true", forced, err)
	}
	if !slices.ContainsFunc(seen, ddl.MatchString) {
		t.Fatal("the run after drift ran no DDL, yet RLS is forced again: the check above proves nothing")
	}
}
