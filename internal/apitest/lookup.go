package apitest

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/fixtures"
	"github.com/masseflyt/masseflyt/plugins/identity/dev"
	"github.com/masseflyt/masseflyt/tenants"
)

// Tenant returns a fixture tenant by slug.
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

// OrgID returns the ID of a fixture organization by key.
func (e *Env) OrgID(slug, key string) string {
	var num string
	for _, o := range fixtures.Orgs {
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

// User returns a fixture user by e-mail.
func (e *Env) User(email string) *auth.User {
	u, err := e.App.Users.ByEmail(context.Background(), email)
	if err != nil {
		e.T.Fatalf("user %s: %v", email, err)
	}
	return u
}

// Cookie returns a dev-login cookie header for a fixture user.
func Cookie(email string) string {
	return dev.CookieName + "=" + dev.Sign([]byte(Secret), fixtures.Subject(email))
}

// Token issues an API token for a fixture user in a tenant.
func (e *Env) Token(slug, email string, scopes ...string) string {
	_, secret, err := e.App.Users.CreateToken(e.Ctx(slug), e.User(email).ID, "test", scopes, 24*time.Hour)
	if err != nil {
		e.T.Fatal(err)
	}
	return secret
}

// Stats reads a region's open statistics through the API.
func (e *Env) Stats(slug string) stats.Stats {
	e.T.Helper()
	r := e.Do(Request{Path: "/api/v1/tenants/" + slug + "/stats"})
	if r.Status != 200 {
		e.T.Fatalf("stats: %d %s", r.Status, r.Body)
	}
	var s stats.Stats
	r.JSON(e.T, &s)
	return s
}
