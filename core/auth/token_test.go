package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/clock"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var start = time.Date(2030, 1, 15, 8, 0, 0, 0, time.UTC)

// TestTokenLifecycle: a token is created on the store clock with only its
// hash stored, is found by its secret from any tenant's context (the
// caller checks the tenant), expires on the store clock (also when this
// instance has it cached), and once revoked is refused at once.
func TestTokenLifecycle(t *testing.T) {
	mc := clock.NewManual(start)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(start)
		users := &auth.Users{DB: db}
		tid := storetest.Tenant(t, db, "a")
		u := storetest.User(t, db, "kari@example.no")
		ctx := storetest.Ctx(tid, storetest.As(u))

		tok, secret, err := users.CreateToken(ctx, u.ID, "Integrasjon", []string{auth.ScopeRead, auth.ScopeWrite}, 48*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, auth.TokenPrefix) || len(secret) < 40 || tok.Prefix != secret[:len(auth.TokenPrefix)+6] {
			t.Fatalf("secret %q, prefix %q", secret, tok.Prefix)
		}
		if !tok.CreatedAt.Equal(start) || !tok.ExpiresAt.Equal(start.Add(48*time.Hour)) || tok.TenantID != tid {
			t.Fatalf("token %+v: created and expiring on the store clock, in the tenant", tok)
		}
		// Only the hash is stored.
		var stored auth.Token
		if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", tok.ID).Take(&stored).Error }); err != nil {
			t.Fatal(err)
		}
		if stored.TokenHash != auth.HashToken(secret) || strings.Contains(stored.TokenHash, secret) || stored.Scopes != "read,write" {
			t.Fatalf("stored %+v", stored)
		}

		// Found by its secret in its own tenant only: in another tenant (or
		// none) the same secret is not found, even once cached.
		got, gu, err := users.LookupToken(context.Background(), tid, secret)
		if err != nil || got.ID != tok.ID || gu.ID != u.ID || got.TenantID != tid || !got.HasScope(auth.ScopeWrite) {
			t.Fatalf("lookup: %+v %+v %v", got, gu, err)
		}
		otherTenant := storetest.Tenant(t, db, "b")
		for _, elsewhere := range []string{otherTenant, ""} {
			if _, _, err := users.LookupToken(context.Background(), elsewhere, secret); !errors.Is(err, auth.ErrTokenInvalid) {
				t.Errorf("lookup in tenant %q: %v, want ErrTokenInvalid", elsewhere, err)
			}
		}
		for _, bad := range []string{"", "mft_", "not-a-token", auth.TokenPrefix + "x", secret + "x", auth.TokenPrefix + strings.Repeat("a", 100)} {
			if _, _, err := users.LookupToken(context.Background(), tid, bad); !errors.Is(err, auth.ErrTokenInvalid) {
				t.Errorf("lookup %q: %v, want ErrTokenInvalid", bad, err)
			}
		}

		// Expiry is read on the store clock, cached or not.
		mc.Set(start.Add(48*time.Hour - time.Second))
		if _, _, err := users.LookupToken(context.Background(), tid, secret); err != nil {
			t.Fatalf("a second before expiry: %v", err)
		}
		mc.Set(start.Add(48 * time.Hour))
		if _, _, err := users.LookupToken(context.Background(), tid, secret); !errors.Is(err, auth.ErrTokenExpired) {
			t.Fatalf("at expiry (cached): %v, want ErrTokenExpired", err)
		}
		if _, _, err := (&auth.Users{DB: db}).LookupToken(context.Background(), tid, secret); !errors.Is(err, auth.ErrTokenExpired) {
			t.Fatalf("at expiry (uncached): %v, want ErrTokenExpired", err)
		}
		mc.Set(start)

		// Revocation applies at once on this instance, cache or not.
		if ok, err := users.RevokeToken(ctx, u.ID, tok.ID); err != nil || !ok {
			t.Fatalf("revoke: %v %v", ok, err)
		}
		if _, _, err := users.LookupToken(context.Background(), tid, secret); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("after revoke: %v, want ErrTokenRevoked", err)
		}
		if ok, err := users.RevokeToken(ctx, u.ID, tok.ID); err != nil || ok {
			t.Fatalf("revoking twice: %v %v, want false", ok, err)
		}
		var revoked auth.Token
		if err := db.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", tok.ID).Take(&revoked).Error }); err != nil {
			t.Fatal(err)
		}
		if revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(start) || revoked.Active(start) {
			t.Fatalf("revoked at %v, want the store clock's %v", revoked.RevokedAt, start)
		}
	}, storetest.Clock(mc))
}

// TestTokensBelongToTheirOwnerAndTenant: a user lists and revokes only
// their own tokens in the context's tenant, newest first.
func TestTokensBelongToTheirOwnerAndTenant(t *testing.T) {
	mc := clock.NewManual(start)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mc.Set(start)
		users := &auth.Users{DB: db}
		a, b := storetest.Tenant(t, db, "a"), storetest.Tenant(t, db, "b")
		kari, ola := storetest.User(t, db, "kari@example.no"), storetest.User(t, db, "ola@example.no")
		inA, inB := storetest.Ctx(a, storetest.As(kari)), storetest.Ctx(b, storetest.As(kari))
		first, _, err := users.CreateToken(inA, kari.ID, "første", []string{auth.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		mc.Advance(time.Minute)
		second, _, err := users.CreateToken(inA, kari.ID, "andre", []string{auth.ScopeRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := users.CreateToken(inB, kari.ID, "i B", []string{auth.ScopeRead}, time.Hour); err != nil {
			t.Fatal(err)
		}
		olas, _, err := users.CreateToken(storetest.Ctx(a, storetest.As(ola)), ola.ID, "Olas", []string{auth.ScopeWrite}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		list, err := users.Tokens(inA, kari.ID)
		if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
			t.Fatalf("Kari's tokens in A: %+v %v, want [andre første]", list, err)
		}
		if ok, err := users.RevokeToken(inA, kari.ID, olas.ID); err != nil || ok {
			t.Fatalf("Kari revoked Ola's token: %v %v", ok, err)
		}
		if ok, err := users.RevokeToken(inB, kari.ID, first.ID); err != nil || ok {
			t.Fatalf("a token of tenant A was revoked from tenant B: %v %v", ok, err)
		}
		if _, err := users.Tokens(context.Background(), kari.ID); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("tokens without a tenant: %v, want ErrNoTenant", err)
		}
	}, storetest.Clock(mc))
}

// TestTokenScopes: the scopes a token carries, and only those.
func TestTokenScopes(t *testing.T) {
	for _, c := range []struct {
		scopes      string
		read, write bool
	}{
		{"read", true, false},
		{"write", false, true},
		{"read,write", true, true},
		{"", false, false},
		{"readwrite", false, false},
	} {
		tok := &auth.Token{Scopes: c.scopes}
		if tok.HasScope(auth.ScopeRead) != c.read || tok.HasScope(auth.ScopeWrite) != c.write {
			t.Errorf("scopes %q: read %v write %v", c.scopes, tok.HasScope(auth.ScopeRead), tok.HasScope(auth.ScopeWrite))
		}
	}
}
