package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
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
)

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
		if p.err = adminExec("CREATE DATABASE " + p.name); p.err != nil {
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
	var err error
	for i := 0; i < 20; i++ { // the template may still have a closing connection
		if err = adminExec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, p.name)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
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

// adminExec runs one statement (CREATE or DROP DATABASE) on the server's
// maintenance database as the owner. It is database administration, not
// data access: it goes to database/sql, past GORM and the store's scoping.
func adminExec(sql string) error {
	db, err := store.Open(store.Options{URL: os.Getenv(PostgresEnv)})
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

var (
	dropOnce sync.Once
	drops    chan string
	dropWG   sync.WaitGroup
)

// DropLater drops a test database in the background, so tests do not wait
// for it; Cleanup waits for the drops.
func DropLater(name string) {
	dropOnce.Do(func() {
		drops = make(chan string, 4096)
		go func() {
			for n := range drops {
				_ = adminExec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
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
		_ = adminExec("DROP DATABASE IF EXISTS " + n + " WITH (FORCE)")
	}
	templates = nil
}
