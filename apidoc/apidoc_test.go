package apidoc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/apidoc/oas"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/route"
)

func TestPublic(t *testing.T) {
	for p, want := range map[access.Permission]bool{access.Anyone: true, access.ListingsRead: true, access.DirectoryRead: true, access.TenantRead: true,
		access.StatisticsRead: true, access.LiveView: true, access.ListingsCreate: false, access.MeRead: false, access.PlatformAdmin: false} {
		if Public(p) != want {
			t.Errorf("Public(%s) = %v, want %v", p, !want, want)
		}
	}
}

// TestConfig builds a small table with Masseflyt's configuration (the
// app's own table is tested in tests/openapi_test.go): the problem schema,
// the shared error responses, who authenticates, public operations.
func TestConfig(t *testing.T) {
	h := func(*fiber.Ctx) error { return nil }
	type thing struct {
		ID string `json:"id"`
	}
	entries := route.Entries(route.Table{Surface: Surface, Groups: []route.Group{
		{Prefix: "/api/v1", Routes: []route.Route{{Method: "GET", Path: "/things", Perm: access.Anyone, Handler: h, Doc: &route.Doc{ID: "things", Tag: "X", Out: []thing{}}}}},
		{Prefix: "/api/v1/tenants/:tenant", Routes: []route.Route{{Method: "POST", Path: "/things", Perm: access.ListingsCreate, Handler: h,
			Doc: &route.Doc{ID: "addThing", Tag: "X", In: thing{}, Status: 201, Out: thing{}, Errors: []int{409}}}}},
	}}, route.Table{Surface: "ui", Groups: []route.Group{{Routes: []route.Route{{Method: "GET", Path: "/", Perm: access.Anyone, Handler: h}}}}})
	if len(Entries([]route.Table{{Surface: Surface}, {Surface: "ui", Groups: []route.Group{{Routes: []route.Route{{Method: "GET", Path: "/"}}}}}})) != 0 {
		t.Fatal("Entries must keep the API table's routes only")
	}
	cfg := Config()
	cfg.Notes = nil // they annotate the app's types
	var api []route.Entry
	for _, e := range entries {
		if e.Surface == Surface {
			api = append(api, e)
		}
	}
	doc, err := oas.Build(api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	s := string(b)
	for _, want := range []string{
		`"Problem":{"additionalProperties":false,`, `"required":["type","title","status"]`,
		`"ContentTooLarge":{"content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}`,
		`"409":{"$ref":"#/components/responses/Conflict"}`, `"401":{"$ref":"#/components/responses/Unauthorized"}`,
		`"security":[{},{"bearer":[]},{"session":[]}]`, `"x-permission":"listings:create"`,
		`"description":"Region slug (or use the region's own host)"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the document lacks %s", want)
		}
	}
	if strings.Count(s, `"security":[{}`) != 1 {
		t.Errorf("only the public operation is open")
	}
}

// TestNotesParse checks the notes' tables merge without a key twice.
func TestNotesParse(t *testing.T) {
	for k := range notes() {
		if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") {
			t.Errorf("note key %q", k)
		}
	}
}
