package tests

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/masseflyt/masseflyt/admin"
	"github.com/masseflyt/masseflyt/apidoc"
	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/stats"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/tenants"
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

// wireTypes are the Go types sent or decoded for the document's schemas.
// Response schemas must name exactly the type's JSON fields and require
// exactly those always sent (no omitempty); input schemas must name exactly
// the fields the API decodes (a patch form may leave some out).
var (
	responseTypes = map[string]any{
		"Problem": httpx.Problem{}, "TenantSummary": app.TenantSummary{}, "User": auth.User{}, "Me": app.Me{}, "Token": auth.Token{},
		"Organization": directory.Organization{}, "OrganizationPage": httpx.Page[directory.Organization]{}, "Site": directory.Site{}, "Permit": directory.Permit{},
		"Contact": directory.Contact{}, "Vehicle": directory.Vehicle{}, "Membership": directory.Membership{}, "RegistryUnit": directory.RegistryUnit{},
		"Settings": admin.SettingsView{}, "Rule": tenants.Rule{}, "Assignment": admin.AssignmentView{},
		"Listing": market.Listing{}, "ListingPublic": market.PublicView{}, "Area": market.AreaPoint{}, "FeedItem": market.FeedItem{}, "Feed": market.Feed{},
		"Stats": stats.Stats{}, "FractionStats": stats.Fraction{}, "Sample": market.Sample{}, "Document": market.Document{}, "Notification": matching.Notification{},
		"PlanLine": market.PlanLine{}, "PlanTotal": market.PlanTotal{}, "Plan": market.Plan{},
		"Match": matching.Match{}, "Baseline": matching.Baseline{}, "MatchLeg": matching.Leg{},
	}
	inputTypes = map[string]any{
		"TokenInput": app.TokenInput{}, "OrganizationInput": directory.OrgInput{}, "OrganizationPatch": directory.OrgInput{}, "SiteInput": directory.SiteInput{}, "SitePatch": directory.SiteInput{},
		"PermitInput": directory.PermitInput{}, "ContactInput": directory.ContactInput{}, "ContactPatch": directory.ContactInput{}, "VehicleInput": directory.VehicleInput{},
		"MembershipInput": directory.MembershipInput{}, "SettingsInput": admin.Settings{}, "RuleInput": tenants.Rule{}, "AssignmentInput": admin.AssignmentInput{},
		"TenantInput": admin.TenantInput{}, "ListingInput": market.ListingInput{}, "ListingPatch": market.ListingInput{}, "SampleInput": market.SampleInput{},
		"LabValue": reflect.New(reflect.TypeOf(market.SampleInput{}.Values).Elem()).Elem().Interface(), "PlanInput": market.PlanInput{}, "PlanLineInput": market.PlanLineInput{},
	}
	// Schemas with no Go type of their own, and why.
	untyped = map[string]string{
		"ListingView": "oneOf Listing, ListingPublic", "TokenCreated": "fiber.Map{token, secret}", "MatchList": "fiber.Map{items, factor_set, router}",
		"FeatureCollection": "rendered by hand (market/geojson.go, directory.Feature)", "Decision": "an anonymous struct{role}",
		"DocumentUpload": "multipart form", "LabFileUpload": "multipart form",
	}
	// Fields a patch form leaves out on purpose.
	patchOmits = map[string][]string{"ContactPatch": {"site_id"}}
)

type wireField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

// wireFields lists a struct's JSON fields as encoding/json sends them.
func wireFields(t reflect.Type) []wireField {
	var out []wireField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, wireFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, wireField{name: name, omitempty: strings.Contains(","+opts+",", ",omitempty,"), typ: f.Type})
	}
	return out
}

// jsonType is the JSON Schema type of a Go type ("" when not checked).
func jsonType(t reflect.Type) string {
	if t == reflect.TypeOf(time.Time{}) {
		return "string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonType(t.Elem())
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// TestOpenAPISchemasMatchGoTypes checks the document's field names, required
// lists and types against the Go types on the wire, until the document is
// generated from them.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc, err := apitest.Contract()
	if err != nil {
		t.Fatal(err)
	}
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		goVal, isResp := responseTypes[name]
		if !isResp {
			goVal = inputTypes[name]
		}
		if goVal == nil {
			if untyped[name] == "" && !strings.HasSuffix(name, "List") {
				t.Errorf("schema %s: no Go type is mapped to it (responseTypes, inputTypes or untyped)", name)
			}
			continue
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("schema %s is open; the document names every field (additionalProperties: false)", name)
		}
		want := map[string]wireField{}
		for _, f := range wireFields(reflect.TypeOf(goVal)) {
			want[f.name] = f
		}
		for _, omit := range patchOmits[name] {
			delete(want, omit)
		}
		for prop, ps := range s.Properties {
			f, ok := want[prop]
			if !ok {
				t.Errorf("schema %s: property %q is not a JSON field of %T", name, prop, goVal)
				continue
			}
			if ps.Value == nil || ps.Value.Type == nil || len(ps.Value.Type.Slice()) == 0 {
				continue // a $ref or a combinator
			}
			if jt := jsonType(f.typ); jt != "" && !ps.Value.Type.Includes(jt) {
				t.Errorf("schema %s: property %q is %v, but %T sends %s", name, prop, ps.Value.Type.Slice(), goVal, jt)
			}
			nullable := isResp && !f.omitempty && (f.typ.Kind() == reflect.Pointer || f.typ.Kind() == reflect.Slice || f.typ.Kind() == reflect.Map) && ps.Value.Type.Includes("null")
			if ps.Value.Type.Includes("null") && !nullable && isResp {
				t.Errorf("schema %s: property %q may be null, but %T never sends null", name, prop, goVal)
			}
		}
		for field := range want {
			if _, ok := s.Properties[field]; !ok {
				t.Errorf("schema %s: %T has the JSON field %q, which the document does not name", name, goVal, field)
			}
		}
		if !isResp {
			continue
		}
		required := map[string]bool{}
		for _, r := range s.Required {
			required[r] = true
		}
		for field, f := range want {
			switch {
			case f.omitempty && required[field]:
				t.Errorf("schema %s: %q is required, but %T omits it when empty", name, field, goVal)
			case !f.omitempty && !required[field]:
				t.Errorf("schema %s: %q is always sent by %T; mark it required", name, field, goVal)
			}
		}
	}
}
