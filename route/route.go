// Package route declares each HTTP surface (the REST API, the UI, the
// widgets and public files) as one table: every route names its method,
// path, declared permission and handler, and API routes their request and
// response types. One middleware (Guard) enforces the declared permission
// through the request's actor, with Casbin as the engine; the OpenAPI
// document, the authorization matrix and the isolation walk are built from
// the same tables.
package route

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// Route is one entry of a surface's table.
type Route struct {
	Method string
	// Path is relative to the group's prefix, in Fiber syntax (/x/:id).
	Path string
	// Perm is what the route does to which object; access.Anyone for a
	// route open by design. A zero Perm is refused when mounted.
	Perm    access.Permission
	Handler fiber.Handler
	// Before runs ahead of the guard on this route alone (authentication
	// and CSRF for a page outside a group that has them).
	Before []fiber.Handler
	// BodyLimit is the largest request body the route takes, in bytes; 0 is
	// the deployment's default (MASSEFLYT_MAX_BODY). Upload routes set
	// theirs. The limit is checked on Content-Length after the guard,
	// before any of the body is read.
	BodyLimit int64
	// Doc describes an API operation (nil outside the API surface).
	Doc *Doc
}

// Doc is an API operation's contract: the OpenAPI document is generated from
// it and the Go types it names.
type Doc struct {
	ID, Summary, Tag string
	// Query is a struct whose `query` tags name the query parameters.
	Query any
	// Page marks a paginated list (limit and cursor; core/page) with its
	// page-size bounds.
	Page page.Bounds
	// In is the JSON request body (a value of its Go type); InOptional
	// accepts an empty body.
	In         any
	InOptional bool
	// Upload is a multipart/form-data body (a struct whose `form` tags name
	// its fields); RawBody a raw body's media type.
	Upload  any
	RawBody string
	// Out is the JSON response (a value of its Go type); OutType its media
	// type when not application/json; Files the media types of a file
	// response.
	Out     any
	OutType string
	Files   []string
	// Status is the success status (200 when zero).
	Status int
	// Errors lists statuses beyond those every operation may answer.
	Errors  []int
	Example any
}

// Group is routes under one prefix sharing middleware (tenant resolution,
// authentication, rate limits, CSRF).
type Group struct {
	Prefix string
	Use    []fiber.Handler
	// Check runs on each route after the guard and the body limit, before
	// the handler: checks that read the body (the UI's CSRF form field), so
	// that an unauthorized or oversized request is refused unread.
	Check  []fiber.Handler
	Routes []Route
}

// Table is one surface's routes.
type Table struct {
	Surface string
	Groups  []Group
}

// Entry is a route with its full path, for walking a table.
type Entry struct {
	Route
	Surface, FullPath string
}

// Entries lists every route of the tables with its full path.
func Entries(tables ...Table) []Entry {
	var out []Entry
	for _, t := range tables {
		for _, g := range t.Groups {
			for _, r := range g.Routes {
				out = append(out, Entry{Route: r, Surface: t.Surface, FullPath: join(g.Prefix, r.Path)})
			}
		}
	}
	return out
}

func join(prefix, path string) string {
	if path == "/" && prefix != "" {
		return prefix + "/"
	}
	return strings.TrimSuffix(prefix, "/") + path
}

// Check returns an error for a route without a declared permission, with a
// permission outside the catalogue, or declared twice.
func Check(tables ...Table) error {
	seen := map[string]bool{}
	for _, e := range Entries(tables...) {
		key := e.Method + " " + e.FullPath
		switch {
		case e.Perm == (access.Permission{}):
			return fmt.Errorf("route %s (%s) declares no permission", key, e.Surface)
		case e.Perm != access.Anyone && !access.Known(e.Perm):
			return fmt.Errorf("route %s declares %s, which is not in the permission catalogue", key, e.Perm)
		case e.Handler == nil:
			return fmt.Errorf("route %s has no handler", key)
		case seen[key]:
			return fmt.Errorf("route %s is declared twice", key)
		}
		seen[key] = true
	}
	return nil
}

// Mount registers the tables on f, each route behind Guard. It panics on a
// table Check refuses: a route without a permission must not be served.
func Mount(f *fiber.App, tables ...Table) {
	if err := Check(tables...); err != nil {
		panic(err)
	}
	for _, t := range tables {
		for _, g := range t.Groups {
			r := fiber.Router(f)
			if g.Prefix != "" || len(g.Use) > 0 {
				r = f.Group(g.Prefix, g.Use...)
			}
			for _, rt := range g.Routes {
				hs := append(append([]fiber.Handler{}, rt.Before...), Guard(rt.Perm), httpx.LimitBody(rt.BodyLimit))
				hs = append(append(hs, g.Check...), rt.Handler)
				r.Add(rt.Method, rt.Path, hs...)
			}
		}
	}
}

// Guard enforces a declared permission for the request's actor: API tokens
// by their scopes, a second factor where only an admin role grants it, the
// tenant's own allow and deny rules.
func Guard(p access.Permission) fiber.Handler {
	if p == access.Anyone {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return func(c *fiber.Ctx) error {
		if err := request.Authorize(c, p.Object, p.Action); err != nil {
			return err
		}
		return c.Next()
	}
}
