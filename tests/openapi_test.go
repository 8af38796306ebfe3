package tests

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

var paramRe = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPIDocument validates the document and its examples, and checks it
// describes exactly the registered /api/v1 routes.
func TestOpenAPIDocument(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(apidoc.JSON())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v", err)
	}

	e := apitest.New(t, "sqlite")
	registered := map[string]bool{}
	for _, r := range e.App.Fiber.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1") || r.Method == "HEAD" || r.Method == "USE" || strings.Contains(r.Path, "*") {
			continue
		}
		p := strings.TrimSuffix(paramRe.ReplaceAllString(r.Path, "{$1}"), "/")
		key := r.Method + " " + p
		registered[key] = true
		item := doc.Paths.Find(p)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !registered[method+" "+path] {
				t.Errorf("the document describes %s %s, which is not registered", method, path)
			}
		}
	}
	if len(registered) < 40 {
		t.Fatalf("only %d API routes registered; the route walk is broken", len(registered))
	}
}

// TestOpenAPIServed checks the document and portal are served.
func TestOpenAPIServed(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do(apitest.Request{Path: "/api/v1/openapi.json"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"openapi": "3.1.0"`) {
		t.Fatalf("openapi.json: %d", r.Status)
	}
	r = e.Do(apitest.Request{Path: "/api/v1/docs", Header: map[string]string{"Accept-Language": "en"}})
	if r.Status != 200 || !strings.Contains(string(r.Body), "developer portal") || !strings.Contains(string(r.Body), "/api/v1/tenants/{tenant}/organizations") {
		t.Fatalf("docs: %d %s", r.Status, r.Body[:200])
	}
}
