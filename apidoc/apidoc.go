// Package apidoc is the API contract: one OpenAPI 3.1 document, served at
// /api/v1/openapi.json, and the developer portal page at /api/v1/docs.
// A test checks every registered /api/v1 route is described here and that
// the document and its examples validate; the test harness validates every
// API response of the test suite against it (internal/apitest).
package apidoc

import (
	"encoding/json"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/httpx"
)

// Document builds the OpenAPI document.
func Document() m {
	paths := m{}
	for _, o := range ops() {
		p, ok := paths[o.path].(m)
		if !ok {
			p = m{}
			paths[o.path] = p
		}
		p[strings.ToLower(o.method)] = operation(o)
	}
	return m{
		"openapi": "3.1.0",
		"info": m{"title": "Masseflyt API", "version": "1.0.0",
			"description": "REST API of Masseflyt, the marketplace for surplus soil and rock. Every region (tenant) is addressed as /api/v1/tenants/{tenant}/… or on its own host as /api/v1/…. " +
				"Errors are RFC 9457 problem+json with a stable type and a localized title (Accept-Language: nb, nn, en); an unknown path answers 404 problem+json. " +
				"GET answers carry an ETag; a matching If-None-Match gets 304. " +
				"The organization directory is paginated by cursor (limit and cursor; next_cursor until the last page). Other lists are not paginated: " +
				"each says what it returns, either everything or at most a stated number.",
			"license": m{"name": "Proprietary"}},
		"servers":  []any{m{"url": "/"}},
		"security": []any{m{"bearer": []string{}}, m{"session": []string{}}},
		"tags":     []any{m{"name": "Tenants"}, m{"name": "Identity"}, m{"name": "Directory"}, m{"name": "Market"}, m{"name": "Open data"}, m{"name": "Administration"}, m{"name": "Platform"}},
		"paths":    paths,
		"components": m{
			"schemas":   schemas(),
			"responses": responseComponents(),
			"securitySchemes": m{
				"bearer":  m{"type": "http", "scheme": "bearer", "description": "API token (mft_…), scoped to one region, read and/or write"},
				"session": m{"type": "apiKey", "in": "cookie", "name": "ory_kratos_session", "description": "Browser session from the identity provider"},
			},
		},
	}
}

// operation renders one operation with its parameters, body and responses.
func operation(o op) m {
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
	responses := m{}
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
		content := m{}
		for _, ct := range o.binary {
			content[ct] = m{}
		}
		responses[strconv.Itoa(status)] = m{"description": "OK", "content": content}
	}
	if o.method == "GET" {
		responses["304"] = responseRef("NotModified")
	}
	for _, st := range errorStatuses(o) {
		responses[strconv.Itoa(st)] = responseRef(errorResponses[st][0])
	}
	opm := m{"operationId": o.id, "summary": o.summary, "tags": []string{o.tag}, "parameters": params, "responses": responses}
	if o.public {
		opm["security"] = []any{m{}, m{"bearer": []string{}}, m{"session": []string{}}}
	}
	switch {
	case o.body != "":
		media := m{"schema": ref(o.body)}
		if o.example != nil {
			media["example"] = o.example
		}
		opm["requestBody"] = m{"required": !o.bodyOptional, "content": m{"application/json": media}}
	case o.upload != "":
		opm["requestBody"] = m{"required": true, "content": m{"multipart/form-data": m{"schema": ref(o.upload)}}}
	case o.bodyType != "":
		opm["requestBody"] = m{"required": true, "content": m{o.bodyType: m{}}}
	}
	return opm
}

// errorStatuses lists the error statuses an operation answers.
func errorStatuses(o op) []int {
	set := map[int]bool{429: true, 500: true} // every /api/v1 path: rate limit, internal error
	if strings.HasPrefix(o.path, tp) || strings.HasPrefix(o.path, "/api/v1/platform") {
		set[401], set[403], set[503] = true, true, true // authentication (identity provider), authorization
	}
	if strings.Contains(o.path, "{") {
		set[404] = true
	}
	if len(o.query) > 0 {
		set[422] = true
	}
	if o.body != "" || o.upload != "" || o.bodyType != "" {
		set[400], set[413], set[415], set[422] = true, true, true, true
	}
	if o.conflict {
		set[409] = true
	}
	for _, st := range o.extra {
		set[st] = true
	}
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
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
