package apitest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// A Snapshot is an env's database and data dir frozen at one moment. Clone
// starts a fresh app on a copy of it: a test that needs many identical envs
// (one per mutating request, say) sets one up once and clones it, instead
// of seeding and setting up each.
type Snapshot struct {
	backend string
	dir     string // the frozen data dir (on SQLite, with the database file)
	pgDB    string // on Postgres, the frozen database, cloned as a template
}

// Snapshot lets e's events settle, closes its app and freezes its database
// and data dir; e must not be used afterwards. The snapshot lives as long as
// e's test.
func (e *Env) Snapshot() *Snapshot {
	e.T.Helper()
	if e.base != "" {
		e.T.Fatal("snapshot: the env is being served")
	}
	e.Settle()
	s := &Snapshot{backend: e.Backend, dir: e.Cfg.DataDir}
	if e.App.DB.Dialect == store.SQLite {
		// Everything into the main file (what a reader still holds stays in
		// the WAL, which is copied too).
		if err := e.App.DB.Gorm.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			e.T.Fatalf("snapshot: %v", err)
		}
	}
	if err := e.App.Close(); err != nil {
		e.T.Fatalf("snapshot: close: %v", err)
	}
	if e.Backend == "postgres" {
		u, err := url.Parse(e.Cfg.MigrateDatabaseURL)
		if err != nil {
			e.T.Fatal(err)
		}
		// The env's own database becomes the template; it is dropped with
		// e's test, after every clone's.
		s.pgDB = strings.TrimPrefix(u.Path, "/")
	}
	return s
}

// Clone returns a fresh env on a copy of the snapshot: a new app, as after
// a restart, on its own database and data dir, closed and dropped with t.
// Clones are independent of each other and of the snapshot, and may be made
// from parallel tests.
func (s *Snapshot) Clone(t testing.TB) *Env {
	t.Helper()
	cfg := Config()
	cfg.DataDir = t.TempDir()
	if err := copyTree(s.dir, cfg.DataDir); err != nil {
		t.Fatalf("clone data dir: %v", err)
	}
	if s.backend == "postgres" {
		owner, appURL := s.pgClone(t)
		cfg.DatabaseURL, cfg.MigrateDatabaseURL, cfg.DBAppRole = appURL, owner, os.Getenv("MASSEFLYT_TEST_POSTGRES_APP_ROLE")
	}
	a, err := buildApp(cfg)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return &Env{T: t, App: a, Backend: s.backend, Cfg: cfg}
}

// copyTree copies a closed data dir but SQLite's shared-memory index (which
// SQLite rebuilds).
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o750)
		case strings.HasSuffix(p, "-shm"):
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
}

var (
	pgAdminOnce sync.Once
	pgAdminDB   *store.DB
	pgAdminErr  error
)

// pgAdmin is one shared owner connection for cloning, so a clone costs a
// CREATE DATABASE and not a new connection too.
func pgAdmin() (*store.DB, error) {
	pgAdminOnce.Do(func() {
		pgAdminDB, pgAdminErr = store.Open(store.Options{URL: os.Getenv("MASSEFLYT_TEST_POSTGRES")})
	})
	return pgAdminDB, pgAdminErr
}

func (s *Snapshot) pgClone(t testing.TB) (string, string) {
	role := os.Getenv("MASSEFLYT_TEST_POSTGRES_APP_ROLE")
	if role == "" {
		t.Fatal("MASSEFLYT_TEST_POSTGRES_APP_ROLE must name the non-owner role the app connects as")
	}
	db, err := pgAdmin()
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	name := randName("mf_t_")
	if storetest.Citus() {
		// On a cluster every node copies its part (storetest.CreateDatabase).
		if err := storetest.CreateDatabase(name, s.pgDB); err != nil {
			t.Fatalf("clone: %v", err)
		}
		t.Cleanup(func() { dropLater(name) })
		owner := withDB(os.Getenv("MASSEFLYT_TEST_POSTGRES"), name)
		return owner, withUser(owner, role)
	}
	create := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, s.pgDB)
	for i := 0; i < 50; i++ { // the snapshot's app may still have a closing connection
		if err = db.Gorm.Exec(create).Error; err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	t.Cleanup(func() {
		// The app is closed (cleanups run last first), but its server
		// processes may not have ended, and the owner cannot end the app
		// role's: wait for them (briefly), then drop the database on the
		// shared connection.
		for i := 0; i < 40; i++ {
			var n int64
			if db.Gorm.Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = ?", name).Scan(&n).Error != nil || n == 0 {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if db.Gorm.Exec("DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Error != nil {
			dropLater(name) // once more, in the background, as New's are
		}
	})
	owner := withDB(os.Getenv("MASSEFLYT_TEST_POSTGRES"), name)
	return owner, withUser(owner, role)
}

// State is a digest of everything a request could change, part by part:
// every row of every table (all tenants), the files in the data dir, and the
// app's in-memory tenants, rules and role assignments. Tests compare two to
// prove that a request changed nothing.
type State map[string]string

// State digests the env's state now.
func (e *Env) State() State {
	e.T.Helper()
	st := State{}
	ctx := store.System(context.Background(), "test state")
	err := e.App.DB.Read(ctx, func(tx *gorm.DB) error {
		if e.App.DB.Dialect == store.Postgres {
			return pgTableDigests(tx, st)
		}
		return sqliteTableDigests(tx, st)
	})
	if err != nil {
		e.T.Fatalf("state: %v", err)
	}
	st["files"] = filesDigest(e.T, e.Cfg.DataDir, true)
	st["tenants and roles in memory"] = e.memoryDigest()
	return st
}

// Changed lists the parts that differ between s and after.
func (s State) Changed(after State) []string {
	var out []string
	for k, v := range s {
		if after[k] != v {
			out = append(out, k)
		}
	}
	for k := range after {
		if _, ok := s[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// A Watch proves that requests change nothing in an env: Changed compares
// the env's state with the state when the watch began. On SQLite it first
// compares the database files' bytes (a commit always writes them; reads
// never do) and digests the rows only when they differ.
type Watch struct {
	e     *Env
	want  State
	quick string
}

// Watch starts watching e's state.
func (e *Env) Watch() *Watch {
	e.T.Helper()
	return &Watch{e: e, want: e.State(), quick: e.quickDigest()}
}

// Changed lists the parts of the state that changed since the watch began.
// When something changed it first lets the env's events settle (an event is
// an outbox row, so nothing changed means no event), so that what their
// delivery changes is in the list too, and not found after the next request.
func (w *Watch) Changed() []string {
	w.e.T.Helper()
	q := w.e.quickDigest()
	if q != "" && q == w.quick {
		return nil
	}
	if len(w.want.Changed(w.e.State())) == 0 {
		w.quick = q // written, but to the same content (or a checkpoint)
		return nil
	}
	w.e.Settle()
	return w.want.Changed(w.e.State())
}

// quickDigest is a cheap digest that is unchanged when the state is; "" where
// there is none (Postgres digests its rows fast).
func (e *Env) quickDigest() string {
	if e.App.DB.Dialect != store.SQLite {
		return ""
	}
	return filesDigest(e.T, e.Cfg.DataDir, false) + e.memoryDigest()
}

func (e *Env) memoryDigest() string {
	var mem []any
	for _, t := range e.App.Tenants.All() {
		mem = append(mem, t, e.App.Roles.Rules(t.ID), e.App.Roles.Assignments(t.ID))
	}
	mem = append(mem, e.App.Roles.Assignments("*"))
	b, err := json.Marshal(mem)
	if err != nil {
		e.T.Fatalf("state: %v", err)
	}
	return hexDigest(b)
}

// pgTableDigests digests each table on the server: the md5 of its rows'
// text, sorted.
func pgTableDigests(tx *gorm.DB, st State) error {
	var tables []string
	if err := tx.Raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").Scan(&tables).Error; err != nil {
		return err
	}
	var parts []string
	for _, tb := range tables {
		parts = append(parts, fmt.Sprintf(`SELECT '%s' AS name, count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '') AS digest FROM "%s" x`, tb, tb))
	}
	var rows []struct{ Name, Digest string }
	if err := tx.Raw(strings.Join(parts, " UNION ALL ")).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		st["table "+r.Name] = r.Digest
	}
	return nil
}

func sqliteTableDigests(tx *gorm.DB, st State) error {
	var tables []string
	if err := tx.Raw("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").Scan(&tables).Error; err != nil {
		return err
	}
	for _, tb := range tables {
		d, err := tableDigest(tx, tb)
		if err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
		st["table "+tb] = d
	}
	return nil
}

func tableDigest(tx *gorm.DB, table string) (string, error) {
	rows, err := tx.Raw(`SELECT * FROM "` + table + `"`).Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		var b strings.Builder
		for i, v := range vals {
			if x, ok := v.([]byte); ok {
				v = string(x)
			}
			if x, ok := v.(time.Time); ok {
				v = x.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%s=%#v;", cols[i], v)
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	sort.Strings(lines) // row order is not state
	return fmt.Sprintf("%d %s", len(lines), hexDigest([]byte(strings.Join(lines, "\n")))), nil
}

// filesDigest digests the files under dir but SQLite's shared-memory index
// (which readers write) and, when skipDB, its database and WAL (which
// State digests by their rows).
func filesDigest(t testing.TB, dir string, skipDB bool) string {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(d.Name(), "-shm") || skipDB && strings.HasPrefix(d.Name(), "masseflyt.db") {
			return err
		}
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a WAL removed as its last connection closed
		}
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s %d\n", rel, fi.Size())
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		t.Fatalf("state: files: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hexDigest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// reporter sends an env's failures and logs to one test and its cleanups
// and temp dirs to another.
type reporter struct {
	testing.TB
	owner testing.TB
}

func (r reporter) Cleanup(f func()) { r.owner.Cleanup(f) }
func (r reporter) TempDir() string  { return r.owner.TempDir() }

// ReportTo makes e report its failures to t, a subtest using an env its
// parent made, while e's cleanups (and new temp dirs) stay with the test
// that made it, so e outlives t.
func (e *Env) ReportTo(t testing.TB) {
	owner := e.T
	if r, ok := owner.(reporter); ok {
		owner = r.owner
	}
	e.T = reporter{TB: t, owner: owner}
}
