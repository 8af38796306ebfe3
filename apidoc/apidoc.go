// Package apidoc is the API contract: one OpenAPI 3.1 document generated
// from the API route table (route.Doc and the Go types it names; see
// apidoc/oas), served at /api/v1/openapi.json, and the developer portal
// page at /api/v1/docs. What reflection cannot see (descriptions, enums,
// bounds, what an input requires) is in the notes (annotations*.go), which
// cannot drift: a note naming a type or field the table does not reach fails
// Build. The test harness validates every API response of the test suite
// against the document (internal/apitest).
package apidoc

import (
	"encoding/json"

	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

type m = map[string]any

// Surface is the route table the document describes.
const Surface = "api"

// Entries lists the routes of the API table among tables.
func Entries(tables []route.Table) []route.Entry {
	var api []route.Table
	for _, t := range tables {
		if t.Surface == Surface {
			api = append(api, t)
		}
	}
	return route.Entries(api...)
}

// Build generates the document of the API routes.
func Build(entries []route.Entry) (oas.Document, error) {
	return oas.Build(entries, Config())
}

// JSON generates the serialized document. With an error from Build (a
// stale note, an undocumentable route) it still returns the document of
// what could be generated: tests/openapi_test.go fails on the error, the
// harness and the server use the document.
func JSON(entries []route.Entry) ([]byte, error) {
	doc, err := Build(entries)
	b, merr := json.MarshalIndent(doc, "", "  ")
	if merr != nil {
		return nil, merr
	}
	return b, err
}

// Public reports whether anonymous callers hold p: routes open by design
// and the platform's default grants to the anonymous role.
func Public(p access.Permission) bool {
	if p == access.Anyone {
		return true
	}
	for _, r := range tenants.DefaultRules {
		if r[0] == auth.RoleAnonymous && r[1] == p.Object && r[2] == p.Action {
			return true
		}
	}
	return false
}

// Config is Masseflyt's configuration of the generator.
func Config() oas.Config {
	return oas.Config{
		Info: m{"title": "Masseflyt API", "version": "1.0.0",
			"description": "REST API of Masseflyt, the marketplace for surplus soil and rock. Every region (tenant) is addressed as /api/v1/tenants/{tenant}/… or on its own host as /api/v1/…. " +
				"Errors are RFC 9457 problem+json with a stable type and a localized title (Accept-Language: nb, nn, en); an unknown path answers 404 problem+json. " +
				"GET answers carry an ETag; a matching If-None-Match gets 304. " +
				"Lists are paginated by cursor: limit (each list states its bounds and default) and cursor, the next_cursor of the previous page, sent until the last page. " +
				"Each operation's x-permission is the permission (object:action) it requires. The document is generated from the server's route table.",
			"license": m{"name": "Proprietary"}},
		Servers:  []any{m{"url": "/"}},
		Security: []any{m{"bearer": []string{}}, m{"session": []string{}}},
		SecuritySchemes: m{
			"bearer":  m{"type": "http", "scheme": "bearer", "description": "API token (mft_…), scoped to one region, read and/or write"},
			"session": m{"type": "apiKey", "in": "cookie", "name": "ory_kratos_session", "description": "Browser session from the identity provider"},
		},
		Tags:           []string{"Tenants", "Identity", "Directory", "Market", "Open data", "Administration", "Platform"},
		Public:         Public,
		PublicSecurity: []any{m{}, m{"bearer": []string{}}, m{"session": []string{}}},
		Authenticated:  []string{"/api/v1/tenants/{tenant}", "/api/v1/platform"},
		PathParams: map[string]string{"tenant": "Region slug (or use the region's own host)", "id": "Resource ID", "orgnr": "Organization number",
			"counterpart": "The other listing's ID"},
		Errors:  errorResponses,
		Problem: httpx.Problem{},
		Notes:   notes(),
	}
}

// Error responses, shared by the operations (components/responses).
var errorResponses = map[int]oas.ErrorResponse{
	400: {Name: "BadRequest", Description: "The body is empty or not well-formed"},
	401: {Name: "Unauthorized", Description: "Not logged in, or the token or session is not valid"},
	403: {Name: "Forbidden", Description: "The caller's roles, token scopes or organizations do not allow it"},
	404: {Name: "NotFound", Description: "No such region or resource (or hidden from the caller)"},
	409: {Name: "Conflict", Description: "The resource's state does not allow it, or it exists already"},
	410: {Name: "Gone", Description: "Deleted from the register"},
	413: {Name: "ContentTooLarge", Description: "The body is too large"},
	415: {Name: "UnsupportedMediaType", Description: "The body's type is not accepted"},
	422: {Name: "UnprocessableContent", Description: "A field or parameter is not valid; errors names each, with a localized message"},
	429: {Name: "TooManyRequests", Description: "Rate limit reached"},
	500: {Name: "InternalError", Description: "Internal error; the cause is logged, never sent"},
	503: {Name: "ServiceUnavailable", Description: "A service the request depends on (identity provider, business register) is unavailable"},
}

// notes merges the annotation tables.
func notes() map[string]oas.Note {
	out := map[string]oas.Note{}
	for _, part := range []map[string]oas.Note{identityNotes(), directoryNotes(), marketNotes(), matchNotes(), adminNotes(), dialogNotes(), agreementNotes(), haulNotes(), ledgerNotes(), climateNotes()} {
		for k, v := range part {
			if _, dup := out[k]; dup {
				panic("apidoc: two notes on " + k)
			}
			out[k] = v
		}
	}
	return out
}
