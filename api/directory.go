package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// OrgQuery filters the organizations.
type OrgQuery struct {
	Q            string `query:"q" doc:"Search name, description or org number (at most 200 characters)"`
	Kind         string `query:"kind" doc:"Organization kind"`
	Service      string `query:"service" doc:"Transport service"`
	Municipality string `query:"municipality" doc:"Municipality number"`
}

// SiteQuery filters projects and facilities.
type SiteQuery struct {
	Kind         string `query:"kind" doc:"project or facility"`
	Phase        string `query:"phase" doc:"Project phase"`
	FacilityType string `query:"facility_type" doc:"Facility type"`
	Municipality string `query:"municipality" doc:"Municipality number"`
	Q            string `query:"q" doc:"Search name or description (at most 200 characters)"`
}

// MembershipQuery filters an organization's memberships.
type MembershipQuery struct {
	Status string `query:"status" doc:"pending, approved, rejected or ended"`
}

// DeleteQuery confirms a delete that takes listings and documents with it.
type DeleteQuery struct {
	Confirm string `query:"confirm" doc:"1: delete with the listings and documents the 409 answer counted"`
}

// MembershipsQuery filters the caller's memberships, or every one.
type MembershipsQuery struct {
	All    string `query:"all" doc:"1 for every membership in the region (tenant admins and supervisors)"`
	Status string `query:"status" doc:"pending, approved, rejected or ended"`
}

// directoryRoutes is the directory API (organizations, sites, permits,
// contacts, vehicles, memberships, the register and the map), relative to
// /api/v1/tenants/:tenant.
func directoryRoutes(a *app.App) []route.Route {
	s := a.Directory
	orgEx := map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "description": "Registerenheten i Brønnøysund", "lat": 65.4748, "lon": 12.2117}
	siteEx := map[string]any{"kind": "project", "name": "Ny gang- og sykkelvei", "phase": "early_planning", "planned_start": "2028-04", "planned_end": "2029-10",
		"expected_surplus_tonnes": 12000, "lat": 59.8893, "lon": 10.5227}
	const tag = "Directory"
	return []route.Route{
		{Method: "GET", Path: "/organizations", Perm: access.DirectoryRead, Handler: listOrgs(s),
			Doc: &route.Doc{ID: "listOrganizations", Summary: "Search the directory, a page at a time (cursor pagination)", Tag: tag, Query: OrgQuery{}, Page: directory.OrgPages, Out: page.Page[directory.Organization]{}}},
		{Method: "POST", Path: "/organizations", Perm: access.DirectoryCreate, Handler: createOrg(s),
			Doc: &route.Doc{ID: "createOrganization", Summary: "Register an organization from Enhetsregisteret", Tag: tag, In: directory.OrgInput{}, Example: orgEx, Status: 201, Out: directory.Organization{}, Errors: []int{409, 503}}},
		{Method: "GET", Path: "/organizations/:id", Perm: access.DirectoryRead, Handler: getOrg(s),
			Doc: &route.Doc{ID: "getOrganization", Summary: "One organization", Tag: tag, Out: directory.Organization{}}},
		{Method: "PATCH", Path: "/organizations/:id", Perm: access.DirectoryUpdate, Handler: withBody(200, s.UpdateOrg),
			Doc: &route.Doc{ID: "updateOrganization", Summary: "Edit or enrich an organization you represent", Tag: tag, In: directory.OrgInput{}, Example: map[string]any{"description": "Pukkverk og massemottak"}, Out: directory.Organization{}}},
		{Method: "DELETE", Path: "/organizations/:id", Perm: access.DirectoryDelete, Handler: deleteConfirmed(s.RemoveOrg),
			Doc: &route.Doc{ID: "deleteOrganization", Summary: "Remove an organization (org admin or tenant admin) with its sites, listings and documents; with listings or documents 409 with the counts unless ?confirm=1", Tag: tag, Query: DeleteQuery{}, Status: 204, Errors: []int{409}}},
		{Method: "GET", Path: "/organizations/:id/sites", Perm: access.DirectoryRead, Handler: listOrgSites(s),
			Doc: &route.Doc{ID: "listOrganizationSites", Summary: "An organization's projects and facilities, by name, a page at a time", Tag: tag, Query: SiteQuery{}, Page: directory.SitePages, Out: page.Page[directory.Site]{}}},
		{Method: "POST", Path: "/organizations/:id/sites", Perm: access.DirectoryUpdate, Handler: withBody(201, s.CreateSite),
			Doc: &route.Doc{ID: "createSite", Summary: "Add a project or facility", Tag: tag, In: directory.SiteInput{}, Example: siteEx, Status: 201, Out: directory.Site{}}},
		{Method: "GET", Path: "/organizations/:id/contacts", Perm: access.ContactsRead, Handler: listContacts(s),
			Doc: &route.Doc{ID: "listContacts", Summary: "Contact persons (logged-in users only), by name, a page at a time", Tag: tag, Page: directory.ContactPages, Out: page.Page[directory.Contact]{}}},
		{Method: "POST", Path: "/organizations/:id/contacts", Perm: access.ContactsWrite, Handler: withBody(201, s.CreateContact),
			Doc: &route.Doc{ID: "createContact", Summary: "Add a contact person", Tag: tag, In: directory.ContactInput{}, Status: 201, Out: directory.Contact{}, Example: map[string]any{"name": "Kari Nordmann", "title": "Prosjektleder", "phone": "+47 912 34 567"}}},
		{Method: "GET", Path: "/organizations/:id/vehicles", Perm: access.DirectoryRead, Handler: listVehicles(s),
			Doc: &route.Doc{ID: "listVehicles", Summary: "A transport company's vehicles (approved ones for the public), by registration, a page at a time", Tag: tag, Page: directory.VehiclePages, Out: page.Page[directory.Vehicle]{}}},
		{Method: "POST", Path: "/organizations/:id/vehicles", Perm: access.VehiclesCreate, Handler: withBody(201, s.CreateVehicle),
			Doc: &route.Doc{ID: "createVehicle", Summary: "Register a vehicle (pending until the company approves)", Tag: tag, In: directory.VehicleInput{}, Status: 201, Out: directory.Vehicle{}, Errors: []int{409}, Example: map[string]any{"registration": "EB 12345", "make": "Volvo", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 18, "payload_m3": 11}}},
		{Method: "GET", Path: "/organizations/:id/memberships", Perm: access.MembershipsRead, Handler: listOrgMemberships(s),
			Doc: &route.Doc{ID: "listOrganizationMemberships", Summary: "Representatives of an organization, newest first, a page at a time", Tag: tag, Query: MembershipQuery{}, Page: directory.MembershipPages, Out: page.Page[directory.Membership]{}}},
		{Method: "POST", Path: "/organizations/:id/memberships", Perm: access.MembershipsRequest, Handler: optionalBody(201, s.RequestMembership),
			Doc: &route.Doc{ID: "requestMembership", Summary: "Ask to become a verified representative", Tag: tag, In: directory.MembershipInput{}, InOptional: true, Status: 201, Out: directory.Membership{}, Errors: []int{409}, Example: map[string]any{"role": "member", "message": "Jeg er prosjektleder her."}}},
		{Method: "GET", Path: "/sites", Perm: access.DirectoryRead, Handler: listSites(s),
			Doc: &route.Doc{ID: "listSites", Summary: "Projects and facilities, by name, a page at a time", Tag: tag, Query: SiteQuery{}, Page: directory.SitePages, Out: page.Page[directory.Site]{}}},
		{Method: "GET", Path: "/sites/:id", Perm: access.DirectoryRead, Handler: getSite(s),
			Doc: &route.Doc{ID: "getSite", Summary: "One project or facility with permits", Tag: tag, Out: directory.Site{}}},
		{Method: "PATCH", Path: "/sites/:id", Perm: access.DirectoryUpdate, Handler: withBody(200, s.UpdateSite),
			Doc: &route.Doc{ID: "updateSite", Summary: "Edit a project or facility", Tag: tag, In: directory.SiteInput{}, Example: map[string]any{"phase": "zoning"}, Out: directory.Site{}}},
		{Method: "DELETE", Path: "/sites/:id", Perm: access.DirectoryUpdate, Handler: deleteConfirmed(s.RemoveSite),
			Doc: &route.Doc{ID: "deleteSite", Summary: "Remove a project or facility; with listings or documents only by an org admin, and 409 with the counts unless ?confirm=1", Tag: tag, Query: DeleteQuery{}, Status: 204, Errors: []int{409}}},
		{Method: "POST", Path: "/sites/:id/permits", Perm: access.DirectoryUpdate, Handler: withBody(201, s.CreatePermit),
			Doc: &route.Doc{ID: "createPermit", Summary: "Add a mass-handling permit", Tag: tag, In: directory.PermitInput{}, Status: 201, Out: directory.Permit{}, Example: map[string]any{"kind": "receiving", "authority": "Statsforvalteren i Oslo og Viken", "valid_from": "2025-01-01", "valid_to": "2030-12-31", "fractions": []string{"sprengstein", "pukk"}, "max_class": 1}}},
		{Method: "DELETE", Path: "/permits/:id", Perm: access.DirectoryUpdate, Handler: deleteByID(s.DeletePermit),
			Doc: &route.Doc{ID: "deletePermit", Summary: "Remove a permit", Tag: tag, Status: 204}},
		{Method: "PATCH", Path: "/contacts/:id", Perm: access.ContactsWrite, Handler: withBody(200, s.UpdateContact),
			Doc: &route.Doc{ID: "updateContact", Summary: "Edit a contact person", Tag: tag, In: directory.ContactInput{}, Example: map[string]any{"title": "Anleggsleder"}, Out: directory.Contact{}}},
		{Method: "DELETE", Path: "/contacts/:id", Perm: access.ContactsWrite, Handler: deleteByID(s.DeleteContact),
			Doc: &route.Doc{ID: "deleteContact", Summary: "Remove a contact person", Tag: tag, Status: 204}},
		{Method: "POST", Path: "/vehicles/:id/approve", Perm: access.VehiclesApprove, Handler: decideVehicle(s, directory.StatusApproved),
			Doc: &route.Doc{ID: "approveVehicle", Summary: "Approve a vehicle (the company's org admin)", Tag: tag, Out: directory.Vehicle{}}},
		{Method: "POST", Path: "/vehicles/:id/reject", Perm: access.VehiclesApprove, Handler: decideVehicle(s, directory.StatusRejected),
			Doc: &route.Doc{ID: "rejectVehicle", Summary: "Reject a vehicle", Tag: tag, Out: directory.Vehicle{}}},
		{Method: "PUT", Path: "/vehicles/:id", Perm: access.DirectoryUpdate, Handler: withBody(200, s.UpdateVehicle),
			Doc: &route.Doc{ID: "updateVehicle", Summary: "Replace a vehicle's details (an approved vehicle edited by someone who does not administer the company is pending again)", Tag: tag,
				In: directory.VehicleInput{}, Out: directory.Vehicle{}, Errors: []int{409},
				Example: map[string]any{"registration": "EB 12345", "make": "Volvo", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 18, "payload_m3": 11}}},
		{Method: "DELETE", Path: "/vehicles/:id", Perm: access.DirectoryUpdate, Handler: deleteByID(s.DeleteVehicle),
			Doc: &route.Doc{ID: "deleteVehicle", Summary: "Remove a vehicle", Tag: tag, Status: 204}},
		// One's own memberships are part of one's account (me:read); ?all=1
		// also needs memberships:read.
		{Method: "GET", Path: "/memberships", Perm: access.MeRead, Handler: listMemberships(s),
			Doc: &route.Doc{ID: "listMemberships", Summary: "Your memberships (?all=1: all, for admins and supervisors), newest first, a page at a time", Tag: tag, Query: MembershipsQuery{}, Page: directory.MembershipPages, Out: page.Page[directory.Membership]{}}},
		{Method: "POST", Path: "/memberships/:id/approve", Perm: access.MembershipsApprove, Handler: decideMembership(s, directory.StatusApproved),
			Doc: &route.Doc{ID: "approveMembership", Summary: "Approve a representation request", Tag: tag, In: directory.DecisionInput{}, InOptional: true, Example: map[string]any{"role": "member"}, Out: directory.Membership{}, Errors: []int{409}}},
		{Method: "POST", Path: "/memberships/:id/reject", Perm: access.MembershipsApprove, Handler: decideMembership(s, directory.StatusRejected),
			Doc: &route.Doc{ID: "rejectMembership", Summary: "Reject a representation request", Tag: tag, In: directory.DecisionInput{}, InOptional: true, Example: map[string]any{}, Out: directory.Membership{}, Errors: []int{409}}},
		{Method: "POST", Path: "/memberships/:id/end", Perm: access.MembershipsApprove, Handler: endMembership(s),
			Doc: &route.Doc{ID: "endMembership", Summary: "End a representation (a former employee): its org admins and tenant admins; the user may ask again", Tag: tag, Out: directory.Membership{}, Errors: []int{409}}},
		{Method: "GET", Path: "/registry/:orgnr", Perm: access.DirectoryCreate, Handler: registryLookup(s),
			Doc: &route.Doc{ID: "lookupRegistry", Summary: "Look an organization number up in Enhetsregisteret", Tag: tag, Out: directory.RegistryUnit{}, Errors: []int{410, 422, 503}}},
		{Method: "GET", Path: "/map.geojson", Perm: access.DirectoryRead, Handler: mapGeoJSON(s),
			Doc: &route.Doc{ID: "mapGeoJSON", Summary: "Projects and facilities as GeoJSON, by name (at most 5 000; the map has no further pages)", Tag: tag, Query: SiteQuery{}, Out: directory.FeatureCollection{}, OutType: "application/geo+json"}},
	}
}

// idParam returns the :id parameter, answering 404 for a malformed ID before
// anything else is read.
func idParam(c *fiber.Ctx) (string, error) {
	id := c.Params("id")
	if !store.ValidID(id) {
		return "", fail.NotFoundErr()
	}
	return id, nil
}

// withBody is the handler of a command on :id with a JSON body: decode the
// body strictly, call the domain, answer status with the result.
func withBody[In, Out any](status int, call func(ctx context.Context, id string, in *In) (Out, error)) fiber.Handler {
	return body(status, false, call)
}

// optionalBody is withBody for a body that may be empty.
func optionalBody[In, Out any](status int, call func(ctx context.Context, id string, in *In) (Out, error)) fiber.Handler {
	return body(status, true, call)
}

func body[In, Out any](status int, optional bool, call func(ctx context.Context, id string, in *In) (Out, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		var in In
		if !optional || len(c.Body()) > 0 {
			if err := httpx.DecodeJSON(c, &in); err != nil {
				return err
			}
		}
		out, err := call(request.Ctx(c), id, &in)
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out)
	}
}

// deleteConfirmed is the handler of a delete on :id that may need
// ?confirm=1 (L5): 204 when done.
func deleteConfirmed(call func(ctx context.Context, id string, confirmed bool) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if err := call(request.Ctx(c), id, c.Query("confirm") == "1"); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// deleteByID is the handler of a delete on :id: 204 when done.
func deleteByID(call func(ctx context.Context, id string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		if err := call(request.Ctx(c), id); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}
