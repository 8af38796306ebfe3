package oas

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/apidoc/oas/internal/other"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/route"
)

// A small API: nested structs, generics, pointers, omitempty, embedding.
type (
	Base struct {
		ID      string    `json:"id"`
		Created time.Time `json:"created_at"`
	}
	Audit struct {
		By string `json:"by"`
	}
	Part struct {
		Name string `json:"name"`
	}
	Widget struct {
		Base
		*Audit
		Title    string            `json:"title"`
		Note     string            `json:"note,omitempty"`
		Price    *float64          `json:"price"`
		Discount *float64          `json:"discount,omitempty"`
		Parts    []Part            `json:"parts"`
		Tags     []string          `json:"tags"`
		Attrs    map[string]int    `json:"attrs"`
		Blob     []byte            `json:"blob,omitempty"`
		Raw      json.RawMessage   `json:"raw,omitempty"`
		Extra    any               `json:"extra"`
		Count    int64             `json:"count,string"`
		Secret   string            `json:"-"`
		Plain    bool              // untagged: by its Go name
		Made     time.Time         `json:"made,omitempty"` // a struct is never empty
		Seen     *time.Time        `json:"seen,omitempty"`
		Other    other.Widget      `json:"other"`
		Labels   map[string]string `json:"labels,omitempty"`
		hidden   int
	}
	WidgetInput struct {
		Title  *string  `json:"title"`
		Parts  []Part   `json:"parts"`
		Owner  string   `json:"owner"`
		Amount *float64 `json:"amount"`
	}
	WidgetQuery struct {
		Kind string `query:"kind" doc:"Kind of widget"`
		Min  int    `query:"min"`
	}
	Upload struct {
		File []byte `form:"file" doc:"The file"`
		Kind string `form:"kind"`
	}
	TokenBox struct {
		Token *Gadget `json:"token"`
	}
	Gadget struct {
		Serial string `json:"serial"`
	}
	// View is a widget or a gadget.
	View   struct{}
	Result struct {
		page.Page[Widget]
		Engine string `json:"engine"`
	}
)

func (View) OneOf() []any { return []any{Widget{}, Gadget{}} }

var _ = Widget{}.hidden

func table() []route.Entry {
	h := func(c *fiber.Ctx) error { return nil }
	return route.Entries(route.Table{Surface: "api", Groups: []route.Group{
		{Prefix: "/api/v1", Routes: []route.Route{
			{Method: "GET", Path: "/widgets", Perm: access.Anyone, Handler: h,
				Doc: &route.Doc{ID: "listWidgets", Summary: "Widgets", Tag: "W", Query: WidgetQuery{}, Page: page.Bounds{Default: 20, Max: 100}, Out: page.Page[Widget]{}}},
			{Method: "GET", Path: "/results", Perm: access.Anyone, Handler: h,
				Doc: &route.Doc{ID: "results", Summary: "Results", Tag: "W", Page: page.Bounds{Default: 5, Max: 10}, Out: Result{}}},
		}},
		{Prefix: "/api/v1/tenants/:tenant", Routes: []route.Route{
			{Method: "POST", Path: "/widgets", Perm: access.ListingsCreate, Handler: h,
				Doc: &route.Doc{ID: "createWidget", Summary: "Create", Tag: "W", In: WidgetInput{}, Status: 201, Out: Widget{},
					Example: map[string]any{"title": "A", "owner": "o", "parts": []any{map[string]any{"name": "p"}}}}},
			{Method: "PATCH", Path: "/widgets/:id", Perm: access.ListingsUpdate, Handler: h,
				Doc: &route.Doc{ID: "updateWidget", Summary: "Edit", Tag: "W", In: WidgetInput{}, Out: Widget{}, Errors: []int{409}}},
			{Method: "GET", Path: "/views/:id", Perm: access.ListingsRead, Handler: h,
				Doc: &route.Doc{ID: "getView", Summary: "A view", Tag: "V", Out: View{}}},
			{Method: "POST", Path: "/widgets/:id/files", Perm: access.ListingsUpdate, Handler: h,
				Doc: &route.Doc{ID: "upload", Summary: "Upload", Tag: "W", Upload: Upload{}, Status: 204}},
			{Method: "GET", Path: "/widgets/:id/file", Perm: access.ListingsRead, Handler: h,
				Doc: &route.Doc{ID: "file", Summary: "File", Tag: "W", Files: []string{"application/pdf"}}},
			{Method: "GET", Path: "/box", Perm: access.ListingsRead, Handler: h,
				Doc: &route.Doc{ID: "box", Summary: "Box", Tag: "W", Out: TokenBox{}}},
			{Method: "GET", Path: "/others", Perm: access.ListingsRead, Handler: h,
				Doc: &route.Doc{ID: "others", Summary: "Others", Tag: "W", Out: []other.Widget{}}},
		}},
	}})
}

func config(notes map[string]Note) Config {
	return Config{
		Info:            m{"title": "Test", "version": "1"},
		Security:        []any{m{"bearer": []string{}}},
		SecuritySchemes: m{"bearer": m{"type": "http", "scheme": "bearer"}},
		Public:          func(p access.Permission) bool { return p == access.Anyone || p == access.ListingsRead },
		PublicSecurity:  []any{m{}, m{"bearer": []string{}}},
		Authenticated:   []string{"/api/v1/tenants/{tenant}"},
		PathParams:      map[string]string{"id": "Resource ID"},
		Errors: map[int]ErrorResponse{400: {"BadRequest", "x"}, 401: {"Unauthorized", "x"}, 403: {"Forbidden", "x"}, 404: {"NotFound", "x"}, 409: {"Conflict", "x"},
			413: {"TooLarge", "x"}, 415: {"Unsupported", "x"}, 422: {"Invalid", "x"}, 429: {"TooMany", "x"}, 500: {"Internal", "x"}, 503: {"Unavailable", "x"}},
		Problem: Problem{},
		Notes:   notes,
	}
}

// Problem is the error body.
type Problem struct {
	Type   string `json:"type"`
	Status int    `json:"status"`
}

var testNotes = map[string]Note{
	"oas.Widget":            {Description: "A widget"},
	"oas.Widget.title":      {Description: "Its title", MinLength: 1},
	"oas.Widget.tags":       {Null: true, Enum: []string{"a", "b"}},
	"WidgetInput":           {Extra: m{"dependentRequired": m{"amount": []string{"owner"}}}, PatchDescription: "Only what is sent changes"},
	"WidgetInput.title":     {Required: true, MaxLength: 10},
	"WidgetInput.owner":     {Required: true, CreateOnly: true},
	"WidgetInput.amount":    {Minimum: 0},
	"WidgetQuery.kind":      {Enum: []string{"big", "small"}},
	"Upload.file":           {Required: true},
	"oas.Part.name":         {Required: true, Description: "Part name"},
	"View":                  {Description: "A widget or a gadget"},
	"other.Widget.label":    {Description: "Label"},
	"WidgetQuery.min":       {Minimum: 0},
	"Result.engine":         {Description: "The engine"},
	"Result.next_cursor":    {Description: "Cursor"},
	"oas.Widget.Plain":      {Description: "Untagged"},
	"oas.Widget.labels":     {Description: "Labels"},
	"oas.Widget.by":         {Description: "Promoted through a pointer"},
	"oas.Widget.created_at": {Description: "Promoted"},
	"WidgetInput.parts":     {MinItems: 1},
	"oas.Widget.count":      {Description: "Quoted"},
	"WidgetQuery":           {Description: "unused but known"},
	"oas.Widget.attrs":      {Minimum: 0},
	"oas.Widget.blob":       {Description: "Bytes"},
	"oas.Widget.raw":        {Description: "Raw"},
	"oas.Widget.extra":      {Description: "Anything"},
	"oas.Widget.made":       {Description: "Made"},
	"oas.Widget.price":      {Minimum: 0},
	"oas.Widget.discount":   {Minimum: 0},
	"oas.Widget.note":       {Description: "Note"},
	"oas.Widget.id":         {Description: "ID"},
	"oas.Widget.parts":      {Description: "Parts"},
	"oas.Widget.other":      {Description: "Another package's widget"},
	"Upload.kind":           {Enum: []string{"a"}},
	"oas.Part":              {Description: "A part"},
	"TokenBox.token":        {Description: "The gadget"},
	"Gadget.serial":         {Description: "Serial"},
	"Result":                {Description: "A page of results"},
	"WidgetPage":            {Description: "A page of widgets"},
	"Page.next_cursor":      {Description: "The next page's cursor"},
	"WidgetInput.amount2":   {}, // removed below: must fail the drift check
}

func build(t *testing.T) (Document, *openapi3.T) {
	t.Helper()
	notes := map[string]Note{}
	for k, v := range testNotes {
		if k != "WidgetInput.amount2" {
			notes[k] = v
		}
	}
	doc, err := Build(table(), config(notes))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := loaded.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v\n%s", err, b)
	}
	return doc, loaded
}

func schemaJSON(t *testing.T, doc Document, name string) string {
	t.Helper()
	s, ok := doc["components"].(m)["schemas"].(m)[name]
	if !ok {
		var names []string
		for n := range doc["components"].(m)["schemas"].(m) {
			names = append(names, n)
		}
		t.Fatalf("no schema %s; have %v", name, names)
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func TestSchemas(t *testing.T) {
	doc, _ := build(t)
	w := schemaJSON(t, doc, "OasWidget")
	for _, want := range []string{
		`"required":["id","created_at","title","price","parts","tags","attrs","extra","count","Plain","made","other"]`, // by omitempty; not through *Audit
		`"price":{"minimum":0,"type":["number","null"]}`,                                                               // a pointer may be null
		`"discount":{"minimum":0,"type":"number"}`,                                                                     // unless omitted when nil
		`"parts":{"description":"Parts","items":{"$ref":"#/components/schemas/Part"},"type":"array"}`,
		`"tags":{"items":{"enum":["a","b"],"type":"string"},"type":["array","null"]}`, // Null: true; the enum on the items
		`"attrs":{"additionalProperties":{"minimum":0,"type":"integer"},"type":"object"}`,
		`"blob":{"contentEncoding":"base64","description":"Bytes","type":"string"}`,
		`"raw":{"description":"Raw"}`, `"extra":{"description":"Anything","type":["array","boolean","null","number","object","string"]}`,
		`"count":{"description":"Quoted","type":"string"}`, `"made":{"description":"Made","format":"date-time","type":"string"}`,
		`"by":{"description":"Promoted through a pointer","type":"string"}`,
		`"seen":{"format":"date-time","type":"string"}`, // *time.Time is a time, not a json.Marshaler
		`"other":{"$ref":"#/components/schemas/OtherWidget"`, `"additionalProperties":false`, `"description":"A widget"`,
	} {
		if !strings.Contains(w, want) {
			t.Errorf("Widget lacks %s:\n%s", want, w)
		}
	}
	for _, no := range []string{`"Secret"`, `"hidden"`, `"Audit"`, `"Base"`} {
		if strings.Contains(w, no) {
			t.Errorf("Widget has %s:\n%s", no, w)
		}
	}
	for name, want := range map[string]string{
		"WidgetPage":  `"description":"A page of widgets","properties":{"items":{"items":{"$ref":"#/components/schemas/OasWidget"},"type":"array"},"next_cursor":{"description":"The next page's cursor","type":"string"}},"required":["items"]`,
		"Result":      `"next_cursor":{"description":"Cursor","type":"string"}`,
		"OtherWidget": `"label":{"description":"Label","type":"string"}`,
		"TokenBox":    `"token":{"anyOf":[{"$ref":"#/components/schemas/Gadget"},{"type":"null"}],"description":"The gadget"}`,
		"WidgetInput": `"required":["title","owner"]`,
		"WidgetPatch": `"description":"Only what is sent changes"`,
		"PartInput":   `"required":["name"]`,
		"View":        `"oneOf":[{"$ref":"#/components/schemas/OasWidget"},{"$ref":"#/components/schemas/Gadget"}]`,
		"Upload":      `"file":{"contentMediaType":"application/octet-stream","description":"The file","type":"string"}`,
	} {
		if s := schemaJSON(t, doc, name); !strings.Contains(s, want) {
			t.Errorf("%s lacks %s:\n%s", name, want, s)
		}
	}
	in := schemaJSON(t, doc, "WidgetInput")
	if !strings.Contains(in, `"title":{"maxLength":10,"type":"string"}`) || !strings.Contains(in, `"dependentRequired"`) {
		t.Errorf("WidgetInput: an input pointer is not null, notes apply: %s", in)
	}
	p := schemaJSON(t, doc, "WidgetPatch")
	if strings.Contains(p, `"required"`) || strings.Contains(p, `"owner"`) || strings.Contains(p, "dependentRequired") {
		t.Errorf("WidgetPatch requires nothing and leaves create-only fields out: %s", p)
	}
}

func TestOperations(t *testing.T) {
	doc, loaded := build(t)
	list := loaded.Paths.Find("/api/v1/widgets").Get
	if list.Extensions["x-permission"] != "anyone:any" || list.Security == nil || len(*list.Security) != 2 {
		t.Errorf("listWidgets: x-permission %v, security %v", list.Extensions["x-permission"], list.Security)
	}
	var names []string
	for _, p := range list.Parameters {
		names = append(names, p.Value.Name)
	}
	if strings.Join(names, ",") != "kind,min,limit,cursor" {
		t.Errorf("listWidgets parameters %v", names)
	}
	lim := list.Parameters.GetByInAndName("query", "limit").Schema.Value
	if *lim.Max != 100 || *lim.Min != 1 || lim.Default != float64(20) {
		t.Errorf("limit: %+v", lim)
	}
	if k := list.Parameters.GetByInAndName("query", "kind"); k.Description != "Kind of widget" || len(k.Schema.Value.Enum) != 2 {
		t.Errorf("kind: %+v", k)
	}
	create := loaded.Paths.Find("/api/v1/tenants/{tenant}/widgets").Post
	if create.Extensions["x-permission"] != "listings:create" || create.Security != nil {
		t.Errorf("createWidget: %v %v", create.Extensions["x-permission"], create.Security)
	}
	want := map[string][]string{
		"listWidgets":  {"200", "304", "422", "429", "500"},
		"createWidget": {"201", "400", "401", "403", "404", "413", "415", "422", "429", "500", "503"},
		"updateWidget": {"200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "503"},
		"upload":       {"204", "400", "401", "403", "404", "413", "415", "422", "429", "500", "503"},
	}
	for path, item := range loaded.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Extensions["x-permission"] == nil {
				t.Errorf("%s %s has no x-permission", method, path)
			}
			if w, ok := want[op.OperationID]; ok {
				var got []string
				for st := range op.Responses.Map() {
					got = append(got, st)
				}
				if strings.Join(sorted(got), ",") != strings.Join(w, ",") {
					t.Errorf("%s answers %v, want %v", op.OperationID, sorted(got), w)
				}
			}
		}
	}
	if r := loaded.Paths.Find("/api/v1/tenants/{tenant}/widgets/{id}/files").Post.Responses.Status(204); r.Value.Content != nil {
		t.Errorf("204 has content")
	}
	if doc["paths"].(m)["/api/v1/tenants/{tenant}/others"].(m)["get"].(m)["responses"].(m)["200"].(m)["content"].(m)["application/json"].(m)["schema"].(m)["items"] == nil {
		t.Errorf("a list Out is an inline array")
	}
}

// TestValuesValidate encodes Go values with encoding/json and validates
// them against the generated response schemas: empty, full, with nils.
func TestValuesValidate(t *testing.T) {
	_, loaded := build(t)
	price := 3.5
	full := Widget{Base: Base{ID: "w"}, Audit: &Audit{By: "me"}, Title: "t", Note: "n", Price: &price, Discount: &price, Parts: []Part{{"p"}}, Tags: []string{"a"},
		Attrs: map[string]int{"x": 1}, Blob: []byte("hi"), Raw: json.RawMessage(`{"a":[1]}`), Extra: []any{1, "x"}, Count: 7, Labels: map[string]string{"a": "b"}}
	empty := Widget{Title: "t", Parts: []Part{}, Attrs: map[string]int{}}
	cases := map[string]struct {
		schema string
		v      any
		ok     bool
	}{
		"full":           {"OasWidget", full, true},
		"empty":          {"OasWidget", empty, true},
		"nil tags":       {"OasWidget", Widget{Title: "t", Parts: []Part{}, Attrs: map[string]int{}}, true},
		"nil parts":      {"OasWidget", Widget{Title: "t", Attrs: map[string]int{}}, false}, // a list is never null unless noted
		"page":           {"WidgetPage", page.Page[Widget]{Items: []Widget{full}, NextCursor: "c"}, true},
		"result":         {"Result", Result{Page: page.Page[Widget]{Items: []Widget{}}, Engine: "e"}, true},
		"view: widget":   {"View", full, true},
		"view: gadget":   {"View", Gadget{Serial: "s"}, true},
		"view: neither":  {"View", Part{Name: "x"}, false},
		"a wrong enum":   {"OasWidget", Widget{Title: "t", Parts: []Part{}, Attrs: map[string]int{}, Tags: []string{"c"}}, false},
		"an empty title": {"WidgetInput", map[string]any{"title": "", "owner": "o"}, true},
	}
	for name, c := range cases {
		b, _ := json.Marshal(c.v)
		var v any
		_ = json.Unmarshal(b, &v)
		err := loaded.Components.Schemas[c.schema].Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse())
		if (err == nil) != c.ok {
			t.Errorf("%s: %s valid=%v, want %v: %v", name, b, err == nil, c.ok, err)
		}
	}
}

func TestNotesCannotDrift(t *testing.T) {
	for _, bad := range []string{"Nothing", "oas.Widget.nothing", "WidgetInput.amount2", "oas.Widget.Secret", "Widget.title", "WidgetQuery.max"} {
		notes := map[string]Note{bad: {Description: "x"}}
		_, err := Build(table(), config(notes))
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("note %q: want an error naming it, got %v", bad, err)
		}
	}
	e := table()
	for i := range e {
		if e[i].Doc != nil && e[i].Doc.ID == "getView" {
			e[i].Doc.Out = nil
		}
	}
	if _, err := Build(e, config(nil)); err == nil || !strings.Contains(err.Error(), "neither Out nor Files") {
		t.Errorf("a 200 without a body: %v", err)
	}
	e = table()
	e[0].Doc = nil
	if _, err := Build(e, config(nil)); err == nil || !strings.Contains(err.Error(), "has no Doc") {
		t.Errorf("a route without Doc: %v", err)
	}
}

func sorted(l []string) []string {
	out := append([]string{}, l...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
