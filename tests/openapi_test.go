package tests

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

var paramRe = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPIDocument checks the document generated from the API table:
// it builds (no note names a type or field the table does not reach), loads
// and validates as OpenAPI 3.1 with its examples, and describes exactly the
// routes of the table, which are exactly the /api/v1 routes registered.
func TestOpenAPIDocument(t *testing.T) {
	e := apitest.New(t, "sqlite")
	entries := apidoc.Entries(e.App.Tables())
	raw, err := apidoc.JSON(entries)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v", err)
	}

	inTable := map[string]bool{}
	for _, en := range entries {
		key := en.Method + " " + oas.Path(en.FullPath)
		inTable[key] = true
		item := doc.Paths.Find(oas.Path(en.FullPath))
		if item == nil || item.GetOperation(en.Method) == nil {
			t.Errorf("route %s of the API table is not in the OpenAPI document", key)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !inTable[method+" "+path] {
				t.Errorf("the document describes %s %s, which is not in the API table", method, path)
			}
		}
	}
	registered := map[string]bool{}
	for _, r := range e.App.Fiber.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1") || r.Method == "HEAD" || r.Method == "USE" || strings.Contains(r.Path, "*") {
			continue
		}
		key := r.Method + " " + strings.TrimSuffix(paramRe.ReplaceAllString(r.Path, "{$1}"), "/")
		registered[key] = true
		if !inTable[key] {
			t.Errorf("route %s is registered outside the API table, so undocumented", key)
		}
	}
	for key := range inTable {
		if !registered[key] {
			t.Errorf("route %s of the API table is not registered", key)
		}
	}
	if len(registered) < 40 {
		t.Fatalf("only %d API routes registered; the route walk is broken", len(registered))
	}
}

// TestOpenAPIOperations checks each operation against its route: the
// declared permission (x-permission) and public access, pagination (limit
// and cursor, a page of items with next_cursor), and that each example
// validates against its request schema.
func TestOpenAPIOperations(t *testing.T) {
	e := apitest.New(t, "sqlite")
	doc, err := apitest.Contract(e.App)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range apidoc.Entries(e.App.Tables()) {
		where := en.Method + " " + en.FullPath
		op := doc.Paths.Find(oas.Path(en.FullPath)).GetOperation(en.Method)
		if got := op.Extensions["x-permission"]; got != en.Perm.String() {
			t.Errorf("%s: x-permission %v, want %s", where, got, en.Perm)
		}
		if open := op.Security != nil && len(*op.Security) > 0 && len((*op.Security)[0]) == 0; open != apidoc.Public(en.Perm) {
			t.Errorf("%s: open without credentials is %v; %s is public: %v", where, open, en.Perm, apidoc.Public(en.Perm))
		}
		if b := en.Doc.Page; b.Max > 0 {
			limit, cursor := op.Parameters.GetByInAndName("query", "limit"), op.Parameters.GetByInAndName("query", "cursor")
			if limit == nil || cursor == nil || limit.Schema.Value.Max == nil || *limit.Schema.Value.Max != float64(b.Max) {
				t.Errorf("%s: a paginated list without limit (maximum %d) and cursor", where, b.Max)
			}
			s := okSchema(op)
			if s == nil || s.Properties["items"] == nil || s.Properties["next_cursor"] == nil || !s.Properties["items"].Value.Type.Is("array") {
				t.Errorf("%s: a paginated list answers no page (items and next_cursor)", where)
			}
		}
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			continue
		}
		if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Example != nil {
			b, _ := json.Marshal(mt.Example)
			var v any
			_ = json.Unmarshal(b, &v)
			if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
				t.Errorf("%s: the example does not validate: %v", where, err)
			}
		}
	}
}

// okSchema is the schema of an operation's 2xx JSON answer.
func okSchema(op *openapi3.Operation) *openapi3.Schema {
	for st, r := range op.Responses.Map() {
		if strings.HasPrefix(st, "2") && r.Value != nil {
			for _, mt := range r.Value.Content {
				if mt.Schema != nil {
					return mt.Schema.Value
				}
			}
		}
	}
	return nil
}

// TestOpenAPIServed checks the document and portal are served, from the
// same table.
func TestOpenAPIServed(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do(apitest.Request{Path: "/api/v1/openapi.json"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"openapi": "3.1.0"`) || !strings.Contains(string(r.Body), `"x-permission": "listings:read"`) {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	r = e.Do(apitest.Request{Path: "/api/v1/docs", Header: map[string]string{"Accept-Language": "en"}})
	if r.Status != 200 || !strings.Contains(string(r.Body), "developer portal") || !strings.Contains(string(r.Body), "/api/v1/tenants/{tenant}/organizations") {
		t.Fatalf("docs: %d %s", r.Status, r.Body[:200])
	}
}
