package apidoc

import (
	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/locales"
)

// The notes: what the Go types cannot say. Keys are "Type" or
// "Type.json_field" (see oas.Note); "pkg.Type" where two packages have a
// type of the name. Enums take the domain's own lists.

type note = oas.Note

func d(desc string) note { return note{Description: desc} }

func enum(desc string, vals []string) note { return note{Description: desc, Enum: vals} }

// req is a required input field.
func req(n note) note {
	n.Required = true
	return n
}

// date is an input date: a day, a month or a year.
func date(desc string) note {
	return note{Description: desc + " (YYYY-MM-DD, YYYY-MM or YYYY)", Pattern: `^\d{4}(-\d{2}(-\d{2})?)?$`}
}

// latLon makes a point's two halves go together.
var latLon = map[string]any{"dependentRequired": map[string]any{"lat": []string{"lon"}, "lon": []string{"lat"}}}

func with(extra map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range extra {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

var roles = []string{directory.MemberRole, directory.AdminRole}

func identityNotes() map[string]note {
	point := m{"type": "object", "additionalProperties": false, "required": []string{"type", "coordinates"}, "properties": m{
		"type":        m{"type": "string", "enum": []string{"Point"}, "description": "Geometry"},
		"coordinates": m{"type": "array", "items": m{"type": "number"}, "minItems": 2, "maxItems": 2, "description": "lon, lat (WGS84)"},
	}}
	featureProps := "id, kind and a title or name; listings also fractions, band and period (approx: 1 for a coarse point); sites organization, phase or facility type"
	feature := m{"type": "object", "additionalProperties": false, "required": []string{"type", "geometry", "properties"}, "properties": m{
		"type": m{"type": "string", "enum": []string{"Feature"}}, "geometry": point,
		"properties": m{"type": "object", "description": featureProps},
	}}
	return map[string]note{
		"Page.items":                   d("The page's items"),
		"Page.next_cursor":             d("Cursor of the next page (pass it as cursor); absent on the last page"),
		"TenantSummaryPage":            d("Every active region"),
		"TokenPage":                    d("The caller's tokens in the region"),
		"Problem":                      d("An RFC 9457 problem"),
		"Problem.type":                 d("Stable problem type, urn:masseflyt:problem:<code>"),
		"Problem.title":                d("Localized summary"),
		"Problem.status":               d("HTTP status"),
		"Problem.detail":               d("Localized detail"),
		"Problem.instance":             d("Request path"),
		"Problem.errors":               d("The invalid fields, each with a localized message"),
		"FieldError.field":             d("Input field (JSON name; items as name[i].field)"),
		"FieldError.pointer":           d("JSON pointer (RFC 6901) to the field in the request, e.g. /lines/0/quantity"),
		"FieldError.label":             d("The field's name in the user's language, e.g. Tittel"),
		"FieldError.code":              d("Stable code"),
		"FieldError.message":           d("Localized message, naming the field by its label"),
		"TenantSummary":                d("A region's public profile and branding"),
		"TenantSummary.slug":           d("URL name"),
		"TenantSummary.name":           d("Name"),
		"TenantSummary.short_name":     d("Short name"),
		"TenantSummary.description":    d("Description"),
		"TenantSummary.color_primary":  d("#rrggbb"),
		"TenantSummary.color_accent":   d("#rrggbb"),
		"TenantSummary.logo_url":       d("Logo URL (only when the region has a logo)"),
		"TenantSummary.default_locale": enum("Default language", locales.Supported),
		"TenantSummary.center":         {Description: "lat, lon", MinItems: 2, MaxItems: 2},
		"TenantSummary.zoom":           d("Map zoom"),
		"TenantSummary.domains":        d("Custom domains"),
		"User.id":                      d("ID"),
		"User.name":                    d("Name"),
		"User.email":                   d("E-mail"),
		"Me.user":                      d("The caller"),
		"Me.roles":                     {Description: "Roles in the region", Null: true},
		"Me.organizations":             enum("Organization ID → role in the organization", roles),
		"Me.aal":                       enum("Authentication level (aal2 after a second factor)", []string{"aal1", "aal2"}),
		"Token.id":                     d("ID"),
		"Token.name":                   d("Name"),
		"Token.prefix":                 d("First characters"),
		"Token.expires_at":             d("Expiry"),
		"Token.revoked_at":             d("Revoked"),
		"Token.last_used_at":           d("Last used"),
		"Token.created_at":             d("Created"),
		"TokenInput.name":              req(note{Description: "Name, ≤ 100 characters", MinLength: 1, MaxLength: 100}),
		"TokenInput.scopes":            req(note{Description: "Scopes", Enum: []string{"read", "write"}, MinItems: 1}),
		"TokenInput.expires_in_days":   {Description: "Lifetime in days, 1–366 (0 or absent: 90)", Minimum: 0, Maximum: 366},
		"TokenCreated.token":           d("The token"),
		"TokenCreated.secret":          d("The token; shown only once"),

		"directory.FeatureCollection.type":     enum("GeoJSON type", []string{"FeatureCollection"}),
		"directory.FeatureCollection.features": d("Projects and facilities"),
		"Feature.type":                         enum("GeoJSON type", []string{"Feature"}),
		"Feature.geometry":                     {Extra: point},
		"Feature.properties":                   d(featureProps),
		"featureCollection.type":               enum("GeoJSON type", []string{"FeatureCollection"}),
		"featureCollection.features":           {Extra: m{"items": feature}},
	}
}

func adminNotes() map[string]note {
	view := map[string]note{
		"slug": d("Slug"), "name": d("Name"), "short_name": d("Short name"), "description": d("Description"), "color_primary": d("#rrggbb"), "color_accent": d("#rrggbb"),
		"default_locale": enum("Language", locales.Supported), "center_lat": d("Map centre"), "center_lon": d("Map centre"), "zoom": d("Zoom"),
		"municipalities": d("Municipality numbers"), "domains": d("Custom domains"), "has_logo": d("Has a logo"),
		"embed_origins": d("Origins allowed to embed the widgets"), "tile_url": d("Map tile URL template (empty: OpenStreetMap)"), "tile_attribution": d("Map attribution"),
	}
	input := map[string]note{
		"name": {Description: "Name, ≤ 120 characters", MinLength: 1}, "short_name": d("Short name, ≤ 40 characters"), "description": d("Description, ≤ 1000 characters"),
		"color_primary": d("#rrggbb"), "color_accent": d("#rrggbb"), "default_locale": enum("Language", locales.Supported), "center_lat": d("Map centre"), "center_lon": d("Map centre"),
		"zoom": d("4–18"), "municipalities": d("4-digit municipality numbers"), "domains": d("Host names"),
		"embed_origins":    d("Origins allowed to embed the widgets, e.g. https://www.baerum.kommune.no"),
		"tile_url":         d("Map tile URL template (https, with {z}, {x}, {y}); empty for OpenStreetMap"),
		"tile_attribution": d("Map attribution (plain text; required with a tile URL)"),
	}
	out := map[string]note{
		"AssignmentViewPage":         d("Every tenant admin and supervisor of the region"),
		"RulePage":                   d("The platform defaults and the region's own rules"),
		"SettingsViewPage":           d("Every tenant"),
		"Settings":                   {Description: "Only the fields sent change", PatchDescription: "Only the fields sent change"},
		"SettingsView":               d("A region's settings"),
		"Rule.role":                  d("Role (as input: any but superadmin)"),
		"Rule.object":                d("Object (as input: any but platform)"),
		"Rule.action":                d("An action of the object"),
		"Rule.effect":                req(enum("Effect", []string{"allow", "deny"})),
		"Rule.default":               d("Platform default (read-only; ignored as input)"),
		"AssignmentView.user_id":     d("User"),
		"AssignmentView.name":        d("Name"),
		"AssignmentView.email":       d("E-mail"),
		"AssignmentView.role":        d("Role"),
		"AssignmentInput":            {Extra: m{"anyOf": []any{m{"required": []string{"email"}}, m{"required": []string{"user_id"}}}}},
		"AssignmentInput.email":      d("User e-mail"),
		"AssignmentInput.user_id":    d("User ID (instead of the e-mail)"),
		"AssignmentInput.role":       req(enum("Role", []string{"tenant_admin", "supervisor"})),
		"TenantInput.slug":           req(d("Slug")),
		"TenantInput.name":           req(note{Description: "Name, ≤ 120 characters", MinLength: 1}),
		"TenantInput.color_primary":  d("#rrggbb"),
		"TenantInput.color_accent":   d("#rrggbb"),
		"TenantInput.default_locale": enum("Language", locales.Supported),
		"TenantInput.center_lat":     d("Map centre (default Oslo)"),
		"TenantInput.center_lon":     d("Map centre"),
		"TenantInput.admin_email":    d("First tenant admin"),
	}
	for k, v := range view {
		out["SettingsView."+k] = v
	}
	for k, v := range input {
		out["Settings."+k] = v
	}
	for _, f := range []string{"role", "object", "action"} {
		n := out["Rule."+f]
		n.Required = true
		out["Rule."+f] = n
	}
	return out
}
