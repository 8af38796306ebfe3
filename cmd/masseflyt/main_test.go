package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/tenants"
)

// setup isolates a test from the environment: every MASSEFLYT_* variable is
// cleared (so no outside database or moved clock leaks in) and the data
// directory is a fresh t.TempDir(), which it returns.
func setup(t *testing.T) string {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "MASSEFLYT_") {
			t.Setenv(k, "")
		}
	}
	dir := t.TempDir()
	t.Setenv("MASSEFLYT_DATA_DIR", dir)
	t.Setenv("MASSEFLYT_LOG_LEVEL", "warn")
	return dir
}

// cli runs the command line as main does, returning what it printed.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, &out)
	return out.String(), err
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cli(t, args...)
	if err != nil {
		t.Fatalf("masseflyt %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func wantErr(t *testing.T, err error, fragment string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error containing %q, got none", fragment)
	}
	if !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q does not contain %q", err, fragment)
	}
}

func sys() context.Context {
	return store.System(context.Background(), "cmd/masseflyt test: inspect the database")
}

// withDB opens the data directory's database for inspection.
func withDB(t *testing.T, dir string, fn func(tx *gorm.DB) error) {
	t.Helper()
	db, err := store.Open(store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Tx(sys(), fn); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, dir, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	withDB(t, dir, func(tx *gorm.DB) error {
		q := tx.Table(table)
		if where != "" {
			q = q.Where(where, args...)
		}
		return q.Count(&n).Error
	})
	return n
}

// counts snapshots the row counts of tables.
func counts(t *testing.T, dir string, tables ...string) map[string]int64 {
	t.Helper()
	m := map[string]int64{}
	for _, tb := range tables {
		m[tb] = count(t, dir, tb, "")
	}
	return m
}

func sameCounts(t *testing.T, before, after map[string]int64) {
	t.Helper()
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows before, %d after", tb, n, after[tb])
		}
	}
}

// The tables a tenant creation writes to.
var tenantTables = []string{"tenants", "tenant_domains", "casbin_rule"}

// ready migrates the database and lets the app provision it (the default
// role rules), so that row counts taken next change only by what a command
// under test writes.
func ready(t *testing.T) {
	t.Helper()
	mustCLI(t, "tenant", "list")
}

// addUser stores a user as a first login would.
func addUser(t *testing.T, dir, email string) string {
	t.Helper()
	verified := auth.NormalizeEmail(email) // as if the identity provider verified it
	u := auth.User{ID: store.NewID(), Subject: "dev:" + email, Email: email, Name: email, VerifiedEmail: &verified}
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Create(&u).Error })
	return u.ID
}

func tenantRow(t *testing.T, dir, slug string) (tenants.Tenant, bool) {
	t.Helper()
	var ts []tenants.Tenant
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Where("slug = ?", slug).Find(&ts).Error })
	if len(ts) == 0 {
		return tenants.Tenant{}, false
	}
	return ts[0], true
}

// isEmpty reports whether dir holds nothing: the command wrote nothing, not
// even a database.
func isEmpty(t *testing.T, dir string) bool {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(es) == 0
}

func TestUsageAndUnknownCommands(t *testing.T) {
	dir := setup(t)
	out, err := cli(t)
	wantErr(t, err, "no command")
	if !strings.HasPrefix(out, "usage: masseflyt <command>") {
		t.Errorf("no command: want the usage, got %q", out)
	}
	for _, h := range []string{"help", "-h", "--help"} {
		out := mustCLI(t, h)
		if !strings.HasPrefix(out, "usage: masseflyt <command>") || !strings.Contains(out, "tenant create --slug S --name N") {
			t.Errorf("%s: want the usage, got %q", h, out)
		}
	}
	out, err = cli(t, "frobnicate", "--slug", "x")
	wantErr(t, err, `unknown command "frobnicate"`)
	if !strings.HasPrefix(out, "usage: masseflyt <command>") {
		t.Errorf("unknown command: want the usage, got %q", out)
	}
	// Malformed subcommands and flags are refused before the database is opened.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tenant"}, "tenant: want create or list"},
		{[]string{"tenant", "delete", "--slug", "agder"}, `tenant: unknown subcommand "delete"`},
		{[]string{"tenant", "create", "--slug", "agder", "--name", "Agder", "masseforum"}, `unexpected argument "masseforum"`},
		{[]string{"tenant", "create", "--colour", "#000000"}, "flag provided but not defined: -colour"},
		{[]string{"token"}, "token: want create"},
		{[]string{"token", "revoke", "--tenant", "agder"}, "token: want create"},
		{[]string{"migrate", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"seed", "--days", "3"}, "flag provided but not defined: -days"},
	} {
		out, err := cli(t, c.args...)
		wantErr(t, err, c.want)
		if strings.Contains(out, "created") {
			t.Errorf("%v printed %q", c.args, out)
		}
	}
	if !isEmpty(t, dir) {
		t.Error("usage errors wrote to the data directory")
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	dir := setup(t)
	_, err := cli(t, "serve", "--env", "staging")
	wantErr(t, err, `MASSEFLYT_ENV must be development or production, not "staging"`)
	_, err = cli(t, "serve", "--env", "production")
	wantErr(t, err, "MASSEFLYT_SECRET is required in production")
	if !isEmpty(t, dir) {
		t.Error("a refused configuration still wrote to the data directory")
	}
}

func TestMigrate(t *testing.T) {
	dir := setup(t)
	for i := 0; i < 2; i++ { // idempotent
		if out := mustCLI(t, "migrate"); out != "migrations applied\n" {
			t.Fatalf("migrate #%d printed %q", i+1, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "masseflyt.db")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, dir, "tenants", ""); n != 0 {
		t.Errorf("a migrated database holds %d tenants, want 0", n)
	}

	// --data-dir overrides MASSEFLYT_DATA_DIR.
	other := t.TempDir()
	mustCLI(t, "migrate", "--data-dir", other)
	if _, err := os.Stat(filepath.Join(other, "masseflyt.db")); err != nil {
		t.Errorf("--data-dir: %v", err)
	}

	fresh := t.TempDir()
	_, err := cli(t, "migrate", "--data-dir", fresh, "--env", "staging")
	wantErr(t, err, "MASSEFLYT_ENV must be development or production")
	if !isEmpty(t, fresh) {
		t.Error("migrate with a bad configuration wrote to the data directory")
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	dir := setup(t)
	tables := []string{"tenants", "tenant_domains", "users", "casbin_rule", "organizations", "listings"}
	if out := mustCLI(t, "seed"); out != "demo data loaded\n" {
		t.Fatalf("seed printed %q", out)
	}
	first := counts(t, dir, tables...)
	if first["tenants"] != int64(len(demo.Tenants)) || first["users"] != int64(len(demo.Users)) {
		t.Fatalf("after seed: %d tenants and %d users, want %d and %d", first["tenants"], first["users"], len(demo.Tenants), len(demo.Users))
	}
	if first["organizations"] == 0 || first["listings"] == 0 {
		t.Fatalf("seed loaded no organizations or listings: %v", first)
	}
	if out := mustCLI(t, "seed"); out != "demo data loaded\n" {
		t.Fatalf("second seed printed %q", out)
	}
	sameCounts(t, first, counts(t, dir, tables...))
}

func TestTenantList(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "migrate")
	if out := mustCLI(t, "tenant", "list"); out != "" {
		t.Fatalf("no tenants: list printed %q", out)
	}
	mustCLI(t, "seed")
	out := mustCLI(t, "tenant", "list")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var slugs []string
	for _, l := range lines {
		slugs = append(slugs, strings.Fields(l)[0])
	}
	// Sorted by name: Bærum, Rogaland, Trøndelag.
	if strings.Join(slugs, " ") != "baerum rogaland trondelag" {
		t.Fatalf("list: slugs %v, want baerum rogaland trondelag\n%s", slugs, out)
	}
	b, _ := tenantRow(t, dir, "baerum")
	if !strings.Contains(lines[0], "Bærum ressursbank") || !strings.Contains(lines[0], b.ID) || !strings.HasSuffix(lines[0], " masser.baerum.localhost") {
		t.Errorf("baerum line %q lacks its name, ID %s or domain", lines[0], b.ID)
	}

	// --data-dir is honoured by the tenant command, not only by the
	// environment: here the environment points at an empty directory.
	t.Setenv("MASSEFLYT_DATA_DIR", t.TempDir())
	if got := mustCLI(t, "tenant", "list", "--data-dir", dir); got != out {
		t.Errorf("tenant list --data-dir printed %q, want %q", got, out)
	}
}

func TestTenantCreate(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "migrate")
	uid := addUser(t, dir, "anne@agder.kommune.no")
	out := mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder masseforum", "--color", "#0B5A3C", "--accent", "#E4A11B",
		"--locale", "nn", "--domain", "masser.agder.no", "--admin-email", "Anne@Agder.kommune.no")
	tn, ok := tenantRow(t, dir, "agder")
	if !ok {
		t.Fatal("tenant agder not stored")
	}
	if want := "created tenant agder (" + tn.ID + ")\n"; out != want {
		t.Errorf("printed %q, want %q", out, want)
	}
	if tn.Name != "Agder masseforum" || tn.ColorPrimary != "#0b5a3c" || tn.ColorAccent != "#e4a11b" || tn.DefaultLocale != "nn" || !tn.Active {
		t.Errorf("stored %+v", tn)
	}
	if n := count(t, dir, "tenant_domains", "domain = ? AND tenant_id = ?", "masser.agder.no", tn.ID); n != 1 {
		t.Errorf("domain rows: %d, want 1", n)
	}
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v0 = ? AND v1 = ? AND v2 = ?", "u:"+uid, auth.RoleTenantAdmin, tn.ID); n != 1 {
		t.Errorf("tenant admin assignments: %d, want 1", n)
	}
	if list := mustCLI(t, "tenant", "list"); !strings.HasPrefix(list, "agder ") || !strings.Contains(list, "masser.agder.no") {
		t.Errorf("list after create: %q", list)
	}

	// Without the optional flags: the defaults, no domain, no admin.
	before := counts(t, dir, "tenant_domains", "casbin_rule")
	mustCLI(t, "tenant", "create", "--slug", "telemark", "--name", "Telemark")
	tm, ok := tenantRow(t, dir, "telemark")
	if !ok || tm.DefaultLocale != "nb" || tm.ColorPrimary != "#1f5f3f" || tm.ColorAccent != "#f2b134" {
		t.Errorf("defaults: %+v", tm)
	}
	sameCounts(t, before, counts(t, dir, "tenant_domains", "casbin_rule"))
}

// An admin e-mail nobody has verified yet is invited (issue 11): the
// tenant is made, the role waits in an invitation, nothing is granted to
// an unverified user with that address.
func TestTenantCreateInvitesUnknownAdmin(t *testing.T) {
	dir := setup(t)
	ready(t)
	unverified := auth.User{ID: store.NewID(), Subject: "kratos:someone", Email: "anne@agder.kommune.no", Name: "Anne?"}
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Create(&unverified).Error })
	out := mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder", "--admin-email", "anne@agder.kommune.no")
	if !strings.HasPrefix(out, "created tenant agder (") {
		t.Fatalf("printed %q", out)
	}
	tn, _ := tenantRow(t, dir, "agder")
	if n := count(t, dir, "casbin_rule", "ptype = 'g' AND v2 = ?", tn.ID); n != 0 {
		t.Errorf("role granted at once: %d assignments", n)
	}
	if n := count(t, dir, "invitations", "tenant_id = ? AND email = ? AND role = ? AND accepted_at IS NULL", tn.ID, "anne@agder.kommune.no", auth.RoleTenantAdmin); n != 1 {
		t.Errorf("invitations: %d, want 1", n)
	}
	_, err := cli(t, "tenant", "create", "--slug", "telemark", "--name", "Telemark", "--admin-email", "not an address")
	wantErr(t, err, `invalid --admin-email "not an address"`)
}

// A write that fails after the tenant is stored (here the role store refuses
// the admin's role) leaves nothing behind, and a retry succeeds.
func TestTenantCreateUndoesTenantWhenAdminRoleFails(t *testing.T) {
	dir := setup(t)
	ready(t)
	addUser(t, dir, "anne@agder.kommune.no")
	withDB(t, dir, func(tx *gorm.DB) error {
		return tx.Exec(`CREATE TRIGGER refuse_roles BEFORE INSERT ON casbin_rule WHEN NEW.ptype = 'g'
			BEGIN SELECT RAISE(ABORT, 'injected: role store down'); END`).Error
	})
	args := []string{"tenant", "create", "--slug", "agder", "--name", "Agder", "--domain", "masser.agder.no", "--admin-email", "anne@agder.kommune.no"}
	before := counts(t, dir, tenantTables...)
	out, err := cli(t, args...)
	wantErr(t, err, "tenant not created: make anne@agder.kommune.no tenant admin")
	wantErr(t, err, "injected: role store down")
	if out != "" {
		t.Errorf("printed %q", out)
	}
	sameCounts(t, before, counts(t, dir, tenantTables...))

	withDB(t, dir, func(tx *gorm.DB) error { return tx.Exec(`DROP TRIGGER refuse_roles`).Error })
	if out := mustCLI(t, args...); !strings.HasPrefix(out, "created tenant agder (") {
		t.Fatalf("retry printed %q", out)
	}
	if n := count(t, dir, "tenant_domains", "domain = ?", "masser.agder.no"); n != 1 {
		t.Errorf("domain rows after retry: %d, want 1", n)
	}
}

func TestTenantCreateTaken(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "migrate")
	mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder", "--domain", "masser.agder.no")
	before := counts(t, dir, tenantTables...)

	out, err := cli(t, "tenant", "create", "--slug", "agder", "--name", "Agder 2")
	wantErr(t, err, `slug "agder" is already in use`)
	if !errors.Is(err, tenants.ErrSlugTaken) || out != "" {
		t.Errorf("err %v (want ErrSlugTaken), printed %q", err, out)
	}
	_, err = cli(t, "tenant", "create", "--slug", "vest-agder", "--name", "Vest-Agder", "--domain", "MASSER.agder.no")
	wantErr(t, err, `domain "masser.agder.no" already belongs to tenant agder`)
	if !errors.Is(err, tenants.ErrDomainTaken) {
		t.Errorf("err %v, want ErrDomainTaken", err)
	}
	// Both at once are both reported.
	_, err = cli(t, "tenant", "create", "--slug", "agder", "--name", "Agder", "--domain", "masser.agder.no")
	if !errors.Is(err, tenants.ErrSlugTaken) || !errors.Is(err, tenants.ErrDomainTaken) {
		t.Errorf("err %v, want slug and domain taken", err)
	}
	// A deactivated tenant still holds its slug.
	withDB(t, dir, func(tx *gorm.DB) error {
		return tx.Table("tenants").Where("slug = ?", "agder").Update("active", false).Error
	})
	_, err = cli(t, "tenant", "create", "--slug", "agder", "--name", "Agder")
	wantErr(t, err, `slug "agder" is already in use`)
	sameCounts(t, before, counts(t, dir, tenantTables...))
}

func TestTenantCreateInvalid(t *testing.T) {
	dir := setup(t)
	ok := []string{"--slug", "agder", "--name", "Agder"}
	with := func(extra ...string) []string {
		return append(append([]string{"tenant", "create"}, ok...), extra...)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no slug", []string{"tenant", "create", "--name", "Agder"}, `invalid --slug ""`},
		{"slug with space", with("--slug", "Agder Region"), `invalid --slug "agder region"`},
		{"slug with underscore", with("--slug", "agder_region"), `invalid --slug "agder_region"`},
		{"slug starts with dash", with("--slug", "-agder"), `invalid --slug "-agder"`},
		{"slug too long", with("--slug", strings.Repeat("a", 41)), "invalid --slug"},
		{"reserved slug", with("--slug", "admin"), `invalid --slug "admin"`},
		{"no name", []string{"tenant", "create", "--slug", "agder"}, "--name is required"},
		{"blank name", with("--name", "   "), "--name is required"},
		{"long name", with("--name", strings.Repeat("å", maxTenantName+1)), "--name is longer than " + strconv.Itoa(maxTenantName)},
		{"colour word", with("--color", "green"), `invalid --color "green": want #rrggbb`},
		{"colour short", with("--color", "#12345"), `invalid --color "#12345"`},
		{"accent", with("--accent", "#gggggg"), `invalid --accent "#gggggg"`},
		{"locale", with("--locale", "de"), `invalid --locale "de": want one of nb, nn, en`},
		{"empty locale", with("--locale", ""), `invalid --locale ""`},
		{"domain", with("--domain", "masser agder"), `invalid --domain "masser agder"`},
		{"domain without dot", with("--domain", "agder"), `invalid --domain "agder"`},
	}
	// On a fresh data directory nothing at all is written: not even the database.
	for _, c := range cases {
		out, err := cli(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "tenant not created: ") {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
		if out != "" {
			t.Errorf("%s: printed %q", c.name, out)
		}
	}
	if !isEmpty(t, dir) {
		t.Fatal("refused tenant create wrote to the data directory")
	}
	// On a migrated one, no tenant appears.
	mustCLI(t, "migrate")
	addUser(t, dir, "anne@agder.kommune.no")
	before := counts(t, dir, tenantTables...)
	for _, c := range cases {
		if _, err := cli(t, append(c.args, "--admin-email", "anne@agder.kommune.no")...); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	// Every problem is reported at once.
	_, err := cli(t, "tenant", "create", "--slug", "Ag der", "--color", "red", "--locale", "se")
	for _, want := range []string{"invalid --slug", "--name is required", "invalid --color", "invalid --locale"} {
		wantErr(t, err, want)
	}
	sameCounts(t, before, counts(t, dir, tenantTables...))
}

func TestTokenCreate(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder")
	uid := addUser(t, dir, "kari@agder-anlegg.no")
	tn, _ := tenantRow(t, dir, "agder")

	out := mustCLI(t, "token", "create", "--tenant", "agder", "--email", "Kari@agder-anlegg.no", "--scopes", "read, write", "--days", "30", "--name", "ci")
	secret := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(secret, auth.TokenPrefix) || strings.ContainsAny(secret, " \n") || len(secret) < len(auth.TokenPrefix)+40 {
		t.Fatalf("want one line with the secret, got %q", out)
	}
	var toks []auth.Token
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Find(&toks).Error })
	if len(toks) != 1 {
		t.Fatalf("%d tokens stored, want 1", len(toks))
	}
	tok := toks[0]
	if tok.TokenHash != auth.HashToken(secret) || tok.TenantID != tn.ID || tok.UserID != uid || tok.Name != "ci" || tok.Scopes != "read,write" || tok.RevokedAt != nil {
		t.Errorf("stored %+v", tok)
	}
	if d := tok.ExpiresAt.Sub(tok.CreatedAt); d != 30*24*time.Hour {
		t.Errorf("expires %v after creation, want 30 days", d)
	}
	if now := time.Now(); tok.CreatedAt.Before(now.Add(-5*time.Minute)) || tok.CreatedAt.After(now.Add(time.Minute)) {
		t.Errorf("created at %v, now is %v", tok.CreatedAt, now)
	}
	// The secret is shown once and only its hash is kept.
	if n := count(t, dir, "api_tokens", "token_hash = ? OR prefix = ?", secret, secret); n != 0 {
		t.Error("the secret is stored in the clear")
	}

	// Defaults: read only, 90 days; a new secret each time.
	out2 := mustCLI(t, "token", "create", "--tenant", "agder", "--email", "kari@agder-anlegg.no")
	secret2 := strings.TrimSuffix(out2, "\n")
	if secret2 == secret || !strings.HasPrefix(secret2, auth.TokenPrefix) {
		t.Fatalf("second token %q", out2)
	}
	var tok2 auth.Token
	withDB(t, dir, func(tx *gorm.DB) error { return tx.Where("token_hash = ?", auth.HashToken(secret2)).Take(&tok2).Error })
	if tok2.Scopes != "read" || tok2.Name != "cli" || tok2.ExpiresAt.Sub(tok2.CreatedAt) != 90*24*time.Hour {
		t.Errorf("defaults: %+v", tok2)
	}

	// --data-dir reaches the token command too.
	t.Setenv("MASSEFLYT_DATA_DIR", t.TempDir())
	mustCLI(t, "token", "create", "--tenant", "agder", "--email", "kari@agder-anlegg.no", "--data-dir", dir)
	if n := count(t, dir, "api_tokens", ""); n != 3 {
		t.Errorf("--data-dir: %d tokens, want 3", n)
	}
}

func TestTokenCreateRefused(t *testing.T) {
	dir := setup(t)
	mustCLI(t, "tenant", "create", "--slug", "agder", "--name", "Agder")
	addUser(t, dir, "kari@agder-anlegg.no")
	good := []string{"token", "create", "--tenant", "agder", "--email", "kari@agder-anlegg.no"}
	for _, c := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"unknown tenant", []string{"--tenant", "vestfold"}, `unknown tenant "vestfold"`},
		{"no tenant", []string{"--tenant", ""}, `unknown tenant ""`},
		{"unknown user", []string{"--email", "ola@agder-anlegg.no"}, `unknown user "ola@agder-anlegg.no"`},
		{"unknown scope", []string{"--scopes", "read,admin"}, `unknown scope "admin" (read, write)`},
		{"empty scope", []string{"--scopes", "read,"}, `unknown scope ""`},
		{"zero days", []string{"--days", "0"}, "--days must be 1–" + strconv.Itoa(account.MaxTokenDays)},
		{"negative days", []string{"--days", "-5"}, "--days must be 1–"},
		{"too many days", []string{"--days", strconv.Itoa(account.MaxTokenDays + 1)}, "--days must be 1–"},
		{"days not a number", []string{"--days", "many"}, `invalid value "many" for flag -days`},
		// The domain's validation, as on Min side and in the API.
		{"empty name", []string{"--name", " "}, "Name is required."},
		{"name too long", []string{"--name", strings.Repeat("n", 101)}, "Name can have at most 100 characters."},
	} {
		out, err := cli(t, append(append([]string{}, good...), c.extra...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
		if out != "" {
			t.Errorf("%s: printed %q", c.name, out)
		}
	}
	if n := count(t, dir, "api_tokens", ""); n != 0 {
		t.Errorf("refused token creations stored %d tokens", n)
	}
	// A deactivated tenant issues no tokens.
	withDB(t, dir, func(tx *gorm.DB) error {
		return tx.Table("tenants").Where("slug = ?", "agder").Update("active", false).Error
	})
	_, err := cli(t, good...)
	wantErr(t, err, `unknown tenant "agder"`)
	if n := count(t, dir, "api_tokens", ""); n != 0 {
		t.Errorf("a deactivated tenant got %d tokens", n)
	}
}
