package directory

import (
	"context"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/geo"
)

// Privacy of a site's point (B6): the owner chooses whether its exact point
// is public (ExactPointPublic; facilities, public businesses, by default,
// projects not). Those who may see every listing's exact point (the owner's
// people, tenant admins, members of the region, supervisors) see it anyway;
// every other reader — visitors, the map, the widgets — gets the centre of
// its ~1 km cell, the same cell as a listing's public area, so a project
// listing's public area is not undone by its project's page.

// SitePointExact reports whether actor a may see site st's exact point.
func SitePointExact(a *access.Actor, st *Site) bool {
	if st.ExactPointPublic || a.CanEditOrg(st.OrganizationID) {
		return true
	}
	p := a.Principal
	return p.Has(auth.RoleMember) || p.Has(auth.RoleSupervisor)
}

// pointFor replaces st's point by its cell's centre when the actor in ctx
// may not see it.
func pointFor(ctx context.Context, st *Site) {
	if SitePointExact(access.From(ctx), st) {
		return
	}
	st.Lat, st.Lon = geo.Cell(st.Lat, st.Lon)
	st.PointApproximate = true
}
