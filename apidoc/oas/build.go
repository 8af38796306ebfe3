// Package oas generates an OpenAPI 3.1 document from route tables: the
// operations from each route's Doc, the schemas by reflection from the Go
// types it names (as encoding/json sends them), with the descriptions,
// enums and bounds reflection cannot see from a table of notes. It knows no
// domain; package apidoc configures it for Masseflyt.
package oas

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/route"
)

// Document is an OpenAPI document as JSON values.
type Document = map[string]any

// ErrorResponse is a shared error response (components/responses).
type ErrorResponse struct{ Name, Description string }

// Config is what a document says beyond its routes.
type Config struct {
	// Info, Servers and Security are the document's own; Tags lists tags in
	// order (tags the routes use beyond them follow in order of use).
	Info            m
	Servers         []any
	Security        []any
	SecuritySchemes m
	Tags            []string
	// Public reports whether a permission is granted to anonymous callers:
	// such operations get PublicSecurity (which should allow no credential).
	Public         func(access.Permission) bool
	PublicSecurity []any
	// Authenticated are path prefixes (OpenAPI syntax) whose operations
	// authenticate and authorize: 401, 403 and 503.
	Authenticated []string
	// PathParams describes path parameters by name.
	PathParams map[string]string
	// Errors are the error responses by status; Problem is their body.
	Errors  map[int]ErrorResponse
	Problem any
	// Notes annotate the types (see Note).
	Notes map[string]Note
}

var paramRe = regexp.MustCompile(`:([A-Za-z0-9_]+)(<[^>]*>)?\??`)

// Path converts a Fiber path to OpenAPI syntax (/x/:id → /x/{id}), without
// a trailing slash.
func Path(fiberPath string) string {
	p := paramRe.ReplaceAllString(fiberPath, "{$1}")
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// Build generates the document of the entries. Every entry must have a
// Doc; a note or an Out naming nothing, a type JSON cannot send, a
// duplicate operation or an undeclared error status is an error.
func Build(entries []route.Entry, cfg Config) (Document, error) {
	g := &gen{notes: newNotes(cfg.Notes), comps: map[compKey]*comp{}}
	var errs []error
	paths := m{}
	ids := map[string]string{}
	tags := append([]string{}, cfg.Tags...)
	for _, e := range entries {
		where := e.Method + " " + e.FullPath
		if e.Doc == nil {
			errs = append(errs, fmt.Errorf("%s has no Doc", where))
			continue
		}
		if prev, dup := ids[e.Doc.ID]; dup || e.Doc.ID == "" {
			errs = append(errs, fmt.Errorf("%s: operation ID %q is empty or also %s's", where, e.Doc.ID, prev))
		}
		ids[e.Doc.ID] = where
		if strings.Contains(e.FullPath, "*") || strings.Contains(e.FullPath, "+") {
			errs = append(errs, fmt.Errorf("%s: a wildcard path cannot be documented", where))
		}
		p := Path(e.FullPath)
		item, _ := paths[p].(m)
		if item == nil {
			item = m{}
			paths[p] = item
		}
		method := strings.ToLower(e.Method)
		if _, dup := item[method]; dup {
			errs = append(errs, fmt.Errorf("%s is declared twice", where))
		}
		op, err := operation(g, cfg, e, p)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		item[method] = op
		if !contains(tags, e.Doc.Tag) {
			tags = append(tags, e.Doc.Tag)
		}
	}
	var problem m
	if cfg.Problem != nil {
		problem = g.schema(reflect.TypeOf(cfg.Problem), out)
	}
	schemas := g.name()
	if problem != nil && problem["$ref"] != "#/components/schemas/Problem" {
		errs = append(errs, fmt.Errorf("the problem type is named %v, not Problem", problem["$ref"]))
	}
	errs = append(errs, g.errs...)
	errs = append(errs, g.notes.check()...)
	responses := m{"NotModified": m{"description": "Not modified: If-None-Match matched the ETag"}}
	for _, r := range cfg.Errors {
		responses[r.Name] = m{"description": r.Description, "content": m{"application/problem+json": m{"schema": ref("Problem")}}}
	}
	var tagList []any
	for _, t := range tags {
		tagList = append(tagList, m{"name": t})
	}
	doc := Document{
		"openapi":  "3.1.0",
		"info":     cfg.Info,
		"servers":  cfg.Servers,
		"security": cfg.Security,
		"tags":     tagList,
		"paths":    paths,
		"components": m{
			"schemas":         schemas,
			"responses":       responses,
			"securitySchemes": cfg.SecuritySchemes,
		},
	}
	return doc, errors.Join(errs...)
}

func ref(name string) m { return m{"$ref": "#/components/schemas/" + name} }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// operation renders one route.
func operation(g *gen, cfg Config, e route.Entry, path string) (m, error) {
	d := e.Doc
	var errs []error
	params := []any{}
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") {
			name := strings.Trim(seg, "{}")
			p := m{"name": name, "in": "path", "required": true, "schema": m{"type": "string"}}
			if desc := cfg.PathParams[name]; desc != "" {
				p["description"] = desc
			}
			params = append(params, p)
		}
	}
	query := queryParams(g, d)
	params = append(params, query...)
	op := m{"operationId": d.ID, "summary": d.Summary, "tags": []string{d.Tag}, "parameters": params, "x-permission": e.Perm.String()}
	if cfg.Public != nil && cfg.Public(e.Perm) {
		op["security"] = cfg.PublicSecurity
	}
	bodies := 0
	switch {
	case d.In != nil:
		bodies++
		md := in
		if e.Method == http.MethodPatch {
			md = patch
		}
		media := m{"schema": g.schema(reflect.TypeOf(d.In), md)}
		if d.Example != nil {
			media["example"] = d.Example
		}
		op["requestBody"] = m{"required": !d.InOptional, "content": m{"application/json": media}}
	case d.Example != nil:
		errs = append(errs, errors.New("an Example without a JSON body (In)"))
	}
	if d.Upload != nil {
		bodies++
		op["requestBody"] = m{"required": true, "content": m{"multipart/form-data": m{"schema": g.schema(reflect.TypeOf(d.Upload), form)}}}
	}
	if d.RawBody != "" {
		bodies++
		op["requestBody"] = m{"required": true, "content": m{d.RawBody: m{}}}
	}
	if bodies > 1 {
		errs = append(errs, errors.New("more than one of In, Upload and RawBody"))
	}
	status := d.Status
	if status == 0 {
		status = http.StatusOK
	}
	outV := d.Out
	success := m{"description": http.StatusText(status)}
	content := m{}
	if outV != nil {
		mt := d.OutType
		if mt == "" {
			mt = "application/json"
		}
		content[mt] = m{"schema": g.schema(reflect.TypeOf(outV), out)}
	}
	for _, mt := range d.Files {
		if _, dup := content[mt]; !dup {
			content[mt] = m{}
		}
	}
	switch {
	case status == http.StatusNoContent && len(content) > 0:
		errs = append(errs, errors.New("status 204 with a response body"))
	case status != http.StatusNoContent && len(content) == 0:
		errs = append(errs, fmt.Errorf("status %d with neither Out nor Files (an interface Out is nil: declare a type with OneOf, see Union)", status))
	case len(content) > 0:
		success["content"] = content
	}
	responses := m{strconv.Itoa(status): success}
	if e.Method == http.MethodGet {
		responses["304"] = m{"$ref": "#/components/responses/NotModified"}
	}
	for _, st := range errorStatuses(cfg, e, path, len(query) > 0, bodies > 0) {
		r, ok := cfg.Errors[st]
		if !ok {
			errs = append(errs, fmt.Errorf("error status %d has no shared response (Config.Errors)", st))
			continue
		}
		responses[strconv.Itoa(st)] = m{"$ref": "#/components/responses/" + r.Name}
	}
	op["responses"] = responses
	return op, errors.Join(errs...)
}

// queryParams lists the query parameters: the Query struct's, then limit
// and cursor of a paginated list.
func queryParams(g *gen, d *route.Doc) []any {
	var out []any
	seen := map[string]bool{}
	if d.Page.Max > 0 {
		seen["limit"], seen["cursor"] = true, true
	}
	if d.Query != nil {
		t := reflect.TypeOf(d.Query)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			g.errs = append(g.errs, fmt.Errorf("%s: Query is %s, not a struct", d.ID, t))
		} else {
			fs := fields(t, "query")
			names := make([]string, len(fs))
			for i, f := range fs {
				names[i] = f.name
			}
			g.notes.reach(t, names)
			for _, f := range fs {
				if seen[f.name] {
					continue
				}
				seen[f.name] = true
				s := g.schema(f.typ, in)
				nt := g.notes.of(t, f.name)
				desc := f.doc
				if nt.Description != "" {
					desc = nt.Description
				}
				nt.Description = ""
				nt.apply(s)
				p := m{"name": f.name, "in": "query", "required": nt.Required, "schema": s}
				if desc != "" {
					p["description"] = desc
				}
				out = append(out, p)
			}
		}
	}
	if b := d.Page; b.Max > 0 {
		out = append(out,
			m{"name": "limit", "in": "query", "required": false, "description": fmt.Sprintf("Page size, 1–%d (default %d)", b.Max, b.Default),
				"schema": m{"type": "integer", "minimum": 1, "maximum": b.Max, "default": b.Default}},
			m{"name": "cursor", "in": "query", "required": false, "description": "next_cursor of the previous page",
				"schema": m{"type": "string", "maxLength": 512}})
	}
	return out
}

// errorStatuses lists the error statuses an operation may answer: every
// operation may be rate-limited or fail; an authenticated one may be
// refused or find the identity provider down; a path parameter may name
// nothing; parameters and a body may be invalid (a body also malformed, too
// large or of the wrong type); Doc.Errors adds the rest.
func errorStatuses(cfg Config, e route.Entry, path string, query, body bool) []int {
	set := map[int]bool{429: true, 500: true}
	for _, p := range cfg.Authenticated {
		if path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/") {
			set[401], set[403], set[503] = true, true, true
		}
	}
	if strings.Contains(path, "{") {
		set[404] = true
	}
	if query {
		set[422] = true
	}
	if body {
		set[400], set[413], set[415], set[422] = true, true, true, true
	}
	for _, st := range e.Doc.Errors {
		set[st] = true
	}
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
	return out
}
