package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/store"
)

// The environment that points the tests at a PostgreSQL server (scripts/pg.sh
// prints both): an owner connection (it creates and drops the test
// databases and migrates them) and the non-owner role the code under test
// connects as.
const (
	PostgresEnv        = "MASSEFLYT_TEST_POSTGRES"
	PostgresAppRoleEnv = "MASSEFLYT_TEST_POSTGRES_APP_ROLE"
	// CitusWorkersEnv turns on the Citus mode of the harness: the
	// comma-separated host:port of the cluster's workers, with
	// MASSEFLYT_TEST_POSTGRES pointing at the coordinator (the same roles
	// exist on every node; docs/scaling.md). Every test database is then
	// created, cloned and dropped on every node, with the citus extension
	// and the workers registered, and the migrations distribute it.
	CitusWorkersEnv = "MASSEFLYT_TEST_CITUS_WORKERS"
)

// citusWorkers lists the workers' owner URLs for database db (none unless
// the harness runs in Citus mode).
func citusWorkers(db string) []string {
	var out []string
	for _, w := range strings.Split(os.Getenv(CitusWorkersEnv), ",") {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		u, err := url.Parse(WithDB(os.Getenv(PostgresEnv), db))
		if err != nil {
			panic(err)
		}
		u.Host = w
		out = append(out, u.String())
	}
	return out
}

// Citus reports whether the harness runs against a Citus cluster.
func Citus() bool { return len(citusWorkers("postgres")) > 0 }

// CreateDatabase creates database name (a copy of template unless template
// is empty). In Citus mode it does so on every node: a copy copies each
// node's shards and metadata, and a new database gets the extension and
// the workers.
func CreateDatabase(name, template string) error {
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	workers := citusWorkers("postgres")
	nodes := append([]string{os.Getenv(PostgresEnv)}, workers...)
	super := func(raw, db string) string { return WithUser(WithDB(raw, db), "postgres") }
	done := make([]bool, len(nodes))
	var err error
	for i := 0; i < 50; i++ { // the template may still have a closing connection
		if template != "" && len(workers) > 0 {
			// Citus' maintenance daemons (owned by the superuser) connect
			// to each other's copy of the template: end them on every
			// node, then copy at once, before they come back.
			for _, n := range nodes {
				_ = execAt(super(n, "postgres"), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"+template+"' AND pid <> pg_backend_pid()")
			}
		}
		err = nil
		for j, n := range nodes {
			if done[j] {
				continue
			}
			if e := execAt(n, stmt); e != nil {
				err = e
			} else {
				done[j] = true
			}
		}
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	if template != "" || len(workers) == 0 {
		return nil
	}
	for _, n := range nodes {
		if err := execAt(super(n, name), "CREATE EXTENSION IF NOT EXISTS citus"); err != nil {
			return fmt.Errorf("citus extension: %w", err)
		}
	}
	coord, _ := url.Parse(os.Getenv(PostgresEnv))
	if err := execAt(super(nodes[0], name), fmt.Sprintf("SELECT citus_set_coordinator_host('%s', %s)", coord.Hostname(), coord.Port())); err != nil {
		return err
	}
	for _, w := range workers {
		u, _ := url.Parse(w)
		if err := execAt(super(nodes[0], name), fmt.Sprintf("SELECT citus_add_node('%s', %s)", u.Hostname(), u.Port())); err != nil {
			return fmt.Errorf("citus add node: %w", err)
		}
	}
	return nil
}

// dropDatabase drops name on every node.
func dropDatabase(name string) error {
	var first error
	for _, n := range append([]string{os.Getenv(PostgresEnv)}, citusWorkers("postgres")...) {
		if err := execAt(n, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// execAt runs one administrative statement at url, past GORM.
func execAt(raw, sql string) error {
	db, err := store.Open(store.Options{URL: raw})
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(context.Background(), sql)
	return err
}

// PGTemplate is a PostgreSQL database built once per test process and
// cloned (CREATE DATABASE … TEMPLATE) for every test that asks: building
// the schema, or a seeded app, once is what keeps the Postgres runs fast.
// Cleanup drops the clones and the templates.
type PGTemplate struct {
	// Prefix starts the template's database name (mf_…_).
	Prefix string
	// Build migrates (and may seed) the template, connecting as its owner
	// at ownerURL; appRole is the role to grant the app's rights to.
	Build func(ownerURL, appRole string) error

	once sync.Once
	name string
	err  error
}

var (
	tplMu     sync.Mutex
	templates []string // template databases, dropped by Cleanup
)

// Clone creates a database from the template (building the template first
// if this process has not) and returns its owner URL and the URL the app
// role connects with. The database is dropped after the test, in the
// background; Cleanup waits for the drops.
func (p *PGTemplate) Clone(t testing.TB) (owner, app string) {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	role := os.Getenv(PostgresAppRoleEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	if role == "" {
		t.Fatalf("%s must name the non-owner role the app connects as", PostgresAppRoleEnv)
	}
	p.once.Do(func() {
		p.name = RandName(p.Prefix)
		if p.err = CreateDatabase(p.name, ""); p.err != nil {
			return
		}
		tplMu.Lock()
		templates = append(templates, p.name)
		tplMu.Unlock()
		p.err = p.Build(WithDB(base, p.name), role)
	})
	if p.err != nil {
		t.Fatalf("postgres template %s: %v", p.Prefix, p.err)
	}
	name := RandName("mf_t_")
	if err := CreateDatabase(name, p.name); err != nil {
		t.Fatalf("clone: %v", err)
	}
	t.Cleanup(func() { DropLater(name) })
	owner = WithDB(base, name)
	return owner, WithUser(owner, role)
}

// RandName is a fresh database name starting with prefix.
func RandName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// WithDB is the connection URL raw with database db.
func WithDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

// WithUser is the connection URL raw with user instead.
func WithUser(raw, user string) string {
	u, _ := url.Parse(raw)
	u.User = url.User(user)
	return u.String()
}

var (
	dropOnce sync.Once
	drops    chan string
	dropWG   sync.WaitGroup
)

// DropLater drops a test database in the background, so tests do not wait
// for it; Cleanup waits for the drops.
func DropLater(name string) {
	if Citus() {
		// On a cluster a database fills every node's disk, and one
		// background dropper falls behind the clones (the authorization
		// matrix filled 21 GB so): drop it now, with a retry or two.
		for i := 0; i < 5 && dropDatabase(name) != nil; i++ {
			time.Sleep(200 * time.Millisecond)
		}
		return
	}
	dropOnce.Do(func() {
		drops = make(chan string, 4096)
		go func() {
			for n := range drops {
				_ = dropDatabase(n)
				dropWG.Done()
			}
		}()
	})
	dropWG.Add(1)
	drops <- name
}

// Cleanup drops the PostgreSQL databases this process created: it waits
// for the clones' drops, then drops the templates. Main (and apitest.Main)
// call it when a package's tests end.
func Cleanup() {
	dropWG.Wait()
	tplMu.Lock()
	defer tplMu.Unlock()
	for _, n := range templates {
		_ = dropDatabase(n)
	}
	templates = nil
}

// EmptyPostgres creates an empty PostgreSQL database (no schema; dropped
// after the test) and returns its owner URL and the app role, for tests of
// the migrations themselves.
func EmptyPostgres(t testing.TB) (ownerURL, appRole string) {
	t.Helper()
	base, role := os.Getenv(PostgresEnv), os.Getenv(PostgresAppRoleEnv)
	if base == "" || role == "" {
		t.Fatalf("%s and %s must be set", PostgresEnv, PostgresAppRoleEnv)
	}
	name := RandName("mf_e_")
	if err := CreateDatabase(name, ""); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { DropLater(name) })
	return WithDB(base, name), role
}
