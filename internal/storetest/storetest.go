// Package storetest starts a database, and nothing else, for domain tests:
// no HTTP app and no demo data. A test gets a fresh database migrated with
// the real migrations, on SQLite (a file in the test's temp dir) and, when
// MASSEFLYT_TEST_POSTGRES is set, on PostgreSQL, connected as the non-owner
// app role so row-level security applies. In CI (CI set) PostgreSQL is
// required: a storage test fails without it, never skips.
//
// A package that opens PostgreSQL databases runs its tests through Main (or
// apitest.Main, which does the same cleanup), so the databases it created
// are dropped when it ends:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		storetest.Each(t, func(t *testing.T, db *store.DB) {
//			tid := storetest.Tenant(t, db, "baerum")
//			u := storetest.User(t, db, "kari@example.no")
//			ctx := storetest.Ctx(tid, storetest.As(u))
//			…
//		})
//	}
package storetest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/testenv"
	"github.com/masseflyt/masseflyt/migrations"
)

// The backends.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Backends lists the databases storage tests run on: SQLite always, and
// PostgreSQL when MASSEFLYT_TEST_POSTGRES is set. In CI a missing
// PostgreSQL fails the test; a SQLite-only run (MASSEFLYT_TEST_BACKENDS=sqlite)
// asks for SQLite alone.
func Backends(t testing.TB) []string {
	out := []string{SQLite}
	if testenv.SQLiteOnly() {
		return out
	}
	if os.Getenv(PostgresEnv) != "" {
		out = append(out, Postgres)
	} else if testenv.CI() {
		t.Fatal("MASSEFLYT_TEST_POSTGRES is not set: in CI every storage test must also run on PostgreSQL (run `make test`)")
	}
	return out
}

// RequirePostgres is for tests that only PostgreSQL can run: it fails in CI
// without PostgreSQL and skips elsewhere, or in a SQLite-only run.
func RequirePostgres(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" || testenv.SQLiteOnly() {
		testenv.Need(t, "needs PostgreSQL (MASSEFLYT_TEST_POSTGRES): "+why)
	}
}

var (
	clockOnce sync.Once
	harness   clock.Clock
)

// DefaultClock is the clock of every test database and app a test process
// builds unless a test gives its own: the real clock, or MASSEFLYT_NOW when
// set (the suite must pass at any date). It is read once.
func DefaultClock() clock.Clock {
	clockOnce.Do(func() {
		c, err := clock.FromSetting(os.Getenv(clock.EnvVar), false)
		if err != nil {
			panic(err)
		}
		harness = c
	})
	return harness
}

// An Option changes how Open opens a database.
type Option func(*options)

type options struct {
	clock clock.Clock
	busy  time.Duration
}

// Clock makes c the database's clock (db.Now, creation and update stamps),
// typically a *clock.Manual that the test moves.
func Clock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// BusyTimeout is how long a SQLite writer waits for the write lock (the
// store's default when not given).
func BusyTimeout(d time.Duration) Option { return func(o *options) { o.busy = d } }

// Open returns a fresh, migrated, empty database on backend ("sqlite" or
// "postgres"), closed when the test ends.
func Open(t testing.TB, backend string, opts ...Option) *store.DB {
	t.Helper()
	o := options{clock: DefaultClock()}
	for _, f := range opts {
		f(&o)
	}
	var db *store.DB
	switch backend {
	case SQLite:
		var err error
		if db, err = store.Open(store.Options{DataDir: t.TempDir(), Clock: o.clock, BusyTimeout: o.busy}); err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		if err := migrations.Run(db, migrations.Options{}); err != nil {
			_ = db.Close()
			t.Fatalf("migrate sqlite: %v", err)
		}
	case Postgres:
		ownerURL, appURL := emptyTemplate.Clone(t)
		var err error
		if db, err = store.Open(store.Options{URL: appURL, KeyURL: ownerURL, Clock: o.clock}); err != nil {
			t.Fatalf("open postgres: %v", err)
		}
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Each runs fn on a fresh database of every backend in Backends, each in a
// subtest named after its backend.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...Option) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, Open(t, b, opts...)) })
	}
}

// emptyTemplate is the migrated, empty PostgreSQL database Open clones.
var emptyTemplate = &PGTemplate{Prefix: "mf_stpl_", Build: func(ownerURL, appRole string) error {
	db, err := store.Open(store.Options{URL: ownerURL, Clock: DefaultClock()})
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Run(db, migrations.Options{AppRole: appRole})
}}

// Main runs a package's tests, then drops the PostgreSQL databases they
// created, and exits.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// sys is the context of test set-up that writes global rows.
func sys() context.Context { return store.System(context.Background(), "storetest: set-up") }
