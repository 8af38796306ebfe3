package storetest

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/store"
)

// Tenant creates a tenant row, no more than scoping needs (slug, name, the
// column defaults), and returns its ID. It is not the platform's tenant
// creation (tenants.Registry.Create, which also loads the registry and
// tells other instances): a domain test needs a tenant ID its rows can
// belong to.
func Tenant(t testing.TB, db *store.DB, slug string) string {
	t.Helper()
	id := store.NewID()
	now := db.Now()
	err := db.Tx(sys(), func(tx *gorm.DB) error {
		return tx.Table("tenants").Create(map[string]any{"id": id, "slug": slug, "name": slug, "created_at": now, "updated_at": now}).Error
	})
	if err != nil {
		t.Fatalf("tenant %s: %v", slug, err)
	}
	return id
}

// User creates a person (a global row) with e-mail email.
func User(t testing.TB, db *store.DB, email string) *auth.User {
	t.Helper()
	now := db.Now()
	u := &auth.User{ID: store.NewID(), Subject: "storetest:" + email, Email: email, Name: email, CreatedAt: now, UpdatedAt: now}
	if err := db.Tx(sys(), func(tx *gorm.DB) error { return tx.Create(u).Error }); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// As is an actor for user u logged in with a session, holding roles besides
// "anonymous" and "authenticated" and no organization memberships (set
// Principal.Orgs, Principal.Token, Principal.AAL or Rules on the result for
// more).
func As(u *auth.User, roles ...string) *access.Actor {
	rs := append([]string{auth.RoleAnonymous, auth.RoleAuthenticated}, roles...)
	return &access.Actor{Principal: &auth.Principal{User: u, Roles: rs, Orgs: map[string]string{}}}
}

// Ctx is a context scoped to tenantID that carries actor (As) acting in that
// tenant, or an anonymous visitor without one.
func Ctx(tenantID string, actor ...*access.Actor) context.Context {
	a := &access.Actor{}
	if len(actor) > 0 && actor[0] != nil {
		cp := *actor[0]
		a = &cp
	}
	a.TenantID = tenantID
	return access.With(context.Background(), a)
}
