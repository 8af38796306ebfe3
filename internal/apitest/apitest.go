// Package apitest is the scenario harness for API and UI tests: a fresh,
// demo-seeded app per test on SQLite and, when MASSEFLYT_TEST_POSTGRES is set,
// on PostgreSQL (connecting as the non-owner app role, so row-level security
// applies). In CI (CI=true) Postgres is required: tests fail without it.
package apitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
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

	"github.com/valyala/fasthttp"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/storetest"
	"github.com/masseflyt/masseflyt/plugins/identity/dev"
	"github.com/masseflyt/masseflyt/server"
	"github.com/masseflyt/masseflyt/tenants"
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
// the demo by the standard app; every env clones it.
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

// Variant builds another app on the env's database with the env's
// configuration changed by tweak (rate limits, an address, the identity
// provider) and the given options (a logger); migrations are skipped. It
// is closed when the test ends.
func (e *Env) Variant(tweak func(*app.Config), o app.Options) *app.App {
	e.T.Helper()
	cfg := e.App.Config
	tweak(&cfg)
	o.SkipMigrate = true
	if o.Logger == nil {
		o.Logger = quiet
	}
	a, err := server.New(cfg, o)
	if err != nil {
		e.T.Fatalf("app variant: %v", err)
	}
	e.T.Cleanup(func() { _ = a.Close() })
	return a
}

// Problem asserts that r is a problem+json answer with status and the
// stable type code, with a localized title, and returns it.
func Problem(t testing.TB, r *Response, status int, code string) httpx.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json: %s", ct, r.Body)
	}
	var p httpx.Problem
	r.JSON(t, &p)
	if p.Type != "urn:masseflyt:problem:"+code {
		t.Fatalf("problem type %q, want %s: %s", p.Type, code, r.Body)
	}
	if p.Title == "" || strings.HasPrefix(p.Title, "Err") {
		t.Fatalf("problem title not localized: %q", p.Title)
	}
	return p
}

// CSRF opens the tenant's home page as the user (anonymous when as is
// empty) and returns the CSRF cookie the UI's forms must echo.
func (e *Env) CSRF(slug, as string) string {
	e.T.Helper()
	r := e.Do(Request{Path: "/t/" + slug + "/", As: as})
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "mf_csrf="); ok {
			return strings.SplitN(v, ";", 2)[0]
		}
	}
	e.T.Fatal("no csrf cookie")
	return ""
}

// PostForm submits a UI form (path /t/{slug}/…) as the user, with a valid
// CSRF token.
func (e *Env) PostForm(path, as string, v url.Values) *Response {
	e.T.Helper()
	slug, _, _ := strings.Cut(strings.TrimPrefix(path, "/t/"), "/")
	if !strings.HasPrefix(path, "/t/") || slug == "" {
		e.T.Fatalf("PostForm: %s is not a tenant's UI path (/t/{slug}/…)", path)
	}
	tok := e.CSRF(slug, as)
	v.Set("_csrf", tok)
	cookie := "mf_csrf=" + tok
	if as != "" {
		cookie += "; " + Cookie(as)
	}
	return e.Do(Request{Method: "POST", Path: path, Body: []byte(v.Encode()), Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}})
}

// PublishNeed publishes, as Member of Sandvika Bygg, a need for 3,000 t of
// blasted rock near Fornebu's surplus (so a match is found), with extra
// fields replacing the defaults, and waits for the background work it
// starts (match discovery, whose writes change the region's caches). It
// returns the listing's ID.
func (e *Env) PublishNeed(title string, extra map[string]any) string {
	e.T.Helper()
	id := e.PublishNeedNoWait(title, extra)
	e.Settle()
	return id
}

// PublishNeedNoWait publishes as PublishNeed does, without waiting for the
// background work the publication starts.
func (e *Env) PublishNeedNoWait(title string, extra map[string]any) string {
	e.T.Helper()
	body := map[string]any{"kind": "need", "title": title, "organization_id": e.OrgID("baerum", "sandvika-bygg"),
		"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": Month(-5), "available_to": Month(13), "lat": 59.8960, "lon": 10.6300,
		"intended_use": "fill", "transport": "seller_delivers", "publish": true, "price_nok_per_tonne": 55}
	for k, v := range extra {
		body[k] = v
	}
	r := e.Do(Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: Member, Body: body})
	if r.Status != 201 {
		e.T.Fatalf("publish need: %d %s", r.Status, r.Body)
	}
	var l struct{ ID string }
	r.JSON(e.T, &l)
	return l.ID
}

// SetOrigins sets the web origins allowed to embed a tenant's widgets.
func (e *Env) SetOrigins(slug string, origins ...string) {
	e.T.Helper()
	tn := *e.Tenant(slug)
	tn.EmbedOrigins = strings.Join(origins, "\n")
	if err := e.App.Tenants.Update(e.Ctx(slug), &tn); err != nil {
		e.T.Fatal(err)
	}
}

// SSEEvent is one event read from an event stream.
type SSEEvent struct{ Type, Data string }

// SSEConnect opens an event stream at url (a served app: Serve), checks it
// is one (neither compressed nor tagged), and reports each event as it
// arrives; stop closes it.
func SSEConnect(t testing.TB, url string) (events <-chan SSEEvent, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
		t.Fatalf("stream: %d %v", resp.StatusCode, resp.Header)
	}
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
		t.Fatalf("an event stream must not be compressed or tagged: %v", resp.Header)
	}
	ch := make(chan SSEEvent, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev SSEEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case line == "" && ev.Type != "":
				ch <- ev
				ev = SSEEvent{}
			}
		}
	}()
	return ch, func() { cancel(); resp.Body.Close() }
}

// WaitEvent reads ch until an event of type typ arrives (true), or the
// stream ends or within passes (false).
func WaitEvent(t testing.TB, ch <-chan SSEEvent, typ string, within time.Duration) (SSEEvent, bool) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return SSEEvent{}, false
			}
			if ev.Type == typ {
				return ev, true
			}
		case <-deadline:
			return SSEEvent{}, false
		}
	}
}

// FastGet sends a GET for uri (with a bearer token when given) straight to
// a fasthttp handler, reusing ctx, and returns the status: for benchmarks
// that measure the stack without a network.
func FastGet(h fasthttp.RequestHandler, ctx *fasthttp.RequestCtx, uri, token string) int {
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.SetRequestURI(uri)
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.SetHost("localhost")
	if token != "" {
		ctx.Request.Header.Set("Authorization", "Bearer "+token)
	}
	h(ctx)
	return ctx.Response.StatusCode()
}

// MarketLoad gives tenant Bærum n more published listings and nf
// facilities with permits, spread over the region, all open: the load of
// the benchmarks.
func (e *Env) MarketLoad(n, nf int) {
	e.T.Helper()
	r := rand.New(rand.NewSource(7))
	org := e.OrgID("baerum", "lysaker-transport")
	now := time.Now().UTC()
	fracs := []string{"sprengstein", "morene", "grus", "sand", "leire", "matjord", "pukk"}
	uses := []string{"fill", "sub_base", "landscaping", "noise_barrier"}
	kinds := []string{"surplus", "need", "capacity"}
	types := []string{"landfill", "quarry", "intermediate_storage"}
	y, mo, _ := now.Date()
	base := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC) // every window ends ahead: all open
	err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
		ls := make([]market.Listing, 0, n)
		for i := 0; i < n; i++ {
			from := base.AddDate(0, r.Intn(60), 0)
			k := kinds[r.Intn(3)]
			l := market.Listing{ID: store.NewID(), OrganizationID: org, Kind: k, Title: fmt.Sprintf("Belastning %05d", i), Fractions: directory.List{fracs[r.Intn(len(fracs))]},
				QuantityTonnes: 500 + r.Float64()*50000, QuantityUnit: "t", AvailableFrom: from, AvailableTo: from.AddDate(0, 3+r.Intn(24), 0),
				Lat: 59.6 + r.Float64()*0.6, Lon: 10.2 + r.Float64()*0.9, ContaminationClass: r.Intn(3), Transport: "seller_delivers", Status: "published",
				Visibility: "public", CreatedAt: now, UpdatedAt: now}
			l.QuantityValue = l.QuantityTonnes
			if k == "need" {
				l.IntendedUse = uses[r.Intn(len(uses))]
			}
			ls = append(ls, l)
		}
		if err := tx.CreateInBatches(ls, 500).Error; err != nil {
			return err
		}
		for i := 0; i < nf; i++ {
			st := directory.Site{ID: store.NewID(), OrganizationID: org, Kind: "facility", Name: fmt.Sprintf("Anlegg %03d", i), FacilityType: types[i%3],
				Lat: 59.6 + r.Float64()*0.6, Lon: 10.2 + r.Float64()*0.9, Permanent: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&st).Error; err != nil {
				return err
			}
			kind := map[string]string{"landfill": "landfill", "quarry": "receiving", "intermediate_storage": "intermediate_storage"}[st.FacilityType]
			p := directory.Permit{ID: store.NewID(), SiteID: st.ID, Kind: kind, Authority: "x", Fractions: directory.List(fracs), MaxClass: 1 + r.Intn(3),
				ValidFrom: &base, ValidTo: &[]time.Time{base.AddDate(8, 0, 0)}[0], CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&p).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.T.Fatal(err)
	}
}

// KratosFake answers /sessions/whoami like Ory Kratos for two sessions of
// the fixture tenant admin, by X-Session-Token: "aal2" with a second factor
// and "aal1" without; any other token has no session.
func KratosFake(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		aal := ""
		switch r.Header.Get("X-Session-Token") {
		case "aal2":
			aal = "aal2"
		case "aal1":
			aal = "aal1"
		default:
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"code":401,"status":"Unauthorized"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"s1","active":true,"expires_at":"` + Now().AddDate(0, 0, 1).UTC().Format(time.RFC3339) + `","authenticator_assurance_level":"` + aal +
			`","identity":{"id":"dev:` + TenantAdmin + `","schema_id":"default","schema_url":"","traits":{"email":"` + TenantAdmin + `","name":"Ingrid Ressursbank"}}}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}
