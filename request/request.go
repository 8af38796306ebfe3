// Package request carries the per-request tenant, principal and role
// decisions between the middleware and the handlers.
package request

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/tenants"
)

const (
	localsTenant    = "mf.tenant"
	localsPrincipal = "mf.principal"
	localsRoles     = "mf.roles"
)

// SetTenant records the resolved tenant.
func SetTenant(c *fiber.Ctx, t *tenants.Tenant) { c.Locals(localsTenant, t) }

// Tenant returns the request's tenant (nil outside tenant routes).
func Tenant(c *fiber.Ctx) *tenants.Tenant {
	t, _ := c.Locals(localsTenant).(*tenants.Tenant)
	return t
}

// SetPrincipal records who makes the request.
func SetPrincipal(c *fiber.Ctx, p *auth.Principal) { c.Locals(localsPrincipal, p) }

// Principal returns who makes the request (never nil).
func Principal(c *fiber.Ctx) *auth.Principal {
	if p, ok := c.Locals(localsPrincipal).(*auth.Principal); ok && p != nil {
		return p
	}
	return &auth.Principal{Roles: []string{auth.RoleAnonymous}}
}

// SetRoles records the role decider.
func SetRoles(c *fiber.Ctx, r *tenants.Roles) { c.Locals(localsRoles, r) }

// Can reports whether the principal may do act on obj in the request's tenant,
// without the second-factor and token-scope checks (for showing UI controls).
func Can(c *fiber.Ctx, obj, act string) bool {
	return Tenant(c) != nil && Actor(c).Can(obj, act)
}

// Authorize returns nil when the principal may do act on obj in the
// request's tenant. API tokens are limited by their scopes and never do
// administration; actions only an admin role grants require a second factor.
func Authorize(c *fiber.Ctx, obj, act string) error {
	if err := Actor(c).Authorize(obj, act); err != nil {
		return httpx.AsError(err)
	}
	return nil
}

// Ctx is the request's context for domain methods: tenant-scoped on tenant
// routes, with the request's actor.
func Ctx(c *fiber.Ctx) context.Context { return access.With(c.UserContext(), Actor(c)) }

// Actor is the request's actor, as the domain sees it (access.Actor).
func Actor(c *fiber.Ctx) *access.Actor {
	a := &access.Actor{Principal: Principal(c), Locale: httpx.Loc(c).Lang}
	if t := Tenant(c); t != nil {
		a.TenantID, a.TenantSlug = t.ID, t.Slug
	}
	if r, _ := c.Locals(localsRoles).(*tenants.Roles); r != nil {
		a.Rules = r
	}
	return a
}

// IsAdmin reports whether the principal administers the request's tenant
// (the row rules live on access.Actor).
func IsAdmin(c *fiber.Ctx) bool { return Actor(c).IsAdmin() }

// CanEditOrg reports whether the principal may change rows owned by orgID.
func CanEditOrg(c *fiber.Ctx, orgID string) bool { return Actor(c).CanEditOrg(orgID) }

// CanAdminOrg reports whether the principal is an org admin of orgID or a tenant admin.
func CanAdminOrg(c *fiber.Ctx, orgID string) bool { return Actor(c).CanAdminOrg(orgID) }
