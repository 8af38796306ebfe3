package apidoc

import (
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
)

// op is one operation. Its error responses follow from what it is (see
// errorStatuses): every operation may be rate-limited or fail; a region's
// operations authenticate and authorize; a body may be malformed, too large,
// of the wrong type or invalid; conflict and extra add the rest.
type op struct {
	method, path, id, summary, tag string
	public                         bool
	query                          []m
	body                           string // JSON request schema
	bodyOptional                   bool   // an empty body is accepted
	upload                         string // multipart/form-data request schema
	bodyType                       string // a raw request body of this type
	example                        any
	status                         int
	resp                           string   // JSON response schema
	respType                       string   // its media type (default application/json)
	binary                         []string // media types of a file response
	conflict                       bool     // 409
	extra                          []int    // more statuses (410, 503)
}

const tp = "/api/v1/tenants/{tenant}"

func q(name, desc string, schema m) m {
	return m{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
}

func ops() []op {
	orgFilters := []m{q("q", "Search name, description or org number", m{"type": "string", "maxLength": 200}), q("kind", "Organization kind", enum("", directory.OrgKinds)),
		q("service", "Transport service", enum("", directory.TransportServices)), q("municipality", "Municipality number", m{"type": "string"}),
		q("limit", "Page size 1–200 (default 50)", m{"type": "integer", "minimum": 1, "maximum": 200}), q("cursor", "next_cursor of the previous page", m{"type": "string"})}
	siteSearch := []m{q("kind", "project or facility", enum("", directory.SiteKinds)), q("phase", "Project phase", enum("", directory.ProjectPhases)),
		q("facility_type", "Facility type", enum("", directory.FacilityTypes)), q("municipality", "Municipality number", m{"type": "string"}),
		q("q", "Search", m{"type": "string", "maxLength": 200})}
	siteFilters := append(append([]m{}, siteSearch...), q("limit", "At most this many, 1–1000 (default 200); there are no further pages", m{"type": "integer", "minimum": 1, "maximum": 1000}))
	mapFilters := []m{q("kind", "surplus, need or capacity", enum("", market.Kinds)), q("fraction", "Fraction code", enum("", fractionCodes()))}
	orgEx := map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "description": "Registerenheten i Brønnøysund", "lat": 65.4748, "lon": 12.2117}
	siteEx := map[string]any{"kind": "project", "name": "Ny gang- og sykkelvei", "phase": "early_planning", "planned_start": "2028-04", "planned_end": "2029-10",
		"expected_surplus_tonnes": 12000, "lat": 59.8893, "lon": 10.5227}
	ruleEx := map[string]any{"role": "transporter", "object": "vehicles", "action": "create", "effect": "deny"}
	pdf, xlsx := "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	return []op{
		{method: "GET", path: "/api/v1/openapi.json", id: "openapi", summary: "This OpenAPI document", tag: "Platform", public: true, binary: []string{"application/json"}},
		{method: "GET", path: "/api/v1/docs", id: "docs", summary: "Developer portal page", tag: "Platform", public: true, binary: []string{"text/html"}},
		{method: "GET", path: "/api/v1/tenants", id: "listTenants", summary: "List mass regions", tag: "Tenants", public: true, resp: "TenantList"},
		{method: "GET", path: tp, id: "getTenant", summary: "A region's public profile and branding", tag: "Tenants", public: true, resp: "TenantSummary"},
		{method: "GET", path: tp + "/logo", id: "getTenantLogo", summary: "The region's logo", tag: "Tenants", public: true, binary: []string{"image/*"}},
		{method: "GET", path: tp + "/me", id: "me", summary: "The caller's identity, roles and organizations in the region", tag: "Identity", resp: "Me"},
		{method: "GET", path: tp + "/tokens", id: "listTokens", summary: "The caller's API tokens (not with a token)", tag: "Identity", resp: "TokenList"},
		{method: "POST", path: tp + "/tokens", id: "createToken", summary: "Create an API token (the secret is shown once)", tag: "Identity", body: "TokenInput", example: map[string]any{"name": "ERP", "scopes": []string{"read"}, "expires_in_days": 30}, status: 201, resp: "TokenCreated"},
		{method: "DELETE", path: tp + "/tokens/{id}", id: "revokeToken", summary: "Revoke an API token", tag: "Identity", status: 204},
		{method: "GET", path: tp + "/organizations", id: "listOrganizations", summary: "Search the directory, a page at a time (cursor pagination)", tag: "Directory", public: true, query: orgFilters, resp: "OrganizationPage"},
		{method: "POST", path: tp + "/organizations", id: "createOrganization", summary: "Register an organization from Enhetsregisteret", tag: "Directory", body: "OrganizationInput", example: orgEx, status: 201, resp: "Organization", conflict: true, extra: []int{503}},
		{method: "GET", path: tp + "/organizations/{id}", id: "getOrganization", summary: "One organization", tag: "Directory", public: true, resp: "Organization"},
		{method: "PATCH", path: tp + "/organizations/{id}", id: "updateOrganization", summary: "Edit or enrich an organization you represent", tag: "Directory", body: "OrganizationPatch", example: map[string]any{"description": "Pukkverk og massemottak"}, resp: "Organization"},
		{method: "DELETE", path: tp + "/organizations/{id}", id: "deleteOrganization", summary: "Remove an organization (org admin or tenant admin)", tag: "Directory", status: 204},
		{method: "GET", path: tp + "/organizations/{id}/sites", id: "listOrganizationSites", summary: "An organization's projects and facilities", tag: "Directory", public: true, query: siteFilters, resp: "OrganizationSiteList"},
		{method: "POST", path: tp + "/organizations/{id}/sites", id: "createSite", summary: "Add a project or facility", tag: "Directory", body: "SiteInput", example: siteEx, status: 201, resp: "Site"},
		{method: "GET", path: tp + "/organizations/{id}/contacts", id: "listContacts", summary: "Contact persons (logged-in users only)", tag: "Directory", resp: "ContactList"},
		{method: "POST", path: tp + "/organizations/{id}/contacts", id: "createContact", summary: "Add a contact person", tag: "Directory", body: "ContactInput", example: map[string]any{"name": "Kari Nordmann", "title": "Prosjektleder", "phone": "+47 912 34 567"}, status: 201, resp: "Contact"},
		{method: "GET", path: tp + "/organizations/{id}/vehicles", id: "listVehicles", summary: "A transport company's vehicles (approved ones for the public)", tag: "Directory", public: true, resp: "VehicleList"},
		{method: "POST", path: tp + "/organizations/{id}/vehicles", id: "createVehicle", summary: "Register a vehicle (pending until the company approves)", tag: "Directory", body: "VehicleInput", example: map[string]any{"registration": "EB 12345", "make": "Volvo", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 18, "payload_m3": 11}, status: 201, resp: "Vehicle", conflict: true},
		{method: "GET", path: tp + "/organizations/{id}/memberships", id: "listOrganizationMemberships", summary: "Representatives of an organization", tag: "Directory", query: []m{q("status", "pending, approved or rejected", enum("", []string{"pending", "approved", "rejected"}))}, resp: "MembershipList"},
		{method: "POST", path: tp + "/organizations/{id}/memberships", id: "requestMembership", summary: "Ask to become a verified representative", tag: "Directory", body: "MembershipInput", bodyOptional: true, example: map[string]any{"role": "member", "message": "Jeg er prosjektleder her."}, status: 201, resp: "Membership", conflict: true},
		{method: "GET", path: tp + "/sites", id: "listSites", summary: "Projects and facilities", tag: "Directory", public: true, query: siteFilters, resp: "SiteList"},
		{method: "GET", path: tp + "/sites/{id}", id: "getSite", summary: "One project or facility with permits", tag: "Directory", public: true, resp: "Site"},
		{method: "PATCH", path: tp + "/sites/{id}", id: "updateSite", summary: "Edit a project or facility", tag: "Directory", body: "SitePatch", example: map[string]any{"phase": "zoning"}, resp: "Site"},
		{method: "DELETE", path: tp + "/sites/{id}", id: "deleteSite", summary: "Remove a project or facility", tag: "Directory", status: 204},
		{method: "POST", path: tp + "/sites/{id}/permits", id: "createPermit", summary: "Add a mass-handling permit", tag: "Directory", body: "PermitInput", example: map[string]any{"kind": "receiving", "authority": "Statsforvalteren i Oslo og Viken", "valid_from": "2025-01-01", "valid_to": "2030-12-31", "fractions": []string{"sprengstein", "pukk"}, "max_class": 1}, status: 201, resp: "Permit"},
		{method: "DELETE", path: tp + "/permits/{id}", id: "deletePermit", summary: "Remove a permit", tag: "Directory", status: 204},
		{method: "PATCH", path: tp + "/contacts/{id}", id: "updateContact", summary: "Edit a contact person", tag: "Directory", body: "ContactPatch", example: map[string]any{"title": "Anleggsleder"}, resp: "Contact"},
		{method: "DELETE", path: tp + "/contacts/{id}", id: "deleteContact", summary: "Remove a contact person", tag: "Directory", status: 204},
		{method: "POST", path: tp + "/vehicles/{id}/approve", id: "approveVehicle", summary: "Approve a vehicle (the company's org admin)", tag: "Directory", resp: "Vehicle"},
		{method: "POST", path: tp + "/vehicles/{id}/reject", id: "rejectVehicle", summary: "Reject a vehicle", tag: "Directory", resp: "Vehicle"},
		{method: "DELETE", path: tp + "/vehicles/{id}", id: "deleteVehicle", summary: "Remove a vehicle", tag: "Directory", status: 204},
		{method: "GET", path: tp + "/memberships", id: "listMemberships", summary: "Your memberships (?all=1: all, for admins and supervisors)", tag: "Directory", query: []m{q("all", "1 for every membership in the region", m{"type": "string"}), q("status", "pending, approved or rejected", enum("", []string{"pending", "approved", "rejected"}))}, resp: "MembershipList"},
		{method: "POST", path: tp + "/memberships/{id}/approve", id: "approveMembership", summary: "Approve a representation request", tag: "Directory", body: "Decision", bodyOptional: true, example: map[string]any{"role": "member"}, resp: "Membership", conflict: true},
		{method: "POST", path: tp + "/memberships/{id}/reject", id: "rejectMembership", summary: "Reject a representation request", tag: "Directory", body: "Decision", bodyOptional: true, example: map[string]any{}, resp: "Membership", conflict: true},
		{method: "GET", path: tp + "/registry/{orgnr}", id: "lookupRegistry", summary: "Look an organization number up in Enhetsregisteret", tag: "Directory", resp: "RegistryUnit", extra: []int{410, 422, 503}},
		{method: "GET", path: tp + "/map.geojson", id: "mapGeoJSON", summary: "Projects and facilities as GeoJSON (at most 5 000)", tag: "Directory", public: true, query: siteSearch, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/listings", id: "listListings", summary: "Search listings (privacy-preserving view for visitors); the first limit in the sort order, no further pages", tag: "Market", public: true, query: []m{
			q("kind", "surplus, need or capacity", enum("", market.Kinds)), q("fraction", "Fraction code", enum("", fractionCodes())), q("min_tonnes", "Minimum tonnes", m{"type": "number", "minimum": 0}),
			q("max_tonnes", "Maximum tonnes", m{"type": "number", "minimum": 0}), q("from", "Window overlaps from (YYYY-MM-DD or YYYY-MM)", m{"type": "string"}), q("to", "Window overlaps to (YYYY-MM-DD or YYYY-MM)", m{"type": "string"}),
			q("max_class", "Highest contamination class", m{"type": "integer", "minimum": 0}), q("lat", "Near latitude", m{"type": "number"}), q("lon", "Near longitude", m{"type": "number"}),
			q("radius_km", "Within km of lat/lon", m{"type": "number", "minimum": 0}), q("organization_id", "Owner", m{"type": "string"}), q("sort", "date (default), quantity or distance (needs lat and lon)", enum("", []string{"date", "quantity", "distance"})),
			q("limit", "At most this many, 1–1000 (default 100)", m{"type": "integer", "minimum": 1, "maximum": 1000})}, resp: "ListingList"},
		{method: "GET", path: tp + "/listings.geojson", id: "listingsGeoJSON", summary: "Published listings and facilities as GeoJSON (coarse points for the public)", tag: "Market", public: true,
			query: mapFilters, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/feed/listings", id: "listingFeed", summary: "Open data: the region's open public listings in their public form (B4), for other platforms; CORS open, NLOD-2.0", tag: "Open data", public: true, resp: "Feed"},
		{method: "GET", path: tp + "/feed/listings.geojson", id: "listingFeedGeoJSON", summary: "Open data: the region's listings and facilities as the public sees them, as GeoJSON", tag: "Open data", public: true,
			query: mapFilters, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/stats", id: "regionStats", summary: "Open data: the region's marketplace statistics (B4, B5): tonnes offered and needed per fraction, matches, match rate, time to first match, estimated CO2e saved", tag: "Open data", public: true, resp: "Stats"},
		{method: "POST", path: tp + "/listings", id: "createListing", summary: "Create a surplus, need or capacity listing", tag: "Market", body: "ListingInput", example: map[string]any{"kind": "surplus", "title": "Sprengstein fra tunnel", "organization_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "fractions": []string{"sprengstein"}, "quantity": 20000, "unit": "m3_in_place", "available_from": "2027-03", "available_to": "2027-12", "lat": 59.8955, "lon": 10.629, "transport": "seller_delivers", "publish": true}, status: 201, resp: "Listing"},
		{method: "GET", path: tp + "/listings/{id}", id: "getListing", summary: "One listing at the caller's access level: in full for its owners, tenant admins and supervisors and (without a private price) for members; the public view for visitors", tag: "Market", public: true, resp: "ListingView"},
		{method: "PATCH", path: tp + "/listings/{id}", id: "updateListing", summary: "Edit a listing of your organization", tag: "Market", body: "ListingPatch", example: map[string]any{"quantity": 25000, "unit": "t"}, resp: "Listing"},
		{method: "POST", path: tp + "/listings/{id}/publish", id: "publishListing", summary: "Publish a listing", tag: "Market", resp: "Listing", conflict: true},
		{method: "POST", path: tp + "/listings/{id}/close", id: "closeListing", summary: "Close a listing", tag: "Market", resp: "Listing", conflict: true},
		{method: "POST", path: tp + "/listings/{id}/partly-matched", id: "partlyMatched", summary: "Mark a listing partly agreed (it keeps matching)", tag: "Market", resp: "Listing", conflict: true},
		{method: "POST", path: tp + "/listings/{id}/fully-matched", id: "fullyMatched", summary: "Mark a listing fully agreed (it leaves matching)", tag: "Market", resp: "Listing", conflict: true},
		{method: "GET", path: tp + "/listings/{id}/samples", id: "listSamples", summary: "Lab samples with per-parameter classes", tag: "Market", public: true, resp: "SampleList"},
		{method: "POST", path: tp + "/listings/{id}/samples", id: "addSample", summary: "Add a lab sample; classified by TA-2553, the worst parameter decides", tag: "Market", body: "SampleInput", example: map[string]any{"name": "PR-1", "lab": "Norsk Jordlab", "taken_on": "2026-10-01", "values": []map[string]any{{"parameter": "pb", "value": 45, "unit": "mg/kg TS"}, {"parameter": "pah16", "value": 3.1, "unit": "mg/kg TS"}}}, status: 201, resp: "Sample"},
		{method: "POST", path: tp + "/listings/{id}/samples/import", id: "importSamples", summary: "Import lab results from CSV or XLSX (columns sample, parameter, value, unit); all or nothing", tag: "Market", upload: "LabFileUpload", status: 201, resp: "SampleList"},
		{method: "GET", path: tp + "/notifications", id: "listNotifications", summary: "Your notifications (new matches), unread first", tag: "Market", resp: "NotificationList"},
		{method: "POST", path: tp + "/notifications/{id}/read", id: "readNotification", summary: "Mark a notification read", tag: "Market", status: 204},
		{method: "GET", path: tp + "/sites/{id}/plan", id: "getPlan", summary: "A project's mass handling plan", tag: "Market", resp: "Plan"},
		{method: "PUT", path: tp + "/sites/{id}/plan", id: "putPlan", summary: "Replace the plan; its surplus and need listings follow", tag: "Market", body: "PlanInput",
			example: map[string]any{"lines": []map[string]any{{"direction": "cut", "fraction": "sprengstein", "quantity": 20000, "unit": "m3_in_place", "period_from": "2027-01", "period_to": "2027-06"}}, "publish": true}, resp: "Plan"},
		{method: "GET", path: tp + "/sites/{id}/plan.pdf", id: "planPDF", summary: "The plan as PDF, for tenders", tag: "Market", binary: []string{pdf}},
		{method: "GET", path: tp + "/sites/{id}/plan.xlsx", id: "planXLSX", summary: "The plan as XLSX", tag: "Market", binary: []string{xlsx}},
		{method: "GET", path: tp + "/listings/{id}/documents", id: "listDocuments", summary: "Quality documents (members of the region and the owner)", tag: "Market", resp: "DocumentList"},
		{method: "POST", path: tp + "/listings/{id}/documents", id: "uploadDocument", summary: "Upload a document (PDF, image, XLSX, CSV; ≤ 20 MB; type from the bytes)", tag: "Market", upload: "DocumentUpload", status: 201, resp: "Document"},
		{method: "GET", path: tp + "/documents/{id}", id: "downloadDocument", summary: "Download a document, as the type read from its bytes", tag: "Market", binary: []string{pdf, "image/png", "image/jpeg", "image/webp", xlsx, "text/csv"}},
		{method: "DELETE", path: tp + "/documents/{id}", id: "deleteDocument", summary: "Delete a document", tag: "Market", status: 204},
		{method: "GET", path: tp + "/listings/{id}/matches", id: "listMatches", summary: "Best counterparts, ranked by transport kg CO2e per tonne, explained; the first limit, no further pages", tag: "Market",
			query: []m{q("limit", "At most this many, 1–100 (default 20)", m{"type": "integer", "minimum": 1, "maximum": 100})}, resp: "MatchList"},
		{method: "POST", path: tp + "/listings/{id}/matches/{counterpart}/dismiss", id: "dismissMatch", summary: "Dismiss a match; it stays dismissed", tag: "Market", status: 204},
		{method: "GET", path: tp + "/admin/settings", id: "getSettings", summary: "Region settings", tag: "Administration", resp: "Settings"},
		{method: "PATCH", path: tp + "/admin/settings", id: "updateSettings", summary: "Change branding, domains, language, map", tag: "Administration", body: "SettingsInput", example: map[string]any{"color_primary": "#0b5a3c", "default_locale": "nn", "domains": []string{"masser.baerum.kommune.no"}}, resp: "Settings", conflict: true},
		{method: "PUT", path: tp + "/admin/logo", id: "putLogo", summary: "Upload the logo (PNG, JPEG, WebP or SVG, ≤ 256 KB)", tag: "Administration", bodyType: "image/*", resp: "Settings"},
		{method: "GET", path: tp + "/admin/rules", id: "listRules", summary: "Role rules: defaults and the region's own", tag: "Administration", resp: "RuleList"},
		{method: "POST", path: tp + "/admin/rules", id: "addRule", summary: "Add a region rule (takes effect at once)", tag: "Administration", body: "RuleInput", example: ruleEx, status: 201, resp: "Rule"},
		{method: "DELETE", path: tp + "/admin/rules", id: "removeRule", summary: "Remove a region rule", tag: "Administration", body: "RuleInput", example: ruleEx, status: 204},
		{method: "GET", path: tp + "/admin/assignments", id: "listAssignments", summary: "Tenant admins and supervisors", tag: "Administration", resp: "AssignmentList"},
		{method: "POST", path: tp + "/admin/assignments", id: "addAssignment", summary: "Give a user a role in the region", tag: "Administration", body: "AssignmentInput", example: map[string]any{"email": "tilsyn@example.no", "role": "supervisor"}, status: 201, resp: "AssignmentList"},
		{method: "DELETE", path: tp + "/admin/assignments", id: "removeAssignment", summary: "Take a role away (not the last tenant admin's)", tag: "Administration", body: "AssignmentInput", example: map[string]any{"email": "tilsyn@example.no", "role": "supervisor"}, status: 204, conflict: true},
		{method: "GET", path: "/api/v1/platform/tenants", id: "platformListTenants", summary: "All tenants (platform superadmin)", tag: "Platform", resp: "SettingsList"},
		{method: "POST", path: "/api/v1/platform/tenants", id: "platformCreateTenant", summary: "Create a tenant (platform superadmin)", tag: "Platform", body: "TenantInput", example: map[string]any{"slug": "agder", "name": "Agder masseforum", "default_locale": "nb", "center_lat": 58.15, "center_lon": 8.0}, status: 201, resp: "Settings", conflict: true},
	}
}
