// Package apitest is the scenario harness for API and UI tests: a fresh,
// demo-seeded app per test on SQLite and, when MASSEFLYT_TEST_POSTGRES is set,
// on PostgreSQL (connecting as the non-owner app role, so row-level security
// applies). In CI (CI=true) Postgres is required: tests fail without it.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/testenv"
	"github.com/masseflyt/masseflyt/plugins/identity/dev"
	"github.com/masseflyt/masseflyt/server"
	"github.com/masseflyt/masseflyt/tenants"
)

// Secret signs dev-login cookies in tests.
const Secret = "apitest-secret-0123456789abcdef0123456789"

// Backends lists the databases tests run on.
func Backends(t testing.TB) []string {
	out := []string{"sqlite"}
	if testenv.SQLiteOnly() {
		return out
	}
	if os.Getenv("MASSEFLYT_TEST_POSTGRES") != "" {
		out = append(out, "postgres")
	} else if testenv.CI() {
		t.Fatal("MASSEFLYT_TEST_POSTGRES is not set: in CI every storage test must also run on PostgreSQL (run `make test`)")
	}
	return out
}

// RequirePostgres is for tests that only PostgreSQL can run (several
// instances sharing events): it fails in CI without PostgreSQL and skips
// elsewhere, or in a SQLite-only run.
func RequirePostgres(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("MASSEFLYT_TEST_POSTGRES") == "" || testenv.SQLiteOnly() {
		testenv.Need(t, "needs PostgreSQL (MASSEFLYT_TEST_POSTGRES): "+why)
	}
}

// Env is one app on one fresh, demo-seeded database.
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
	cfg.BaseDomain = "masseflyt.test"
	cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.DBAppRole = "", "", ""
	cfg.Clock, cfg.Now = Clock(), "" // the harness clock (MASSEFLYT_NOW is read once, by Clock)
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
		owner, appURL := postgresClone(t)
		cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.DBAppRole = appURL, owner, os.Getenv("MASSEFLYT_TEST_POSTGRES_APP_ROLE")
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
	if err := demo.Seed(context.Background(), a.DB, a.Tenants, a.Roles); err != nil {
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

var (
	pgOnce sync.Once
	pgTpl  string
	pgErr  error
)

func randName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func withDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

func withUser(raw, user string) string {
	u, _ := url.Parse(raw)
	u.User = url.User(user)
	return u.String()
}

func adminExec(sql string) error {
	db, err := store.Open(store.Options{URL: os.Getenv("MASSEFLYT_TEST_POSTGRES")})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Gorm.Exec(sql).Error
}

var (
	dropOnce sync.Once
	drops    chan string
	dropWG   sync.WaitGroup
)

// dropLater drops a test database in the background, so tests do not wait
// for it; Main waits for the drops before the process exits.
func dropLater(name string) {
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

// Main runs a package's tests, then drops the databases they created.
func Main(m *testing.M) {
	code := m.Run()
	dropWG.Wait()
	if pgTpl != "" {
		_ = adminExec("DROP DATABASE IF EXISTS " + pgTpl + " WITH (FORCE)")
	}
	for _, d := range tplDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// postgresClone creates a database from a per-process seeded template and
// returns the owner URL and the app-role URL.
func postgresClone(t testing.TB) (string, string) {
	base := os.Getenv("MASSEFLYT_TEST_POSTGRES")
	role := os.Getenv("MASSEFLYT_TEST_POSTGRES_APP_ROLE")
	if role == "" {
		t.Fatal("MASSEFLYT_TEST_POSTGRES_APP_ROLE must name the non-owner role the app connects as")
	}
	pgOnce.Do(func() {
		pgTpl = randName("mf_tpl_")
		if pgErr = adminExec("CREATE DATABASE " + pgTpl); pgErr != nil {
			return
		}
		cfg := Config()
		dir, err := os.MkdirTemp("", "masseflyt-pgtpl-")
		if pgErr = err; err != nil {
			return
		}
		tplDirs = append(tplDirs, dir)
		cfg.DataDir = dir
		cfg.MigrateDatabaseURL = withDB(base, pgTpl)
		cfg.DatabaseURL = cfg.MigrateDatabaseURL
		cfg.DBAppRole = role
		pgErr = seedWith(cfg)
	})
	if pgErr != nil {
		t.Fatalf("postgres template: %v", pgErr)
	}
	name := randName("mf_t_")
	var err error
	for i := 0; i < 20; i++ { // the template may still have a closing connection
		if err = adminExec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, pgTpl)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	t.Cleanup(func() { dropLater(name) })
	owner := withDB(base, name)
	return owner, withUser(owner, role)
}

// Tenant returns a demo tenant by slug.
func (e *Env) Tenant(slug string) *tenants.Tenant {
	t, ok := e.App.Tenants.BySlug(slug)
	if !ok {
		e.T.Fatalf("no tenant %q", slug)
	}
	return t
}

// Ctx returns a context scoped to a tenant.
func (e *Env) Ctx(slug string) context.Context {
	return store.WithTenant(context.Background(), e.Tenant(slug).ID)
}

// OrgID returns the ID of a demo organization by key.
func (e *Env) OrgID(slug, key string) string {
	var num string
	for _, o := range demo.Orgs {
		if o.Key == key {
			num = o.OrgNumber
		}
	}
	var id string
	err := e.App.DB.Read(e.Ctx(slug), func(tx *gorm.DB) error {
		return tx.Table("organizations").Select("id").Where("org_number = ?", num).Scan(&id).Error
	})
	if err != nil || id == "" {
		e.T.Fatalf("org %s/%s: %v", slug, key, err)
	}
	return id
}

// FirstID returns the ID of the first row of table in a tenant matching where.
func (e *Env) FirstID(slug, table, where string, args ...any) string {
	var id string
	err := e.App.DB.Read(e.Ctx(slug), func(tx *gorm.DB) error {
		q := tx.Table(table).Select("id")
		if where != "" {
			q = q.Where(where, args...)
		}
		return q.Order("id").Limit(1).Scan(&id).Error
	})
	if err != nil || id == "" {
		e.T.Fatalf("first %s in %s where %s: %v", table, slug, where, err)
	}
	return id
}

// Count counts rows of a tenant table (or a global table with slug "").
func (e *Env) Count(slug, table, where string, args ...any) int64 {
	ctx := store.System(context.Background(), "test count")
	if slug != "" {
		ctx = e.Ctx(slug)
	}
	var n int64
	err := e.App.DB.Read(ctx, func(tx *gorm.DB) error {
		q := tx.Table(table)
		if where != "" {
			q = q.Where(where, args...)
		}
		return q.Count(&n).Error
	})
	if err != nil {
		e.T.Fatalf("count %s: %v", table, err)
	}
	return n
}

// User returns a demo user by e-mail.
func (e *Env) User(email string) *auth.User {
	u, err := e.App.Users.ByEmail(context.Background(), email)
	if err != nil {
		e.T.Fatalf("user %s: %v", email, err)
	}
	return u
}

// Cookie returns a dev-login cookie header for a demo user.
func Cookie(email string) string {
	return dev.CookieName + "=" + dev.Sign([]byte(Secret), demo.Subject(email))
}

// Token issues an API token for a demo user in a tenant.
func (e *Env) Token(slug, email string, scopes ...string) string {
	_, secret, err := e.App.Users.CreateToken(e.Ctx(slug), e.User(email).ID, "test", scopes, 24*time.Hour)
	if err != nil {
		e.T.Fatal(err)
	}
	return secret
}

// Request is one call.
type Request struct {
	Method string
	Path   string
	Host   string
	Body   any    // string, []byte or a value sent as JSON
	As     string // demo user e-mail (dev-login cookie)
	Token  string
	Header map[string]string
}

// Response is the outcome.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request through the whole middleware stack.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader = http.NoBody
	ct := ""
	switch b := r.Body.(type) {
	case nil:
	case string:
		body, ct = strings.NewReader(b), "application/json"
	case []byte:
		body, ct = bytes.NewReader(b), "application/octet-stream"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		body, ct = bytes.NewReader(j), "application/json"
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if r.Host != "" {
		req.Host = r.Host
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if r.As != "" {
		req.Header.Set("Cookie", Cookie(r.As))
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if strings.HasSuffix(req.URL.Path, "/events") {
		return e.stream(req)
	}
	resp, err := e.App.Fiber.Test(req, -1)
	if err != nil {
		e.T.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
	e.checkContract(req, out)
	return out
}

// stream sends an event-stream request over a real connection (a stream
// never ends, so app.Test cannot) and returns what arrived in the first
// 300 ms.
func (e *Env) stream(req *http.Request) *Response {
	e.T.Helper()
	if e.base == "" {
		e.base = Serve(e.T, e.App, "127.0.0.1")
	}
	out, err := http.NewRequest(req.Method, e.base+req.URL.RequestURI(), req.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	out.Header = req.Header.Clone()
	if req.Host != "" && req.Host != "example.com" {
		out.Host = req.Host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	resp, err := http.DefaultClient.Do(out.WithContext(ctx))
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // ends at the deadline
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
