// Package apidoc is the API contract: one OpenAPI 3.1 document, served at
// /api/v1/openapi.json, and the developer portal page at /api/v1/docs.
// A test checks every registered /api/v1 route is described here and that
// the document and its examples validate.
package apidoc

import (
	"encoding/json"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/app"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/httpx"
	"github.com/masseflyt/masseflyt/core/market"
)

type m = map[string]any

func str(desc string) m { return m{"type": "string", "description": desc} }
func num(desc string) m { return m{"type": "number", "description": desc} }
func integer(desc string) m {
	return m{"type": "integer", "description": desc}
}
func boolean(desc string) m { return m{"type": "boolean", "description": desc} }
func enum(desc string, vals []string) m {
	return m{"type": "string", "enum": vals, "description": desc}
}
func arr(items m) m     { return m{"type": "array", "items": items} }
func ref(name string) m { return m{"$ref": "#/components/schemas/" + name} }
func dt(desc string) m  { return m{"type": "string", "format": "date-time", "description": desc} }
func date(desc string) m {
	return m{"type": "string", "description": desc + " (YYYY-MM-DD, YYYY-MM or YYYY)", "pattern": `^\d{4}(-\d{2}(-\d{2})?)?$`}
}
func obj(props m, required ...string) m {
	o := m{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}
func list(item string) m { return obj(m{"items": arr(ref(item))}, "items") }

func schemas() m {
	return m{
		"Problem": obj(m{
			"type": str("Stable problem type, urn:masseflyt:problem:<code>"), "title": str("Localized summary"), "status": integer("HTTP status"),
			"detail": str("Localized detail"), "instance": str("Request path"),
			"errors": arr(obj(m{"field": str("Input field"), "code": str("Stable code"), "message": str("Localized message")}, "field", "code", "message")),
		}, "type", "title", "status"),
		"TenantSummary": obj(m{
			"slug": str("URL name"), "name": str("Name"), "short_name": str("Short name"), "description": str("Description"),
			"color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"), "logo_url": str("Logo URL"), "default_locale": enum("Default language", []string{"nb", "nn", "en"}),
			"center": arr(num("lat, lon")), "zoom": integer("Map zoom"), "domains": arr(str("Custom domain")),
		}, "slug", "name"),
		"Organization": obj(m{
			"id": str("ID"), "org_number": str("Norwegian organization number (9 digits, MOD11)"), "name": str("Name from Enhetsregisteret"),
			"description": str("Description"), "kinds": arr(enum("Kind", directory.OrgKinds)), "services": arr(enum("Transport service", directory.TransportServices)),
			"website": str("Website"), "email": str("E-mail (logged-in users only)"), "phone": str("Phone (logged-in users only)"),
			"address": str("Address"), "postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"),
			"lat": m{"type": []string{"number", "null"}}, "lon": m{"type": []string{"number", "null"}},
			"registry_status": enum("Standing in the register", []string{"active", "bankrupt", "liquidation", "deleted", "unknown"}),
			"verified":        boolean("Has an approved representative"), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "org_number", "name", "kinds"),
		"OrganizationInput": obj(m{
			"org_number": str("Organization number (create only)"), "description": str("Description, ≤ 4000 characters"),
			"kinds": arr(enum("Kind", directory.OrgKinds)), "services": arr(enum("Transport service", directory.TransportServices)),
			"website": str("Website"), "email": str("E-mail"), "phone": str("Phone"), "address": str("Address"), "postcode": str("Postcode"), "city": str("City"),
			"lat": num("Latitude (WGS84), in Norway"), "lon": num("Longitude (WGS84), in Norway"),
		}),
		"OrganizationPage": obj(m{"items": arr(ref("Organization")), "next_cursor": str("Cursor of the next page")}, "items"),
		"Site": obj(m{
			"id": str("ID"), "organization_id": str("Owner"), "organization_name": str("Owner name"), "kind": enum("Kind", directory.SiteKinds), "name": str("Name"),
			"description": str("Description"), "address": str("Address"), "postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"),
			"lat": num("Latitude"), "lon": num("Longitude"), "phase": enum("Project phase", directory.ProjectPhases),
			"planned_start": dt("Planned start"), "planned_end": dt("Planned end"), "expected_surplus_tonnes": num("Expected surplus, tonnes"),
			"expected_need_tonnes": num("Expected need, tonnes"), "facility_type": enum("Facility type", directory.FacilityTypes), "permanent": boolean("Permanent facility"),
			"capacity_tonnes": num("Capacity, tonnes"), "opening_hours": str("Opening hours"), "gate_fee_nok_per_tonne": num("Gate fee, NOK per tonne (negative: the receiver pays)"),
			"permits": arr(ref("Permit")), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "organization_id", "kind", "name", "lat", "lon"),
		"SiteInput": obj(m{
			"kind": enum("Kind", directory.SiteKinds), "name": str("Name"), "description": str("Description"), "address": str("Address (geocoded when no point is given)"),
			"postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"), "lat": num("Latitude"), "lon": num("Longitude"),
			"phase": enum("Project phase", directory.ProjectPhases), "planned_start": date("Planned start"), "planned_end": date("Planned end"),
			"expected_surplus_tonnes": num("Expected surplus, tonnes"), "expected_need_tonnes": num("Expected need, tonnes"),
			"facility_type": enum("Facility type", directory.FacilityTypes), "permanent": boolean("Permanent"), "capacity_tonnes": num("Capacity"),
			"opening_hours": str("Opening hours"), "gate_fee_nok_per_tonne": num("Gate fee"),
		}),
		"Permit": obj(m{
			"id": str("ID"), "site_id": str("Facility"), "kind": enum("Kind", directory.PermitKinds), "authority": str("Issuing authority"), "reference": str("Case number"),
			"valid_from": dt("Valid from"), "valid_to": dt("Valid to"), "fractions": arr(enum("Fraction", directory.Fractions)),
			"max_class": integer("Highest contamination class accepted (TA-2553, 1–5)"), "annual_capacity_tonnes": num("Tonnes per year"),
		}, "id", "site_id", "kind", "max_class"),
		"PermitInput": obj(m{
			"kind": enum("Kind", directory.PermitKinds), "authority": str("Authority"), "reference": str("Reference"), "valid_from": date("Valid from"), "valid_to": date("Valid to"),
			"fractions": arr(enum("Fraction", directory.Fractions)), "max_class": integer("1–5"), "annual_capacity_tonnes": num("Tonnes per year"),
		}, "kind", "authority", "max_class"),
		"Contact":      obj(m{"id": str("ID"), "organization_id": str("Organization"), "site_id": str("Site"), "name": str("Name"), "title": str("Job title"), "phone": str("Phone"), "email": str("E-mail")}, "id", "name"),
		"ContactInput": obj(m{"name": str("Name"), "title": str("Job title"), "phone": str("Phone"), "email": str("E-mail"), "site_id": str("Site of the organization")}),
		"Vehicle": obj(m{
			"id": str("ID"), "organization_id": str("Transport company"), "registration": str("Registration number"), "make": str("Make"), "model": str("Model"),
			"body_type": enum("Body", directory.BodyTypes), "euro_class": enum("Euro class", directory.EuroClasses), "fuel": enum("Fuel", directory.Fuels),
			"payload_tonnes": num("Payload, tonnes"), "payload_m3": num("Load volume, m³"), "status": enum("Approval", []string{"pending", "approved", "rejected"}),
		}, "id", "registration", "status"),
		"VehicleInput": obj(m{
			"registration": str("Registration number"), "make": str("Make"), "model": str("Model"), "body_type": enum("Body", directory.BodyTypes),
			"euro_class": enum("Euro class", directory.EuroClasses), "fuel": enum("Fuel", directory.Fuels), "payload_tonnes": num("0–45"), "payload_m3": num("0–40"),
		}, "registration", "body_type", "euro_class", "fuel", "payload_tonnes"),
		"Membership": obj(m{
			"id": str("ID"), "user_id": str("User"), "user_name": str("User name"), "organization_id": str("Organization"), "organization_name": str("Organization name"),
			"role": enum("Role", []string{"member", "admin"}), "status": enum("Status", []string{"pending", "approved", "rejected"}), "message": str("Message"),
		}, "id", "organization_id", "role", "status"),
		"MembershipInput": obj(m{"role": enum("Requested role", []string{"member", "admin"}), "message": str("Message to the approver")}),
		"Decision":        obj(m{"role": enum("Role to grant (approve only)", []string{"member", "admin"})}),
		"RegistryUnit": obj(m{"org_number": str("Number"), "name": str("Name"), "org_form": str("Organization form"), "address": str("Address"), "postcode": str("Postcode"),
			"city": str("City"), "municipality_no": str("Municipality"), "nace_code": str("Industry code"), "bankrupt": boolean("Bankrupt"), "deleted": boolean("Deleted")}, "org_number", "name"),
		"FeatureCollection": obj(m{"type": enum("GeoJSON type", []string{"FeatureCollection"}), "features": arr(obj(m{"type": str("Feature"), "geometry": obj(m{}), "properties": obj(m{})}))}, "type", "features"),
		"Token":             obj(m{"id": str("ID"), "name": str("Name"), "prefix": str("First characters"), "expires_at": dt("Expiry"), "revoked_at": dt("Revoked"), "created_at": dt("Created")}, "id", "name"),
		"TokenInput":        obj(m{"name": str("Name"), "scopes": arr(enum("Scope", []string{"read", "write"})), "expires_in_days": integer("1–366, default 90")}, "name", "scopes"),
		"TokenCreated":      obj(m{"token": ref("Token"), "secret": str("The token; shown only once")}, "token", "secret"),
		"Me":                obj(m{"user": obj(m{"id": str("ID"), "name": str("Name"), "email": str("E-mail")}), "roles": arr(str("Role")), "organizations": m{"type": "object", "additionalProperties": str("member or admin")}, "aal": str("aal1 or aal2")}, "user", "roles"),
		"Settings": obj(m{"slug": str("Slug"), "name": str("Name"), "short_name": str("Short name"), "description": str("Description"), "color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"),
			"default_locale": str("nb, nn or en"), "center_lat": num("Map centre"), "center_lon": num("Map centre"), "zoom": integer("Zoom"), "municipalities": arr(str("Municipality number")),
			"domains": arr(str("Custom domain")), "has_logo": boolean("Has a logo"), "embed_origins": arr(str("Origins allowed to embed the widgets")),
			"tile_url": str("Map tile URL template (empty: OpenStreetMap)"), "tile_attribution": str("Map attribution")}, "slug", "name"),
		"SettingsInput": obj(m{"name": str("Name"), "short_name": str("Short name"), "description": str("Description"), "color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"),
			"default_locale": enum("Language", []string{"nb", "nn", "en"}), "center_lat": num("Map centre"), "center_lon": num("Map centre"), "zoom": integer("4–18"),
			"municipalities": arr(str("4-digit municipality number")), "domains": arr(str("Host name")),
			"embed_origins": arr(str("Origin allowed to embed the widgets, e.g. https://www.baerum.kommune.no")),
			"tile_url":      str("Map tile URL template (https, with {z}, {x}, {y}); empty for OpenStreetMap"), "tile_attribution": str("Map attribution (plain text)")}),
		"Rule":            obj(m{"role": str("Role"), "object": str("Object"), "action": str("Action"), "effect": enum("Effect", []string{"allow", "deny"}), "default": boolean("Platform default (read-only)")}, "role", "object", "action", "effect"),
		"Assignment":      obj(m{"user_id": str("User"), "name": str("Name"), "email": str("E-mail"), "role": str("Role")}, "user_id", "role"),
		"AssignmentInput": obj(m{"email": str("User e-mail"), "user_id": str("User ID"), "role": enum("Role", []string{"tenant_admin", "supervisor"})}, "role"),
		"Listing": obj(m{
			"id": str("ID"), "organization_id": str("Owner"), "organization_name": str("Owner name"), "site_id": str("Project or facility"),
			"kind": enum("Kind", market.Kinds), "title": str("Title"), "description": str("Description"), "fractions": arr(enum("Fraction", fractionCodes())),
			"quantity_tonnes": num("Quantity in tonnes (converted through the fraction's density)"), "quantity_value": num("Quantity as entered"), "quantity_unit": enum("Unit entered", market.Units),
			"available_from": dt("Window start"), "available_to": dt("Window end"), "lat": num("Latitude"), "lon": num("Longitude"),
			"contamination_class": integer("TA-2553 class from lab results (0 unknown, 6 hazardous)"), "intended_use": enum("Intended use (needs)", market.Uses),
			"rock_type": str("Rock type"), "grain_min_mm": num("Grain size from"), "grain_max_mm": num("Grain size to"), "la_value": num("Los Angeles value"), "micro_deval": num("Micro-Deval value"),
			"price_nok_per_tonne": num("Price, NOK per tonne (negative: the receiver is paid); owners and admins only unless public"),
			"price_public":        boolean("Price shown to everyone"), "exact_location_public": boolean("Exact point shown to everyone"),
			"transport": enum("Transport", market.Transports), "status": enum("Lifecycle", market.Statuses), "visibility": enum("Visibility", market.Visibilities),
		}, "id", "kind", "title", "fractions", "quantity_tonnes"),
		"ListingPublic": obj(m{
			"id": str("ID"), "kind": enum("Kind", market.Kinds), "title": str("Title"), "fractions": arr(str("Fraction")), "quantity_band": str("Quantity band"),
			"period": str("Window by month, YYYY-MM/YYYY-MM"), "area": obj(m{"lat": num("Latitude"), "lon": num("Longitude"), "exact": boolean("Exact point or a ~1 km cell"), "radius_km": num("Cell radius")}),
			"contamination_class": integer("Class"), "transport": str("Transport"), "status": str("Status"), "organization_name": str("Owner"),
		}, "id", "kind", "fractions", "quantity_band", "period", "area"),
		"FeedItem": m{"allOf": []any{ref("ListingPublic"), obj(m{"url": str("The listing on the region's marketplace"), "published_at": dt("Published"), "updated_at": dt("Last changed")}, "url", "updated_at")}},
		"Feed": obj(m{
			"tenant": str("Region slug"), "name": str("Region name"), "generated_at": dt("When the feed was rendered"), "license": str("Licence of the data (NLOD-2.0)"),
			"count": integer("Number of listings"), "listings": arr(ref("FeedItem")),
		}, "tenant", "name", "generated_at", "license", "count", "listings"),
		"Stats": obj(m{
			"tenant": str("Region slug"), "generated_at": dt("When computed"), "open_listings": integer("Open listings now"),
			"offered_tonnes": num("Tonnes offered in open surplus listings"), "needed_tonnes": num("Tonnes needed in open need listings"),
			"fractions": arr(obj(m{"code": enum("Fraction", fractionCodes()), "name": str("Name in the request's language"), "offered_tonnes": num("Offered"),
				"needed_tonnes": num("Needed"), "capacity_tonnes": num("Receiving capacity"), "open_listings": integer("Open listings")}, "code")),
			"published_listings": integer("Listings ever published"), "matches": integer("Matches found"), "matched_listings": integer("Published listings with a match"),
			"match_rate": num("matched_listings / published_listings"), "median_hours_to_first_match": m{"type": []string{"number", "null"}, "description": "Median hours from publication to the first match"},
			"agreed_listings": integer("Listings marked partly or fully agreed"), "estimated_co2e_saved_tonnes": num("Estimated t CO2e saved against the baseline"),
			"estimated_matched_tonnes": num("Tonnes the estimate covers"), "method": str("How the saving is estimated"),
		}, "tenant", "open_listings", "offered_tonnes", "needed_tonnes", "fractions", "matches", "match_rate", "estimated_co2e_saved_tonnes"),
		"ListingInput": obj(m{
			"kind": enum("Kind", market.Kinds), "title": str("Title"), "description": str("Description"), "organization_id": str("Owner (create)"), "site_id": str("Project or facility of the owner"),
			"fractions": arr(enum("Fraction", fractionCodes())), "quantity": num("Quantity > 0"), "unit": enum("Unit", market.Units),
			"available_from": date("Window start"), "available_to": date("Window end"), "lat": num("Latitude"), "lon": num("Longitude"),
			"contamination_class": integer("Declared class 0–6"), "intended_use": enum("Intended use", market.Uses), "rock_type": enum("Rock type", market.RockTypes),
			"grain_min_mm": num("mm"), "grain_max_mm": num("mm"), "la_value": num("LA"), "micro_deval": num("MDE"), "price_nok_per_tonne": num("NOK/t"),
			"price_public": boolean("Show price"), "exact_location_public": boolean("Show exact point"), "transport": enum("Transport", market.Transports),
			"visibility": enum("Visibility", market.Visibilities), "publish": boolean("Publish at once (create)"),
		}),
		"ListingList": obj(m{"items": arr(m{"oneOf": []any{ref("Listing"), ref("ListingPublic")}})}, "items"),
		"Sample": obj(m{"id": str("ID"), "listing_id": str("Listing"), "name": str("Sample name"), "lab": str("Laboratory"), "taken_on": dt("Date"),
			"results": m{"type": "object", "additionalProperties": num("mg/kg dry matter")}, "class": integer("Worst class (6 = hazardous)"),
			"deciding": arr(str("Parameter that decided")), "per_parameter": m{"type": "object", "additionalProperties": integer("Class")}}, "id", "class"),
		"SampleInput": obj(m{"name": str("Sample name"), "taken_on": date("Date"), "lab": str("Laboratory"),
			"values": arr(obj(m{"parameter": enum("TA-2553 parameter", paramKeys()), "value": num("≥ 0"), "unit": str("mg/kg (TS), µg/kg or g/kg")}, "parameter", "value", "unit"))}, "name", "values"),
		"SampleList": list("Sample"),
		"Document": obj(m{"id": str("ID"), "listing_id": str("Listing"), "kind": enum("Kind", market.DocumentKinds), "filename": str("File name"),
			"content_type": str("Type from the file's bytes"), "size": integer("Bytes"), "sha256": str("Checksum"), "created_at": dt("Uploaded")}, "id", "kind", "filename", "sha256"),
		"DocumentList": list("Document"),
		"Notification": obj(m{"id": str("ID"), "kind": str("match"), "listing_id": str("Your listing"), "counterpart_id": str("The new counterpart"), "title": str("Its title"),
			"read_at": dt("Read"), "created_at": dt("Created")}, "id", "kind", "listing_id", "counterpart_id"),
		"NotificationList": list("Notification"),
		"PlanLine": obj(m{"id": str("ID"), "position": integer("Row"), "direction": enum("cut (surplus) or fill (need)", []string{"cut", "fill"}), "fraction": str("Fraction"),
			"quantity": num("As entered"), "unit": enum("Unit", market.Units), "quantity_tonnes": num("Tonnes"), "period_from": dt("From"), "period_to": dt("To"),
			"intended_use": str("Use (fill)"), "note": str("Note"), "listing_id": str("The listing kept in step")}, "direction", "fraction", "quantity_tonnes"),
		"Plan": obj(m{"site": ref("Site"), "lines": arr(ref("PlanLine")), "totals": arr(obj(m{"fraction": str("Fraction"), "cut_tonnes": num("Cut"), "fill_tonnes": num("Fill"), "balance_tonnes": num("Cut − fill")}))}, "site", "lines", "totals"),
		"PlanInput": obj(m{"lines": arr(obj(m{"direction": enum("cut or fill", []string{"cut", "fill"}), "fraction": enum("Fraction", fractionCodes()), "quantity": num("> 0"),
			"unit": enum("Unit", market.Units), "period_from": date("From"), "period_to": date("To"), "intended_use": enum("Use (fill lines)", market.Uses), "note": str("Note")},
			"direction", "fraction", "quantity", "unit", "period_from", "period_to")), "publish": boolean("Publish the listings")}, "lines"),
		"MatchList": obj(m{"items": arr(ref("Match")), "factor_set": str("Emission factor set"), "router": str("Distance method")}, "items"),
		"Match": obj(m{
			"counterpart_id": str("The other listing"), "counterpart_kind": enum("Its kind", market.Kinds), "title": str("Its title"), "organization": str("Its owner"),
			"fraction": str("Fraction matched"), "via": enum("direct or through intermediate storage", []string{"direct", "storage"}), "storage_id": str("Storage facility"),
			"storage_name": str("Storage facility name"), "storage_days": integer("Days in storage (≤ 3 years)"), "tonnes": num("Tonnes matched"),
			"quantity_share": num("Matched share of this listing's quantity"), "road_km": num("Road km (all legs)"), "loads": integer("Truck loads"),
			"kg_co2e": num("Transport emissions, kg CO2e"), "kg_co2e_per_tonne": num("Per tonne delivered (the ranking)"), "overlap_days": integer("Days the windows overlap"),
			"quality": enum("Quality compatibility", []string{"ok", "undocumented"}), "fitness": str("The need's intended use the fraction is fit for"),
			"baseline":       obj(m{"landfill_name": str("Nearest landfill"), "landfill_km": num("km"), "quarry_name": str("Nearest quarry"), "quarry_km": num("km"), "kg_co2e": num("Baseline kg CO2e"), "complete": boolean("Both ends known")}),
			"saving_kg_co2e": num("Baseline minus the match"), "legs": arr(obj(m{"from": str("From"), "to": str("To"), "kg_co2e": num("kg CO2e"), "loads": integer("Loads"), "road_km": num("km")})),
			"router": str("Distance method"), "factor_set": str("Factor set"),
		}, "counterpart_id", "tonnes", "kg_co2e_per_tonne"),
		"TenantInput": obj(m{"slug": str("Slug"), "name": str("Name"), "color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"), "default_locale": enum("Language", []string{"nb", "nn", "en"}),
			"center_lat": num("Map centre"), "center_lon": num("Map centre"), "admin_email": str("First tenant admin")}, "slug", "name"),
	}
}

type op struct {
	method, path, id, summary, tag string
	public                         bool
	query                          []m
	body                           string
	bodyType                       string
	example                        any
	status                         int
	resp                           string
	respType                       string
}

const tp = "/api/v1/tenants/{tenant}"

func ops() []op {
	q := func(name, desc string, schema m) m {
		return m{"name": name, "in": "query", "required": false, "description": desc, "schema": schema}
	}
	orgFilters := []m{q("q", "Search name, description or org number", m{"type": "string", "maxLength": 200}), q("kind", "Organization kind", enum("", directory.OrgKinds)),
		q("service", "Transport service", enum("", directory.TransportServices)), q("municipality", "Municipality number", m{"type": "string"}),
		q("limit", "Page size 1–200 (default 50)", m{"type": "integer", "minimum": 1, "maximum": 200}), q("cursor", "Cursor from next_cursor", m{"type": "string"})}
	siteFilters := []m{q("kind", "project or facility", enum("", directory.SiteKinds)), q("phase", "Project phase", enum("", directory.ProjectPhases)),
		q("facility_type", "Facility type", enum("", directory.FacilityTypes)), q("municipality", "Municipality number", m{"type": "string"}),
		q("q", "Search", m{"type": "string", "maxLength": 200}), q("limit", "1–1000 (default 200)", m{"type": "integer", "minimum": 1, "maximum": 1000})}
	orgEx := map[string]any{"org_number": "974760673", "kinds": []string{"lab"}, "description": "Registerenheten i Brønnøysund", "lat": 65.4748, "lon": 12.2117}
	siteEx := map[string]any{"kind": "project", "name": "Ny gang- og sykkelvei", "phase": "early_planning", "planned_start": "2028-04", "planned_end": "2029-10",
		"expected_surplus_tonnes": 12000, "lat": 59.8893, "lon": 10.5227}
	return []op{
		{method: "GET", path: "/api/v1/openapi.json", id: "openapi", summary: "This OpenAPI document", tag: "Platform", public: true, resp: "", respType: "application/json"},
		{method: "GET", path: "/api/v1/docs", id: "docs", summary: "Developer portal page", tag: "Platform", public: true, respType: "text/html"},
		{method: "GET", path: "/api/v1/tenants", id: "listTenants", summary: "List mass regions", tag: "Tenants", public: true, resp: "TenantList"},
		{method: "GET", path: tp, id: "getTenant", summary: "A region's public profile and branding", tag: "Tenants", public: true, resp: "TenantSummary"},
		{method: "GET", path: tp + "/logo", id: "getTenantLogo", summary: "The region's logo", tag: "Tenants", public: true, respType: "image/*"},
		{method: "GET", path: tp + "/me", id: "me", summary: "The caller's identity, roles and organizations in the region", tag: "Identity", resp: "Me"},
		{method: "GET", path: tp + "/tokens", id: "listTokens", summary: "The caller's API tokens", tag: "Identity", resp: "TokenList"},
		{method: "POST", path: tp + "/tokens", id: "createToken", summary: "Create an API token (the secret is shown once)", tag: "Identity", body: "TokenInput", example: map[string]any{"name": "ERP", "scopes": []string{"read"}, "expires_in_days": 30}, status: 201, resp: "TokenCreated"},
		{method: "DELETE", path: tp + "/tokens/{id}", id: "revokeToken", summary: "Revoke an API token", tag: "Identity", status: 204},
		{method: "GET", path: tp + "/organizations", id: "listOrganizations", summary: "Search the directory", tag: "Directory", public: true, query: orgFilters, resp: "OrganizationPage"},
		{method: "POST", path: tp + "/organizations", id: "createOrganization", summary: "Register an organization from Enhetsregisteret", tag: "Directory", body: "OrganizationInput", example: orgEx, status: 201, resp: "Organization"},
		{method: "GET", path: tp + "/organizations/{id}", id: "getOrganization", summary: "One organization", tag: "Directory", public: true, resp: "Organization"},
		{method: "PATCH", path: tp + "/organizations/{id}", id: "updateOrganization", summary: "Edit or enrich an organization you represent", tag: "Directory", body: "OrganizationInput", example: map[string]any{"description": "Pukkverk og massemottak"}, resp: "Organization"},
		{method: "DELETE", path: tp + "/organizations/{id}", id: "deleteOrganization", summary: "Remove an organization (org admin or tenant admin)", tag: "Directory", status: 204},
		{method: "GET", path: tp + "/organizations/{id}/sites", id: "listOrganizationSites", summary: "An organization's projects and facilities", tag: "Directory", public: true, query: siteFilters, resp: "SiteList"},
		{method: "POST", path: tp + "/organizations/{id}/sites", id: "createSite", summary: "Add a project or facility", tag: "Directory", body: "SiteInput", example: siteEx, status: 201, resp: "Site"},
		{method: "GET", path: tp + "/organizations/{id}/contacts", id: "listContacts", summary: "Contact persons (logged-in users only)", tag: "Directory", resp: "ContactList"},
		{method: "POST", path: tp + "/organizations/{id}/contacts", id: "createContact", summary: "Add a contact person", tag: "Directory", body: "ContactInput", example: map[string]any{"name": "Kari Nordmann", "title": "Prosjektleder", "phone": "+47 912 34 567"}, status: 201, resp: "Contact"},
		{method: "GET", path: tp + "/organizations/{id}/vehicles", id: "listVehicles", summary: "A transport company's vehicles (approved ones for the public)", tag: "Directory", public: true, resp: "VehicleList"},
		{method: "POST", path: tp + "/organizations/{id}/vehicles", id: "createVehicle", summary: "Register a vehicle (pending until the company approves)", tag: "Directory", body: "VehicleInput", example: map[string]any{"registration": "EB 12345", "make": "Volvo", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "hvo", "payload_tonnes": 18, "payload_m3": 11}, status: 201, resp: "Vehicle"},
		{method: "GET", path: tp + "/organizations/{id}/memberships", id: "listOrganizationMemberships", summary: "Representatives of an organization", tag: "Directory", resp: "MembershipList"},
		{method: "POST", path: tp + "/organizations/{id}/memberships", id: "requestMembership", summary: "Ask to become a verified representative", tag: "Directory", body: "MembershipInput", example: map[string]any{"role": "member", "message": "Jeg er prosjektleder her."}, status: 201, resp: "Membership"},
		{method: "GET", path: tp + "/sites", id: "listSites", summary: "Projects and facilities", tag: "Directory", public: true, query: siteFilters, resp: "SiteList"},
		{method: "GET", path: tp + "/sites/{id}", id: "getSite", summary: "One project or facility with permits", tag: "Directory", public: true, resp: "Site"},
		{method: "PATCH", path: tp + "/sites/{id}", id: "updateSite", summary: "Edit a project or facility", tag: "Directory", body: "SiteInput", example: map[string]any{"phase": "zoning"}, resp: "Site"},
		{method: "DELETE", path: tp + "/sites/{id}", id: "deleteSite", summary: "Remove a project or facility", tag: "Directory", status: 204},
		{method: "POST", path: tp + "/sites/{id}/permits", id: "createPermit", summary: "Add a mass-handling permit", tag: "Directory", body: "PermitInput", example: map[string]any{"kind": "receiving", "authority": "Statsforvalteren i Oslo og Viken", "valid_from": "2025-01-01", "valid_to": "2030-12-31", "fractions": []string{"sprengstein", "pukk"}, "max_class": 1}, status: 201, resp: "Permit"},
		{method: "DELETE", path: tp + "/permits/{id}", id: "deletePermit", summary: "Remove a permit", tag: "Directory", status: 204},
		{method: "PATCH", path: tp + "/contacts/{id}", id: "updateContact", summary: "Edit a contact person", tag: "Directory", body: "ContactInput", example: map[string]any{"title": "Anleggsleder"}, resp: "Contact"},
		{method: "DELETE", path: tp + "/contacts/{id}", id: "deleteContact", summary: "Remove a contact person", tag: "Directory", status: 204},
		{method: "POST", path: tp + "/vehicles/{id}/approve", id: "approveVehicle", summary: "Approve a vehicle (the company's org admin)", tag: "Directory", resp: "Vehicle"},
		{method: "POST", path: tp + "/vehicles/{id}/reject", id: "rejectVehicle", summary: "Reject a vehicle", tag: "Directory", resp: "Vehicle"},
		{method: "DELETE", path: tp + "/vehicles/{id}", id: "deleteVehicle", summary: "Remove a vehicle", tag: "Directory", status: 204},
		{method: "GET", path: tp + "/memberships", id: "listMemberships", summary: "Your memberships (?all=1: all, for admins and supervisors)", tag: "Directory", query: []m{q("all", "1 for every membership in the region", m{"type": "string"}), q("status", "pending, approved or rejected", m{"type": "string"})}, resp: "MembershipList"},
		{method: "POST", path: tp + "/memberships/{id}/approve", id: "approveMembership", summary: "Approve a representation request", tag: "Directory", body: "Decision", example: map[string]any{"role": "member"}, resp: "Membership"},
		{method: "POST", path: tp + "/memberships/{id}/reject", id: "rejectMembership", summary: "Reject a representation request", tag: "Directory", body: "Decision", example: map[string]any{}, resp: "Membership"},
		{method: "GET", path: tp + "/registry/{orgnr}", id: "lookupRegistry", summary: "Look an organization number up in Enhetsregisteret", tag: "Directory", resp: "RegistryUnit"},
		{method: "GET", path: tp + "/map.geojson", id: "mapGeoJSON", summary: "Projects and facilities as GeoJSON", tag: "Directory", public: true, query: siteFilters, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/listings", id: "listListings", summary: "Search listings (privacy-preserving view for visitors)", tag: "Market", public: true, query: []m{
			q("kind", "surplus, need or capacity", enum("", market.Kinds)), q("fraction", "Fraction code", m{"type": "string"}), q("min_tonnes", "Minimum tonnes", m{"type": "number"}),
			q("max_tonnes", "Maximum tonnes", m{"type": "number"}), q("from", "Window overlaps from", m{"type": "string"}), q("to", "Window overlaps to", m{"type": "string"}),
			q("max_class", "Highest contamination class", m{"type": "integer"}), q("lat", "Near latitude", m{"type": "number"}), q("lon", "Near longitude", m{"type": "number"}),
			q("radius_km", "Within km of lat/lon", m{"type": "number"}), q("organization_id", "Owner", m{"type": "string"}), q("sort", "date, quantity or distance", enum("", []string{"date", "quantity", "distance"})),
			q("limit", "1–1000 (default 100)", m{"type": "integer", "minimum": 1, "maximum": 1000})}, resp: "ListingList"},
		{method: "GET", path: tp + "/listings.geojson", id: "listingsGeoJSON", summary: "Published listings and facilities as GeoJSON (coarse points for the public)", tag: "Market", public: true,
			query: []m{q("kind", "surplus, need or capacity", enum("", market.Kinds)), q("fraction", "Fraction code", m{"type": "string"})}, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/feed/listings", id: "listingFeed", summary: "Open data: the region's open public listings in their public form (B4), for other platforms; CORS open, NLOD-2.0", tag: "Open data", public: true, resp: "Feed"},
		{method: "GET", path: tp + "/feed/listings.geojson", id: "listingFeedGeoJSON", summary: "Open data: the region's listings and facilities as the public sees them, as GeoJSON", tag: "Open data", public: true,
			query: []m{q("kind", "surplus, need or capacity", enum("", market.Kinds)), q("fraction", "Fraction code", m{"type": "string"})}, resp: "FeatureCollection", respType: "application/geo+json"},
		{method: "GET", path: tp + "/stats", id: "regionStats", summary: "Open data: the region's marketplace statistics (B4, B5): tonnes offered and needed per fraction, matches, match rate, time to first match, estimated CO2e saved", tag: "Open data", public: true, resp: "Stats"},
		{method: "POST", path: tp + "/listings", id: "createListing", summary: "Create a surplus, need or capacity listing", tag: "Market", body: "ListingInput", example: map[string]any{"kind": "surplus", "title": "Sprengstein fra tunnel", "organization_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "fractions": []string{"sprengstein"}, "quantity": 20000, "unit": "m3_in_place", "available_from": "2027-03", "available_to": "2027-12", "lat": 59.8955, "lon": 10.629, "transport": "seller_delivers", "publish": true}, status: 201, resp: "Listing"},
		{method: "GET", path: tp + "/listings/{id}", id: "getListing", summary: "One listing at the caller's access level", tag: "Market", public: true, resp: "Listing"},
		{method: "PATCH", path: tp + "/listings/{id}", id: "updateListing", summary: "Edit a listing of your organization", tag: "Market", body: "ListingInput", example: map[string]any{"quantity": 25000, "unit": "t"}, resp: "Listing"},
		{method: "POST", path: tp + "/listings/{id}/publish", id: "publishListing", summary: "Publish a listing", tag: "Market", resp: "Listing"},
		{method: "POST", path: tp + "/listings/{id}/close", id: "closeListing", summary: "Close a listing", tag: "Market", resp: "Listing"},
		{method: "POST", path: tp + "/listings/{id}/partly-matched", id: "partlyMatched", summary: "Mark a listing partly agreed (it keeps matching)", tag: "Market", resp: "Listing"},
		{method: "POST", path: tp + "/listings/{id}/fully-matched", id: "fullyMatched", summary: "Mark a listing fully agreed (it leaves matching)", tag: "Market", resp: "Listing"},
		{method: "GET", path: tp + "/listings/{id}/samples", id: "listSamples", summary: "Lab samples with per-parameter classes", tag: "Market", public: true, resp: "SampleList"},
		{method: "POST", path: tp + "/listings/{id}/samples", id: "addSample", summary: "Add a lab sample; classified by TA-2553, the worst parameter decides", tag: "Market", body: "SampleInput", example: map[string]any{"name": "PR-1", "lab": "Norsk Jordlab", "taken_on": "2026-10-01", "values": []map[string]any{{"parameter": "pb", "value": 45, "unit": "mg/kg TS"}, {"parameter": "pah16", "value": 3.1, "unit": "mg/kg TS"}}}, status: 201, resp: "Sample"},
		{method: "POST", path: tp + "/listings/{id}/samples/import", id: "importSamples", summary: "Import lab results from CSV or XLSX (columns sample, parameter, value, unit); all or nothing", tag: "Market", bodyType: "multipart/form-data", status: 201, resp: "SampleList"},
		{method: "GET", path: tp + "/notifications", id: "listNotifications", summary: "Your notifications (new matches), unread first", tag: "Market", resp: "NotificationList"},
		{method: "POST", path: tp + "/notifications/{id}/read", id: "readNotification", summary: "Mark a notification read", tag: "Market", status: 204},
		{method: "GET", path: tp + "/sites/{id}/plan", id: "getPlan", summary: "A project's mass handling plan", tag: "Market", resp: "Plan"},
		{method: "PUT", path: tp + "/sites/{id}/plan", id: "putPlan", summary: "Replace the plan; its surplus and need listings follow", tag: "Market", body: "PlanInput",
			example: map[string]any{"lines": []map[string]any{{"direction": "cut", "fraction": "sprengstein", "quantity": 20000, "unit": "m3_in_place", "period_from": "2027-01", "period_to": "2027-06"}}, "publish": true}, resp: "Plan"},
		{method: "GET", path: tp + "/sites/{id}/plan.pdf", id: "planPDF", summary: "The plan as PDF, for tenders", tag: "Market", respType: "application/pdf"},
		{method: "GET", path: tp + "/sites/{id}/plan.xlsx", id: "planXLSX", summary: "The plan as XLSX", tag: "Market", respType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{method: "GET", path: tp + "/listings/{id}/documents", id: "listDocuments", summary: "Quality documents (members of the region and the owner)", tag: "Market", resp: "DocumentList"},
		{method: "POST", path: tp + "/listings/{id}/documents", id: "uploadDocument", summary: "Upload a document (PDF, image, XLSX, CSV; ≤ 20 MB; type from the bytes)", tag: "Market", bodyType: "multipart/form-data", status: 201, resp: "Document"},
		{method: "GET", path: tp + "/documents/{id}", id: "downloadDocument", summary: "Download a document", tag: "Market", respType: "application/octet-stream"},
		{method: "DELETE", path: tp + "/documents/{id}", id: "deleteDocument", summary: "Delete a document", tag: "Market", status: 204},
		{method: "GET", path: tp + "/listings/{id}/matches", id: "listMatches", summary: "Best counterparts, ranked by transport kg CO2e per tonne, explained", tag: "Market",
			query: []m{q("limit", "1–100 (default 20)", m{"type": "integer", "minimum": 1, "maximum": 100})}, resp: "MatchList"},
		{method: "POST", path: tp + "/listings/{id}/matches/{counterpart}/dismiss", id: "dismissMatch", summary: "Dismiss a match; it stays dismissed", tag: "Market", status: 204},
		{method: "GET", path: tp + "/admin/settings", id: "getSettings", summary: "Region settings", tag: "Administration", resp: "Settings"},
		{method: "PATCH", path: tp + "/admin/settings", id: "updateSettings", summary: "Change branding, domains, language, map", tag: "Administration", body: "SettingsInput", example: map[string]any{"color_primary": "#0b5a3c", "default_locale": "nn", "domains": []string{"masser.baerum.kommune.no"}}, resp: "Settings"},
		{method: "PUT", path: tp + "/admin/logo", id: "putLogo", summary: "Upload the logo (PNG, JPEG, WebP or SVG, ≤ 256 KB)", tag: "Administration", bodyType: "image/*", resp: "Settings"},
		{method: "GET", path: tp + "/admin/rules", id: "listRules", summary: "Role rules: defaults and the region's own", tag: "Administration", resp: "RuleList"},
		{method: "POST", path: tp + "/admin/rules", id: "addRule", summary: "Add a region rule (takes effect at once)", tag: "Administration", body: "Rule", example: map[string]any{"role": "transporter", "object": "vehicles", "action": "create", "effect": "deny"}, status: 201, resp: "Rule"},
		{method: "DELETE", path: tp + "/admin/rules", id: "removeRule", summary: "Remove a region rule", tag: "Administration", body: "Rule", example: map[string]any{"role": "transporter", "object": "vehicles", "action": "create", "effect": "deny"}, status: 204},
		{method: "GET", path: tp + "/admin/assignments", id: "listAssignments", summary: "Tenant admins and supervisors", tag: "Administration", resp: "AssignmentList"},
		{method: "POST", path: tp + "/admin/assignments", id: "addAssignment", summary: "Give a user a role in the region", tag: "Administration", body: "AssignmentInput", example: map[string]any{"email": "tilsyn@example.no", "role": "supervisor"}, status: 201, resp: "AssignmentList"},
		{method: "DELETE", path: tp + "/admin/assignments", id: "removeAssignment", summary: "Take a role away", tag: "Administration", body: "AssignmentInput", example: map[string]any{"email": "tilsyn@example.no", "role": "supervisor"}, status: 204},
		{method: "GET", path: "/api/v1/platform/tenants", id: "platformListTenants", summary: "All tenants (platform superadmin)", tag: "Platform", resp: "SettingsList"},
		{method: "POST", path: "/api/v1/platform/tenants", id: "platformCreateTenant", summary: "Create a tenant (platform superadmin)", tag: "Platform", body: "TenantInput", example: map[string]any{"slug": "agder", "name": "Agder masseforum", "default_locale": "nb", "center_lat": 58.15, "center_lon": 8.0}, status: 201, resp: "Settings"},
	}
}

// Document builds the OpenAPI document.
func Document() m {
	sc := schemas()
	for _, name := range []string{"TenantSummary:Tenant", "Token:Token", "Site:Site", "Contact:Contact", "Vehicle:Vehicle", "Membership:Membership", "Rule:Rule", "Assignment:Assignment", "Settings:Settings"} {
		item := strings.Split(name, ":")[0]
		listName := strings.TrimSuffix(strings.Split(name, ":")[1], "Summary") + "List"
		sc[listName] = list(item)
	}
	paths := m{}
	problem := m{"description": "Problem", "content": m{"application/problem+json": m{"schema": ref("Problem")}}}
	for _, o := range ops() {
		params := []any{}
		for _, seg := range strings.Split(o.path, "/") {
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				desc := map[string]string{"tenant": "Region slug (or use the region's own host)", "id": "Resource ID", "orgnr": "Organization number", "counterpart": "The other listing's ID"}[name]
				params = append(params, m{"name": name, "in": "path", "required": true, "description": desc, "schema": m{"type": "string"}})
			}
		}
		for _, qp := range o.query {
			params = append(params, qp)
		}
		status := o.status
		if status == 0 {
			status = 200
		}
		responses := m{"default": problem}
		switch {
		case status == 204:
			responses["204"] = m{"description": "Done"}
		case o.resp != "":
			ct := o.respType
			if ct == "" {
				ct = "application/json"
			}
			responses[strconv.Itoa(status)] = m{"description": "OK", "content": m{ct: m{"schema": ref(o.resp)}}}
		default:
			ct := o.respType
			responses[strconv.Itoa(status)] = m{"description": "OK", "content": m{ct: m{"schema": m{}}}}
		}
		opm := m{"operationId": o.id, "summary": o.summary, "tags": []string{o.tag}, "parameters": params, "responses": responses}
		if o.public {
			opm["security"] = []any{m{}, m{"bearer": []string{}}, m{"session": []string{}}}
		}
		if o.body != "" {
			media := m{"schema": ref(o.body)}
			if o.example != nil {
				media["example"] = o.example
			}
			opm["requestBody"] = m{"required": true, "content": m{"application/json": media}}
		} else if o.bodyType != "" {
			opm["requestBody"] = m{"required": true, "content": m{o.bodyType: m{"schema": m{"type": "string", "format": "binary"}}}}
		}
		p, ok := paths[o.path].(m)
		if !ok {
			p = m{}
			paths[o.path] = p
		}
		p[strings.ToLower(o.method)] = opm
	}
	sc["TenantList"] = list("TenantSummary")
	return m{
		"openapi": "3.1.0",
		"info": m{"title": "Masseflyt API", "version": "1.0.0",
			"description": "REST API of Masseflyt, the marketplace for surplus soil and rock. Every region (tenant) is addressed as /api/v1/tenants/{tenant}/… or on its own host as /api/v1/…. Errors are RFC 9457 problem+json with a stable type and a localized title (Accept-Language: nb, nn, en). Lists use cursor pagination.",
			"license":     m{"name": "Proprietary"}},
		"servers":  []any{m{"url": "/"}},
		"security": []any{m{"bearer": []string{}}, m{"session": []string{}}},
		"tags":     []any{m{"name": "Tenants"}, m{"name": "Identity"}, m{"name": "Directory"}, m{"name": "Market"}, m{"name": "Open data"}, m{"name": "Administration"}, m{"name": "Platform"}},
		"paths":    paths,
		"components": m{
			"schemas": sc,
			"securitySchemes": m{
				"bearer":  m{"type": "http", "scheme": "bearer", "description": "API token (mft_…), scoped to one region, read and/or write"},
				"session": m{"type": "apiKey", "in": "cookie", "name": "ory_kratos_session", "description": "Browser session from the identity provider"},
			},
		},
	}
}

func fractionCodes() []string {
	var out []string
	for _, f := range market.Fractions {
		out = append(out, f.Code)
	}
	return out
}

func paramKeys() []string {
	var out []string
	for _, p := range market.TA2553 {
		out = append(out, p.Key)
	}
	return out
}

var (
	once    sync.Once
	docJSON []byte
)

// JSON returns the serialized document.
func JSON() []byte {
	once.Do(func() {
		var err error
		docJSON, err = json.MarshalIndent(Document(), "", "  ")
		if err != nil {
			panic(err)
		}
	})
	return docJSON
}

var portal = template.Must(template.New("docs").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="/static/app.css"></head><body><main class="container">
<h1>{{.Title}}</h1><p class="lead">{{.Intro}}</p><p><a class="button" href="/api/v1/openapi.json">OpenAPI 3.1 (JSON)</a></p>
{{range .Groups}}<h2>{{.Tag}}</h2><div class="table-wrap"><table><thead><tr><th scope="col">{{$.Method}}</th><th scope="col">{{$.Path}}</th><th scope="col">{{$.Summary}}</th><th scope="col">{{$.Access}}</th></tr></thead><tbody>
{{range .Ops}}<tr><td><code>{{.Method}}</code></td><td><code>{{.Path}}</code></td><td>{{.Summary}}</td><td>{{if .Public}}{{$.Open}}{{else}}{{$.Protected}}{{end}}</td></tr>{{end}}
</tbody></table></div>{{end}}</main></body></html>`))

// Mount serves the document and the portal.
func Mount(a *app.App) {
	a.Fiber.Get("/api/v1/openapi.json", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/json")
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
		return c.Send(JSON())
	})
	a.Fiber.Get("/api/v1/docs", func(c *fiber.Ctx) error {
		l := httpx.Loc(c)
		type opv struct {
			Method, Path, Summary string
			Public                bool
		}
		type group struct {
			Tag string
			Ops []opv
		}
		byTag := map[string][]opv{}
		var tags []string
		for _, o := range ops() {
			if _, ok := byTag[o.tag]; !ok {
				tags = append(tags, o.tag)
			}
			byTag[o.tag] = append(byTag[o.tag], opv{o.method, o.path, o.summary, o.public})
		}
		sort.Strings(tags)
		var groups []group
		for _, t := range tags {
			groups = append(groups, group{t, byTag[t]})
		}
		c.Type("html", "utf-8")
		return portal.Execute(c.Response().BodyWriter(), map[string]any{"Lang": l.Lang, "Title": l.T("DocsTitle"), "Intro": l.T("DocsIntro"), "Groups": groups,
			"Method": l.T("DocsMethod"), "Path": l.T("DocsPath"), "Summary": l.T("DocsSummary"), "Access": l.T("DocsAccess"), "Open": l.T("DocsOpen"), "Protected": l.T("DocsProtected")})
	})
}
