package store_test

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/testenv"
)

// TestRowLevelSecurityM9: connected as the app role, raw SQL that sets
// app.bypass or another tenant's id (with no signature, a made-up one, or
// one copied from its own transaction) neither reads nor changes another
// tenant's rows, and the signing key is out of its reach.
func TestRowLevelSecurityM9(t *testing.T) {
	if !slices.Contains(apitest.Backends(t), "postgres") {
		testenv.Need(t, "row-level security exists only on PostgreSQL (MASSEFLYT_TEST_POSTGRES is not set; run `make test`)")
	}
	e := apitest.New(t, "postgres")
	db := e.App.DB
	a, other := e.Tenant("baerum").ID, e.Tenant("trondelag").ID
	sys := store.System(context.Background(), "test: count the other tenant's rows")
	var theirs int64
	if err := db.Tx(sys, func(tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM organizations WHERE tenant_id = ?", other).Scan(&theirs).Error
	}); err != nil || theirs == 0 {
		t.Fatalf("the system bypass saw %d of the other tenant's organizations (err %v): want some", theirs, err)
	}

	// Each attempt runs in a raw transaction of the app role's pool, past
	// the store: what SQL injection could do.
	attempt := func(name string, setup func(tx *gorm.DB) error) {
		t.Helper()
		var seen, changed int64
		err := db.Gorm.Transaction(func(tx *gorm.DB) error {
			if err := setup(tx); err != nil {
				return err
			}
			if err := tx.Raw("SELECT count(*) FROM organizations WHERE tenant_id = ?", other).Scan(&seen).Error; err != nil {
				return err
			}
			r := tx.Exec("UPDATE organizations SET name = 'owned' WHERE tenant_id = ?", other)
			changed = r.RowsAffected
			if r.Error != nil {
				return r.Error
			}
			return gorm.ErrInvalidTransaction // roll back whatever happened
		})
		if err != nil && err != gorm.ErrInvalidTransaction {
			t.Fatalf("%s: %v", name, err)
		}
		if seen != 0 || changed != 0 {
			t.Errorf("%s: saw %d and changed %d of the other tenant's %d organizations; want none", name, seen, changed, theirs)
		}
	}
	attempt("SET app.bypass = on", func(tx *gorm.DB) error {
		return setLocal(tx, map[string]string{"app.bypass": "on"})
	})
	attempt("SET app.tenant_id to another tenant", func(tx *gorm.DB) error {
		return setLocal(tx, map[string]string{"app.tenant_id": other})
	})
	attempt("a made-up signature", func(tx *gorm.DB) error {
		return setLocal(tx, map[string]string{"app.tenant_id": other, "app.bypass": "on", "app.nonce": "n",
			"app.sig": store.SignRLS([]byte("not the key, not the key, not the key"), other, "on", "n")})
	})
	// A signature copied from the role's own (tenant A's) transaction does
	// not carry over to another tenant or to the bypass.
	var nonce, sig string
	if err := db.Tx(store.WithTenant(context.Background(), a), func(tx *gorm.DB) error {
		return tx.Raw("SELECT current_setting('app.nonce'), current_setting('app.sig')").Row().Scan(&nonce, &sig)
	}); err != nil {
		t.Fatal(err)
	}
	attempt("tenant A's signature with another tenant's id", func(tx *gorm.DB) error {
		return setLocal(tx, map[string]string{"app.tenant_id": other, "app.bypass": "off", "app.nonce": nonce, "app.sig": sig})
	})
	attempt("tenant A's signature with the bypass", func(tx *gorm.DB) error {
		return setLocal(tx, map[string]string{"app.tenant_id": a, "app.bypass": "on", "app.nonce": nonce, "app.sig": sig})
	})

	// With the key (read here as the owner), a signature made now works and
	// one made ten minutes ago does not: a leaked one is good for minutes.
	owner, err := sql.Open("pgx", e.App.Config.MigrateDatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	var key []byte
	if err := owner.QueryRow(store.RLSKeyQuery).Scan(&key); err != nil {
		t.Fatal(err)
	}
	signed := func(at time.Time) (seen int64) {
		nonce := strconv.FormatInt(at.Unix(), 10) + ".abc"
		_ = db.Gorm.Transaction(func(tx *gorm.DB) error {
			if err := setLocal(tx, map[string]string{"app.tenant_id": other, "app.bypass": "off", "app.nonce": nonce, "app.sig": store.SignRLS(key, other, "off", nonce)}); err != nil {
				t.Fatal(err)
			}
			return tx.Raw("SELECT count(*) FROM organizations WHERE tenant_id = ?", other).Scan(&seen).Error
		})
		return seen
	}
	if n := signed(clock.Real()); n != theirs {
		t.Fatalf("a fresh signature with the key saw %d of %d rows", n, theirs)
	}
	if n := signed(clock.Real().Add(-10 * time.Minute)); n != 0 {
		t.Fatalf("a ten-minute-old signature still saw %d rows", n)
	}

	// The key is the owner's: the app role can neither read it nor change it.
	var k []byte
	err = db.Gorm.Raw(store.RLSKeyQuery).Row().Scan(&k)
	if err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("the app role reading the signing key: err = %v, want permission denied", err)
	}
	if err := db.Gorm.Exec("CREATE OR REPLACE FUNCTION mf_private.bypass() RETURNS BOOLEAN LANGUAGE sql AS 'SELECT true'").Error; err == nil {
		t.Fatal("the app role replaced the policy's bypass function")
	}

	// The store's own transactions still work: tenant A sees its rows.
	var mine int64
	if err := db.Tx(store.WithTenant(context.Background(), a), func(tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM organizations").Scan(&mine).Error
	}); err != nil || mine == 0 {
		t.Fatalf("tenant A's own transaction saw %d organizations (err %v): want its own", mine, err)
	}
}

// setLocal states settings as the store does (SET LOCAL, which Citus
// forwards to the shards' connections; set_config is not forwarded).
func setLocal(tx *gorm.DB, settings map[string]string) error {
	q := "SET LOCAL citus.propagate_set_commands = 'local'"
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		q += "; SET LOCAL " + k + " = " + store.QuoteLiteral(settings[k])
	}
	return tx.Exec(q).Error
}
