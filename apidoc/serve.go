package apidoc

import (
	"html/template"
	"sort"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/route"
)

// served is the document and the portal's operations of one app, built at
// the first request (the tables are mounted by then).
type served struct {
	once   sync.Once
	tables func() []route.Table
	json   []byte
	groups []group
	err    error
	// warn hears a build error (a stale note, an undocumentable route);
	// the tests fail on it, a running server logs it.
	warn func(error)
}

type opv struct {
	Method, Path, Summary string
	Public                bool
}

type group struct {
	Tag string
	Ops []opv
}

func (s *served) build() error {
	s.once.Do(func() {
		entries := Entries(s.tables())
		// The document of what could be generated is served; a build error
		// fails tests/openapi_test.go and is logged here.
		s.json, s.err = JSON(entries)
		if s.err != nil && s.warn != nil {
			s.warn(s.err)
		}
		if s.json != nil {
			s.err = nil
		}
		byTag := map[string][]opv{}
		for _, e := range entries {
			if e.Doc != nil {
				byTag[e.Doc.Tag] = append(byTag[e.Doc.Tag], opv{e.Method, oas.Path(e.FullPath), e.Doc.Summary, Public(e.Perm)})
			}
		}
		for t, ops := range byTag {
			s.groups = append(s.groups, group{t, ops})
		}
		sort.Slice(s.groups, func(i, j int) bool { return s.groups[i].Tag < s.groups[j].Tag })
	})
	return s.err
}

// Serve returns the handlers of the document and of the portal page of
// the API among the tables (the app's Tables, read at the first request),
// sharing one build; warn hears a build error.
func Serve(tables func() []route.Table, warn func(error)) (doc, portal fiber.Handler) {
	s := &served{tables: tables, warn: warn}
	return s.serveJSON, s.servePortal
}

func (s *served) serveJSON(c *fiber.Ctx) error {
	if err := s.build(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.json)
}

var portal = template.Must(template.New("docs").Parse(`<!doctype html><html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title><link rel="stylesheet" href="/static/app.css"></head><body><main class="container">
<h1>{{.Title}}</h1><p class="lead">{{.Intro}}</p><p><a class="button" href="/api/v1/openapi.json">OpenAPI 3.1 (JSON)</a></p>
{{range .Groups}}<h2>{{.Tag}}</h2><div class="table-wrap"><table><thead><tr><th scope="col">{{$.Method}}</th><th scope="col">{{$.Path}}</th><th scope="col">{{$.Summary}}</th><th scope="col">{{$.Access}}</th></tr></thead><tbody>
{{range .Ops}}<tr><td><code>{{.Method}}</code></td><td><code>{{.Path}}</code></td><td>{{.Summary}}</td><td>{{if .Public}}{{$.Open}}{{else}}{{$.Protected}}{{end}}</td></tr>{{end}}
</tbody></table></div>{{end}}</main></body></html>`))

func (s *served) servePortal(c *fiber.Ctx) error {
	if err := s.build(); err != nil {
		return err
	}
	l := httpx.Loc(c)
	c.Type("html", "utf-8")
	return portal.Execute(c.Response().BodyWriter(), map[string]any{"Lang": l.Lang, "Title": l.T("DocsTitle"), "Intro": l.T("DocsIntro"), "Groups": s.groups,
		"Method": l.T("DocsMethod"), "Path": l.T("DocsPath"), "Summary": l.T("DocsSummary"), "Access": l.T("DocsAccess"), "Open": l.T("DocsOpen"), "Protected": l.T("DocsProtected")})
}
