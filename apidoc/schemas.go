package apidoc

import (
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fraction"
	"github.com/masseflyt/masseflyt/locales"
)

// schemas returns the components/schemas. A response schema requires every
// field that is always sent (in Go: no omitempty); an input schema requires
// what creating needs, and its patch form (…Patch) requires nothing.
func schemas() m {
	sc := m{}
	for _, part := range []m{identitySchemas(), directorySchemas(), marketSchemas(), matchSchemas(), adminSchemas()} {
		for k, v := range part {
			sc[k] = v
		}
	}
	return sc
}

func identitySchemas() m {
	return m{
		"Problem": obj(m{
			"type": str("Stable problem type, urn:masseflyt:problem:<code>"), "title": str("Localized summary"), "status": integer("HTTP status"),
			"detail": str("Localized detail"), "instance": str("Request path"),
			"errors": arr(obj(m{"field": str("Input field (JSON name; items as name[i].field)"), "pointer": str("JSON pointer (RFC 6901) to the field in the request, e.g. /lines/0/quantity"), "label": str("The field's name in the user's language, e.g. Tittel"), "code": str("Stable code"), "message": str("Localized message, naming the field by its label")}, "field", "pointer", "label", "code", "message")),
		}, "type", "title", "status"),
		"TenantSummary": obj(m{
			"slug": str("URL name"), "name": str("Name"), "short_name": str("Short name"), "description": str("Description"),
			"color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"), "logo_url": str("Logo URL (only when the region has a logo)"), "default_locale": enum("Default language", locales.Supported),
			"center": with(arr(num("lat, lon")), "minItems", 2, "maxItems", 2), "zoom": integer("Map zoom"), "domains": arr(str("Custom domain")),
		}, "slug", "name", "short_name", "description", "color_primary", "color_accent", "default_locale", "center", "zoom", "domains"),
		"User": obj(m{"id": str("ID"), "name": str("Name"), "email": str("E-mail")}, "id", "name"),
		"Me": obj(m{
			"user": ref("User"), "roles": orNull(arr(str("Role"))), "organizations": m{"type": "object", "additionalProperties": enum("Role in the organization", []string{directory.MemberRole, directory.AdminRole}), "description": "Organization ID → role"},
			"aal": enum("Authentication level (aal2 after a second factor)", []string{"aal1", "aal2"}),
		}, "user", "roles", "organizations"),
		"Token": obj(m{"id": str("ID"), "name": str("Name"), "prefix": str("First characters"), "expires_at": dt("Expiry"), "revoked_at": dt("Revoked"),
			"last_used_at": dt("Last used"), "created_at": dt("Created")}, "id", "name", "prefix", "expires_at", "created_at"),
		"TokenInput": obj(m{"name": with(str("Name, ≤ 100 characters"), "minLength", 1, "maxLength", 100), "scopes": with(arr(enum("Scope", []string{"read", "write"})), "minItems", 1),
			"expires_in_days": with(integer("Lifetime in days, 1–366 (0 or absent: 90)"), "minimum", 0, "maximum", 366)}, "name", "scopes"),
		"TokenList":    list("Token", "The caller's tokens in the region"),
		"TokenCreated": obj(m{"token": ref("Token"), "secret": str("The token; shown only once")}, "token", "secret"),
		"FeatureCollection": obj(m{
			"type": enum("GeoJSON type", []string{"FeatureCollection"}),
			"features": arr(obj(m{
				"type":       enum("GeoJSON type", []string{"Feature"}),
				"geometry":   obj(m{"type": enum("Geometry", []string{"Point"}), "coordinates": with(arr(num("lon, lat (WGS84)")), "minItems", 2, "maxItems", 2)}, "type", "coordinates"),
				"properties": m{"type": "object", "description": "id, kind and a title or name; listings also fractions, band and period (approx: 1 for a coarse point); sites organization, phase or facility type"},
			}, "type", "geometry", "properties")),
		}, "type", "features"),
	}
}

func directorySchemas() m {
	orgInput := obj(m{
		"org_number": str("Organization number, 9 digits (create; immutable afterwards)"), "description": str("Description, ≤ 4000 characters"),
		"kinds": with(arr(enum("Kind", directory.OrgKinds)), "minItems", 1), "services": arr(enum("Transport service (makes the organization a transporter)", directory.TransportServices)),
		"website": str("Website"), "email": str("E-mail"), "phone": str("Phone"), "address": str("Address"), "postcode": with(str("Postcode"), "pattern", `^[0-9]{4}$`), "city": str("City"),
		"lat": num("Latitude (WGS84), in Norway; with lon"), "lon": num("Longitude (WGS84), in Norway; with lat"),
	}, "org_number", "kinds")
	siteInput := with(obj(m{
		"kind": enum("Kind", directory.SiteKinds), "name": with(str("Name, ≤ 200 characters"), "minLength", 1), "description": str("Description"), "address": str("Address (geocoded when no point is given)"),
		"postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"), "lat": num("Latitude; with lon"), "lon": num("Longitude; with lat"),
		"phase": enum("Project phase (projects)", directory.ProjectPhases), "planned_start": date("Planned start"), "planned_end": date("Planned end"),
		"expected_surplus_tonnes": num("Expected surplus, tonnes"), "expected_need_tonnes": num("Expected need, tonnes"),
		"facility_type": enum("Facility type (facilities)", directory.FacilityTypes), "permanent": boolean("Permanent (default true)"), "capacity_tonnes": num("Capacity"),
		"opening_hours": str("Opening hours"), "gate_fee_nok_per_tonne": num("Gate fee, −10 000–10 000"),
	}, "kind", "name"), "description", "A project needs a phase, a facility a facility type; the point is lat and lon, or geocoded from the address",
		"dependentRequired", m{"lat": []string{"lon"}, "lon": []string{"lat"}},
		"allOf", []any{
			m{"if": m{"properties": m{"kind": m{"const": "project"}}, "required": []string{"kind"}}, "then": m{"required": []string{"phase"}}},
			m{"if": m{"properties": m{"kind": m{"const": "facility"}}, "required": []string{"kind"}}, "then": m{"required": []string{"facility_type"}}},
		})
	contactInput := obj(m{"name": with(str("Name"), "minLength", 1), "title": str("Job title"), "phone": str("Phone"), "email": str("E-mail"), "site_id": str("Site of the organization (create only)")}, "name")
	return m{
		"Organization": obj(m{
			"id": str("ID"), "org_number": str("Norwegian organization number (9 digits, MOD11)"), "name": str("Name from Enhetsregisteret"),
			"description": str("Description"), "kinds": arr(enum("Kind", directory.OrgKinds)), "services": arr(enum("Transport service", directory.TransportServices)),
			"website": str("Website"), "email": str("E-mail (logged-in users only)"), "phone": str("Phone (logged-in users only)"),
			"address": str("Address"), "postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"),
			"lat": orNull(num("Latitude")), "lon": orNull(num("Longitude")),
			"registry_status": enum("Standing in the register", []string{"active", "bankrupt", "liquidation", "deleted", "unknown"}),
			"verified":        boolean("Has an approved representative"), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "org_number", "name", "description", "kinds", "services", "website", "address", "postcode", "city", "municipality_no", "lat", "lon", "registry_status", "verified", "created_at", "updated_at"),
		"OrganizationInput": orgInput,
		"OrganizationPatch": with(without(orgInput), "description", "Only the fields sent change; org_number, if sent, must be the current one"),
		"OrganizationPage": with(obj(m{"items": arr(ref("Organization")), "next_cursor": str("Cursor of the next page; absent on the last page")}, "items"),
			"description", "A page of organizations by name; pass next_cursor as cursor for the next"),
		"Site": obj(m{
			"id": str("ID"), "organization_id": str("Owner"), "organization_name": str("Owner name"), "kind": enum("Kind", directory.SiteKinds), "name": str("Name"),
			"description": str("Description"), "address": str("Address"), "postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"),
			"lat": num("Latitude"), "lon": num("Longitude"), "phase": enum("Project phase", directory.ProjectPhases),
			"planned_start": dt("Planned start"), "planned_end": dt("Planned end"), "expected_surplus_tonnes": num("Expected surplus, tonnes"),
			"expected_need_tonnes": num("Expected need, tonnes"), "facility_type": enum("Facility type", directory.FacilityTypes), "permanent": boolean("Permanent facility"),
			"capacity_tonnes": num("Capacity, tonnes"), "opening_hours": str("Opening hours"), "gate_fee_nok_per_tonne": num("Gate fee, NOK per tonne (negative: the receiver pays)"),
			"permits": arr(ref("Permit")), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "organization_id", "kind", "name", "description", "address", "postcode", "city", "municipality_no", "lat", "lon", "permanent", "created_at", "updated_at"),
		"SiteInput": siteInput,
		"SitePatch": with(without(siteInput), "description", "Only the fields sent change", "dependentRequired", m{"lat": []string{"lon"}, "lon": []string{"lat"}}),
		"Permit": obj(m{
			"id": str("ID"), "site_id": str("Facility"), "kind": enum("Kind", directory.PermitKinds), "authority": str("Issuing authority"), "reference": str("Case number"),
			"valid_from": dt("Valid from"), "valid_to": dt("Valid to"), "fractions": arr(enum("Fraction", fraction.Codes())),
			"max_class": integer("Highest contamination class accepted (TA-2553, 1–5)"), "annual_capacity_tonnes": num("Tonnes per year"),
			"created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "site_id", "kind", "authority", "reference", "fractions", "max_class", "annual_capacity_tonnes", "created_at", "updated_at"),
		"PermitInput": obj(m{
			"kind": enum("Kind", directory.PermitKinds), "authority": with(str("Authority"), "minLength", 1), "reference": str("Reference"), "valid_from": date("Valid from"), "valid_to": date("Valid to"),
			"fractions": arr(enum("Fraction", fraction.Codes())), "max_class": with(integer("1–5"), "minimum", 1, "maximum", 5), "annual_capacity_tonnes": num("Tonnes per year"),
		}, "kind", "authority", "max_class"),
		"Contact": obj(m{"id": str("ID"), "organization_id": str("Organization"), "site_id": str("Site"), "name": str("Name"), "title": str("Job title"), "phone": str("Phone"), "email": str("E-mail"),
			"created_at": dt("Created"), "updated_at": dt("Updated")}, "id", "organization_id", "name", "title", "phone", "email", "created_at", "updated_at"),
		"ContactInput": contactInput,
		"ContactPatch": with(without(contactInput, "site_id"), "description", "Only the fields sent change; the site cannot change"),
		"Vehicle": obj(m{
			"id": str("ID"), "organization_id": str("Transport company"), "registration": str("Registration number"), "make": str("Make"), "model": str("Model"),
			"body_type": enum("Body", directory.BodyTypes), "euro_class": enum("Euro class", directory.EuroClasses), "fuel": enum("Fuel", directory.Fuels),
			"payload_tonnes": num("Payload, tonnes"), "payload_m3": num("Load volume, m³"), "status": enum("Approval", []string{"pending", "approved", "rejected"}),
			"decided_at": dt("Approved or rejected"), "created_at": dt("Created"), "updated_at": dt("Updated"),
		}, "id", "organization_id", "registration", "make", "model", "body_type", "euro_class", "fuel", "payload_tonnes", "payload_m3", "status", "created_at", "updated_at"),
		"VehicleInput": obj(m{
			"registration": with(str("Registration number"), "minLength", 1), "make": str("Make"), "model": str("Model"), "body_type": enum("Body", directory.BodyTypes),
			"euro_class": enum("Euro class", directory.EuroClasses), "fuel": enum("Fuel", directory.Fuels),
			"payload_tonnes": with(num("0.1–45"), "exclusiveMinimum", 0, "maximum", 45), "payload_m3": with(num("0–40"), "minimum", 0, "maximum", 40),
		}, "registration", "body_type", "euro_class", "fuel", "payload_tonnes"),
		"Membership": obj(m{
			"id": str("ID"), "user_id": str("User"), "user_name": str("User name"), "organization_id": str("Organization"), "organization_name": str("Organization name"),
			"role": enum("Role", []string{directory.MemberRole, directory.AdminRole}), "status": enum("Status", []string{directory.StatusPending, directory.StatusApproved, directory.StatusRejected}),
			"message": str("Message"), "decided_at": dt("Decided"), "created_at": dt("Requested"), "updated_at": dt("Updated"),
		}, "id", "user_id", "organization_id", "role", "status", "message", "created_at", "updated_at"),
		"MembershipInput": with(obj(m{"role": enum("Requested role (default member)", []string{directory.MemberRole, directory.AdminRole}), "message": str("Message to the approver, ≤ 1000 characters")}),
			"description", "Optional: an empty body asks to become a member"),
		"Decision": with(obj(m{"role": enum("Role to grant (approve only; default: the one requested)", []string{directory.MemberRole, directory.AdminRole})}), "description", "Optional"),
		"RegistryUnit": obj(m{"org_number": str("Number"), "name": str("Name"), "org_form_code": str("Organization form code"), "org_form": str("Organization form"),
			"address": str("Address"), "postcode": str("Postcode"), "city": str("City"), "municipality_no": str("Municipality number"), "municipality": str("Municipality"),
			"nace_code": str("Industry code"), "nace_text": str("Industry"), "employees": integer("Employees"), "website": str("Website"),
			"bankrupt": boolean("Bankrupt"), "under_liquidation": boolean("Under liquidation"), "deleted": boolean("Deleted"), "fetched_at": dt("Fetched from the register")},
			"org_number", "name", "org_form_code", "org_form", "address", "postcode", "city", "municipality_no", "municipality", "nace_code", "nace_text", "employees", "website",
			"bankrupt", "under_liquidation", "deleted", "fetched_at"),
		"OrganizationSiteList": list("Site", "The organization's sites by name, at most limit (no further pages)"),
		"SiteList":             list("Site", "Sites by name, at most limit (no further pages)"),
		"ContactList":          list("Contact", "All the organization's contact persons, by name"),
		"VehicleList":          list("Vehicle", "All the organization's vehicles the caller may see"),
		"MembershipList":       list("Membership", "Newest first, at most 500 (no further pages)"),
	}
}

func adminSchemas() m {
	return m{
		"Settings": obj(m{"slug": str("Slug"), "name": str("Name"), "short_name": str("Short name"), "description": str("Description"), "color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"),
			"default_locale": enum("Language", locales.Supported), "center_lat": num("Map centre"), "center_lon": num("Map centre"), "zoom": integer("Zoom"), "municipalities": arr(str("Municipality number")),
			"domains": arr(str("Custom domain")), "has_logo": boolean("Has a logo"), "embed_origins": arr(str("Origins allowed to embed the widgets")),
			"tile_url": str("Map tile URL template (empty: OpenStreetMap)"), "tile_attribution": str("Map attribution")},
			"slug", "name", "short_name", "description", "color_primary", "color_accent", "default_locale", "center_lat", "center_lon", "zoom", "municipalities", "domains", "has_logo",
			"embed_origins", "tile_url", "tile_attribution"),
		"SettingsInput": with(obj(m{"name": with(str("Name, ≤ 120 characters"), "minLength", 1), "short_name": str("Short name, ≤ 40 characters"), "description": str("Description, ≤ 1000 characters"),
			"color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"),
			"default_locale": enum("Language", locales.Supported), "center_lat": num("Map centre"), "center_lon": num("Map centre"), "zoom": integer("4–18"),
			"municipalities": arr(str("4-digit municipality number")), "domains": arr(str("Host name")),
			"embed_origins": arr(str("Origin allowed to embed the widgets, e.g. https://www.baerum.kommune.no")),
			"tile_url":      str("Map tile URL template (https, with {z}, {x}, {y}); empty for OpenStreetMap"), "tile_attribution": str("Map attribution (plain text; required with a tile URL)")}),
			"description", "Only the fields sent change"),
		"SettingsList": list("Settings", "Every tenant"),
		"Rule":         obj(m{"role": str("Role"), "object": str("Object"), "action": str("Action"), "effect": enum("Effect", []string{"allow", "deny"}), "default": boolean("Platform default (read-only)")}, "role", "object", "action", "effect", "default"),
		"RuleInput": obj(m{"role": str("Role (any but superadmin)"), "object": str("Object (any but platform)"), "action": str("An action of the object"), "effect": enum("Effect", []string{"allow", "deny"}),
			"default": boolean("Ignored")}, "role", "object", "action", "effect"),
		"RuleList":   list("Rule", "The platform defaults and the region's own rules"),
		"Assignment": obj(m{"user_id": str("User"), "name": str("Name"), "email": str("E-mail"), "role": str("Role")}, "user_id", "name", "email", "role"),
		"AssignmentInput": with(obj(m{"email": str("User e-mail"), "user_id": str("User ID (instead of the e-mail)"), "role": enum("Role", []string{"tenant_admin", "supervisor"})}, "role"),
			"anyOf", []any{m{"required": []string{"email"}}, m{"required": []string{"user_id"}}}),
		"AssignmentList": list("Assignment", "Every tenant admin and supervisor of the region"),
		"TenantInput": obj(m{"slug": str("Slug"), "name": with(str("Name, ≤ 120 characters"), "minLength", 1), "color_primary": str("#rrggbb"), "color_accent": str("#rrggbb"),
			"default_locale": enum("Language", locales.Supported), "center_lat": num("Map centre (default Oslo)"), "center_lon": num("Map centre"), "admin_email": str("First tenant admin")}, "slug", "name"),
		"TenantList": list("TenantSummary", "Every active region"),
	}
}
