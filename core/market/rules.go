package market

import (
	"context"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/fail"
)

// The row rules of the market, in one place: what the actor in a context
// sees of a listing, which listings it may change, and who reads documents
// and plans. The route's own permission (access.ListingsRead, …) is checked
// before the domain is called; these rules decide row by row.

// Access is what the caller may see of a listing.
type Access int

// Access levels.
const (
	Hidden Access = iota // not at all (drafts of others, members-only to outsiders)
	Public               // the privacy-preserving view
	Member               // exact location and dates, price only if public
	Full                 // everything: owner, tenant admin, supervisor
)

// AccessFor is the row rule for listings: owners (and tenant admins) and
// supervisors see everything; drafts are hidden from others; members-only
// listings from non-members; members see more than the public.
func AccessFor(a *access.Actor, l *Listing) Access {
	p := a.Principal
	if a.CanEditOrg(l.OrganizationID) || p.Has(auth.RoleSupervisor) {
		return Full
	}
	if l.Status == StatusDraft {
		return Hidden
	}
	member := p.Has(auth.RoleMember)
	if l.Visibility == "members" && !member {
		return Hidden
	}
	if member {
		return Member
	}
	return Public
}

// AccessTo is AccessFor the actor in ctx.
func AccessTo(ctx context.Context, l *Listing) Access { return AccessFor(access.From(ctx), l) }

// View renders a listing for the actor in ctx at its access level: the
// listing (without a private price for members) or its public view.
func View(ctx context.Context, l *Listing) any {
	switch AccessTo(ctx, l) {
	case Full:
		return l
	case Member:
		cp := *l
		if !cp.PricePublic {
			cp.PriceNOKPerTonne = nil
		}
		return &cp
	}
	return l.Public()
}

// canEdit is the row rule for changes: the owner's members and tenant
// admins; a listing the actor cannot see is not found.
func canEdit(ctx context.Context, l *Listing) error {
	a := access.From(ctx)
	if a.CanEditOrg(l.OrganizationID) {
		return nil
	}
	if AccessFor(a, l) == Hidden {
		return fail.NotFoundErr()
	}
	return access.NotOwnOrganization()
}

// documentAccess: quality documents are for members of the tenant and the
// owner; a listing the caller cannot see at all is not found.
func documentAccess(ctx context.Context, l *Listing) error {
	a := access.From(ctx)
	switch AccessFor(a, l) {
	case Full, Member:
		return nil
	case Hidden:
		return fail.NotFoundErr()
	}
	if a.Anonymous() {
		return fail.UnauthorizedErr()
	}
	return fail.ForbiddenErr()
}

// planAccess: a project's plan is read by its owner, tenant admins and
// supervisors.
func planAccess(ctx context.Context, orgID string) error {
	a := access.From(ctx)
	switch {
	case a.CanEditOrg(orgID), a.Principal.Has(auth.RoleSupervisor):
		return nil
	case a.Anonymous():
		return fail.UnauthorizedErr()
	}
	return access.NotOwnOrganization()
}

// mapClass is the audience a map is rendered for: the public sees coarse
// points (unless the owner made a point public) and no members-only
// listings; members of the tenant see exact points.
func mapClass(ctx context.Context) string {
	a := access.From(ctx)
	if a.Principal.Has(auth.RoleMember) || a.Principal.Has(auth.RoleSupervisor) || a.IsAdmin() {
		return "member"
	}
	return "public"
}
