// Package access carries the acting principal in a context.Context: the
// tenant, the user, their roles and organizations, an API token's scopes
// and the second-factor level. Domain methods read it from their context;
// the HTTP adapters, the CLI, background jobs and tests put it there.
package access

import (
	"context"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// Decision is a rule engine's answer: whether a permission is allowed and
// whether only an admin role granted it (then a second factor is needed).
type Decision struct{ Allowed, AdminOnly bool }

// Rules decides a permission for roles in a tenant (Casbin, with the
// tenant's own allow and deny rules).
type Rules interface {
	Decide(roles []string, tenantID, obj, act string) Decision
}

// Actor is who acts, where.
type Actor struct {
	TenantID   string
	TenantSlug string
	// Locale is the actor's language (nb, nn, en), for what the domain
	// writes for them.
	Locale    string
	Principal *auth.Principal
	Rules     Rules
}

type key struct{}

// With returns ctx carrying the actor, scoped to the actor's tenant.
func With(ctx context.Context, a *Actor) context.Context {
	if a.TenantID != "" {
		ctx = store.WithTenant(ctx, a.TenantID)
	}
	return context.WithValue(ctx, key{}, a)
}

var anonymous = &auth.Principal{Roles: []string{auth.RoleAnonymous}}

// From returns the actor in ctx; without one, an anonymous actor with no
// tenant and no rules (who may do nothing).
func From(ctx context.Context) *Actor {
	if a, ok := ctx.Value(key{}).(*Actor); ok && a != nil {
		if a.Principal == nil {
			a.Principal = anonymous
		}
		return a
	}
	tid, _ := store.TenantID(ctx)
	return &Actor{TenantID: tid, Principal: anonymous}
}

// UserID is the acting user's ID, or "".
func (a *Actor) UserID() string { return a.Principal.UserID() }

// Anonymous reports whether nobody is logged in.
func (a *Actor) Anonymous() bool { return a.Principal.Anonymous() }

// Can reports whether the actor's roles allow act on obj in the tenant,
// without the token-scope and second-factor checks (for showing controls).
func (a *Actor) Can(obj, act string) bool {
	if a.Rules == nil {
		return false
	}
	return a.Rules.Decide(a.Principal.Roles, a.domain(), obj, act).Allowed
}

func (a *Actor) domain() string {
	if a.TenantID == "" {
		return "*"
	}
	return a.TenantID
}

// Authorize returns nil when the actor may do act on obj. API tokens are
// limited by their scopes and do not administer, except a tenant admin's
// admin-scoped token in its own region (never the platform); a permission
// that only an admin role grants needs a second factor.
func (a *Actor) Authorize(obj, act string) error {
	p := a.Principal
	if a.Rules == nil {
		return fail.ForbiddenErr()
	}
	// Only an admin-scoped token of a tenant admin, used in its own
	// region, administers (that region; never the platform).
	adminToken := a.AdminToken()
	if p.Token != nil {
		if obj == "platform" || obj == "tenant" && act == "admin" && !adminToken {
			return fail.New(fail.Forbidden, "token_admin", "ErrTokenAdmin")
		}
		need := auth.ScopeWrite
		if act == "read" {
			need = auth.ScopeRead
		}
		if !p.Token.HasScope(need) && !adminToken {
			return fail.New(fail.Forbidden, "token_scope", "ErrTokenScope", "Scope", need)
		}
	}
	d := a.Rules.Decide(p.Roles, a.domain(), obj, act)
	if !d.Allowed {
		if p.Anonymous() {
			return fail.UnauthorizedErr()
		}
		return fail.ForbiddenErr()
	}
	// Administration always needs a second factor, whichever role a
	// region's rule granted it to (issue 10, M1).
	if d.AdminOnly || act == "admin" {
		switch {
		case adminToken: // made from an AAL2 session, for at most 30 days
		case p.Token != nil:
			return fail.New(fail.Forbidden, "token_admin", "ErrTokenAdmin")
		case p.AAL != auth.AAL2:
			return fail.New(fail.Forbidden, "second_factor_required", "ErrSecondFactor")
		}
	}
	return nil
}

// AdminToken reports whether the actor acts with an admin-scoped API token
// of a tenant admin in the token's own region.
func (a *Actor) AdminToken() bool {
	p := a.Principal
	return p.Token != nil && p.Token.HasScope(auth.ScopeAdmin) && a.TenantID != "" &&
		p.Token.TenantID == a.TenantID && p.Has(auth.RoleTenantAdmin)
}

// Authorize checks a permission for the actor in ctx.
func Authorize(ctx context.Context, obj, act string) error { return From(ctx).Authorize(obj, act) }

// IsAdmin reports whether the actor administers the tenant.
func (a *Actor) IsAdmin() bool {
	return a.Principal.Has(auth.RoleTenantAdmin) || a.Principal.Has(auth.RoleSuperadmin)
}

// CanEditOrg is the row rule for an organization's entries: tenant admins,
// and members of that organization.
func (a *Actor) CanEditOrg(orgID string) bool {
	return a.IsAdmin() || a.Principal.Orgs[orgID] != ""
}

// CanAdminOrg: tenant admins and the organization's own admins.
func (a *Actor) CanAdminOrg(orgID string) bool {
	return a.IsAdmin() || a.Principal.Orgs[orgID] == "admin"
}

// NotOwnOrganization is the row rule's refusal: the actor does not
// represent (or administer) the organization that owns the row.
func NotOwnOrganization() error {
	return fail.New(fail.Forbidden, "not_own_organization", "ErrNotOwnOrganization")
}
