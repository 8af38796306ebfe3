// Package apitest is the scenario harness for API and UI tests: a fresh app
// per test, seeded with the test world (internal/fixtures, through the
// domain), on SQLite and, when MASSEFLYT_TEST_POSTGRES is set, on
// PostgreSQL (connecting as the non-owner app role, so row-level security
// applies). In CI (CI=true) Postgres is required: tests fail without it.
package apitest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/fixtures"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/server"
)

// Secret signs dev-login cookies in tests.
const Secret = "apitest-secret-0123456789abcdef0123456789"

// Backends lists the databases tests run on (storetest.Backends: SQLite,
// and PostgreSQL when configured, which CI requires).
func Backends(t testing.TB) []string { return storetest.Backends(t) }

// RequirePostgres is for tests that only PostgreSQL can run (several
// instances sharing events): it fails in CI without PostgreSQL and skips
// elsewhere, or in a SQLite-only run.
func RequirePostgres(t testing.TB, why string) {
	t.Helper()
	storetest.RequirePostgres(t, why)
}

// Env is one app on one fresh, fixture-seeded database.
type Env struct {
	T       testing.TB
	App     *app.App
	Backend string
	Cfg     app.Config
	base    string // set once stream requests served the app on a port
}

// Config returns the test configuration for a data dir or database.
func Config() app.Config {
	cfg := app.DefaultConfig()
	cfg.Env = "development"
	cfg.Secret = Secret
	cfg.Identity = "identity.dev"
	cfg.Bizreg = "bizreg.fake"
	cfg.Geocoder = "geocoder.fake"
	cfg.PolicyReload = 0
	cfg.APIRateLimit = 0
	cfg.LoginRateLimit = 0
	cfg.Fair = app.FairLimits{} // every request comes from one address (app/fair_test.go tests the caps)
	cfg.BaseDomain = "masseflyt.test"
	cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.DBAppRole = "", "", ""
	cfg.Clock, cfg.Now = Clock(), "" // the harness clock (MASSEFLYT_NOW is read once, by Clock)
	cfg.NoBackground = true          // tests run the digest, sweep and drain themselves
	return cfg
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// New returns a fresh env on backend.
func New(t testing.TB, backend string) *Env {
	t.Helper()
	cfg := Config()
	switch backend {
	case "sqlite":
		dir := t.TempDir()
		copyFile(t, sqliteTemplate(t), filepath.Join(dir, "masseflyt.db"))
		cfg.DataDir = dir
	case "postgres":
		cfg.DataDir = t.TempDir() // uploads: never into the source tree
		owner, appURL := seeded.Clone(t)
		cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.DBAppRole = appURL, owner, os.Getenv(storetest.PostgresAppRoleEnv)
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	a, err := buildApp(cfg)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return &Env{T: t, App: a, Backend: backend, Cfg: cfg}
}

// buildApp builds the standard app on an already migrated database.
func buildApp(cfg app.Config) (*app.App, error) {
	return server.New(cfg, app.Options{Logger: quiet, SkipMigrate: true})
}

// Instance starts another app instance on the env's database, as a second
// server behind a load balancer would be.
func (e *Env) Instance() *app.App {
	e.T.Helper()
	a, err := buildApp(e.Cfg)
	if err != nil {
		e.T.Fatalf("second instance: %v", err)
	}
	e.T.Cleanup(func() { _ = a.Close() })
	return a
}

// Serve serves a on a loopback port until the test ends and returns its
// base URL (host may be "127.0.0.1" or "localhost", to make two sites).
func Serve(t testing.TB, a *app.App, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Fiber.Listener(ln) }()
	t.Cleanup(func() {
		a.Live.Close()
		_ = a.Fiber.ShutdownWithTimeout(5 * time.Second)
	})
	return "http://" + host + ":" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// Each runs fn on a fresh env for every backend.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, New(t, b)) })
	}
}

var (
	tplDirs    []string // template folders, removed by Main
	sqliteOnce sync.Once
	sqliteFile string
	sqliteErr  error
)

// sqliteTemplate builds one migrated, seeded SQLite file per test process.
func sqliteTemplate(t testing.TB) string {
	sqliteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "masseflyt-tpl-")
		if err != nil {
			sqliteErr = err
			return
		}
		tplDirs = append(tplDirs, dir)
		cfg := Config()
		cfg.DataDir = dir
		sqliteErr = seedWith(cfg)
		sqliteFile = filepath.Join(dir, "masseflyt.db")
	})
	if sqliteErr != nil {
		t.Fatalf("sqlite template: %v", sqliteErr)
	}
	return sqliteFile
}

func seedWith(cfg app.Config) error {
	a, err := server.New(cfg, app.Options{Logger: quiet})
	if err != nil {
		return err
	}
	defer a.Close()
	// The fixtures go in through the domain; what their publication starts
	// (match discovery, notifications) is done before the template is frozen.
	if err := fixtures.Seed(context.Background(), seed.Of(a)); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.Events.Settle(ctx); err != nil {
		return err
	}
	if a.DB.Dialect == store.SQLite {
		return a.DB.Gorm.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	return nil
}

func copyFile(t testing.TB, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Main runs a package's tests, then drops the databases they created
// (storetest.Cleanup) and the template folders.
func Main(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	for _, d := range tplDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// Helpers of the snapshots' clones (snapshot.go).
var (
	randName  = storetest.RandName
	withDB    = storetest.WithDB
	withUser  = storetest.WithUser
	dropLater = storetest.DropLater
)

// seeded is the per-process PostgreSQL template: migrated and seeded with
// the fixtures by the standard app; every env clones it.
var seeded = &storetest.PGTemplate{Prefix: "mf_tpl_", Build: func(ownerURL, appRole string) error {
	dir, err := os.MkdirTemp("", "masseflyt-pgtpl-")
	if err != nil {
		return err
	}
	tplDirs = append(tplDirs, dir)
	cfg := Config()
	cfg.DataDir = dir
	cfg.MigrateDatabaseURL, cfg.DatabaseURL = ownerURL, ownerURL
	cfg.DBAppRole = appRole
	return seedWith(cfg)
}}
