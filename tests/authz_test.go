package tests

import (
	"bytes"
	"context"
	"flag"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/tenants"
	"github.com/masseflyt/masseflyt/widgets"
)

// The principals of the matrix, least privileged first.
var matrixRoles = []struct{ name, email string }{
	{"anonymous", ""},
	{"authenticated", pending}, // logged in, only a pending request
	{"member", member},         // member of Sandvika Bygg
	{"transporter", transporter},
	{"org_admin", orgAdmin}, // admin of Fornebu Anlegg
	{"supervisor", supervisor},
	{"tenant_admin", tenantAdmin},
	{"superadmin", platform},
}

// cell codes: o = allowed (2xx, or 303 after a UI form), d = denied (401/403,
// or a UI redirect to the login page), n = 404, c = 409, b = 400/422 (past
// authorization, refused as bad input).
type expectation struct {
	method, path string
	body         any
	cells        string // one code per matrixRoles entry
}

const png1x1 = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"

// A matrixPart is a feature's share of the matrix, kept in the feature's own
// file (authz_<feature>_test.go) and registered in init: its API and UI rows
// and the targets its rows name.
type matrixPart struct {
	api, ui func() []expectation
	targets func(e *apitest.Env, tg map[string]string)
}

var matrixParts []matrixPart

func apiMatrix() []expectation {
	var out []expectation
	for _, p := range matrixParts {
		if p.api != nil {
			out = append(out, p.api()...)
		}
	}
	return append(baseAPIMatrix(), out...)
}

func uiMatrix() []expectation {
	var out []expectation
	for _, p := range matrixParts {
		if p.ui != nil {
			out = append(out, p.ui()...)
		}
	}
	return append(baseUIMatrix(), out...)
}

func baseAPIMatrix() []expectation {
	T := "/api/v1/tenants/baerum"
	site := map[string]any{"kind": "project", "name": "Matrise", "phase": "idea", "lat": 59.9, "lon": 10.6}
	veh := map[string]any{"registration": "MX12345", "body_type": "tipper_4axle", "euro_class": "euro6", "fuel": "diesel", "payload_tonnes": 18}
	rule := map[string]any{"role": "transporter", "object": "vehicles", "action": "create", "effect": "deny"}
	listing := map[string]any{"kind": "surplus", "title": "M", "organization_id": "{org}", "fractions": []string{"sand"}, "quantity": 100, "unit": "t", "available_from": apitest.Month(2), "available_to": apitest.Month(7), "lat": 59.9, "lon": 10.6, "transport": "buyer_collects"}
	existing := map[string]any{"role": tenantRule.Role, "object": tenantRule.Object, "action": tenantRule.Action, "effect": tenantRule.Effect}
	//                                                   A U M T O S TA SA
	return []expectation{
		{"GET", "/api/v1/tenants", nil, "oooooooo"},
		{"GET", "/api/v1/openapi.json", nil, "oooooooo"},
		{"GET", "/api/v1/docs", nil, "oooooooo"},
		{"GET", T, nil, "oooooooo"},
		{"GET", T + "/logo", nil, "oooooooo"},
		{"GET", T + "/me", nil, "dooooooo"},
		{"GET", T + "/tokens", nil, "dooooooo"},
		{"POST", T + "/tokens", map[string]any{"name": "m", "scopes": []string{"read"}}, "dooooooo"},
		{"DELETE", T + "/tokens/{token}", nil, "dnnnonnn"},
		{"GET", T + "/organizations", nil, "oooooooo"},
		{"POST", T + "/organizations", map[string]any{"org_number": "974760673", "kinds": []string{"lab"}}, "doooodoo"},
		{"GET", T + "/organizations/{org}", nil, "oooooooo"},
		{"PATCH", T + "/organizations/{org}", map[string]any{"description": "m"}, "ddddodoo"},
		{"DELETE", T + "/organizations/{org}", nil, "ddddcdcc"}, // it has listings and documents: 409 without ?confirm=1 (L5)
		{"GET", T + "/organizations/{org}/sites", nil, "oooooooo"},
		{"POST", T + "/organizations/{org}/sites", site, "ddddodoo"},
		{"GET", T + "/organizations/{org}/contacts", nil, "dooooooo"},
		{"POST", T + "/organizations/{org}/contacts", map[string]any{"name": "Per"}, "ddddodoo"},
		{"GET", T + "/organizations/{torg}/vehicles", nil, "oooooooo"},
		{"POST", T + "/organizations/{torg}/vehicles", veh, "dddoddoo"},
		{"GET", T + "/organizations/{org}/memberships", nil, "ddddoooo"},
		{"POST", T + "/organizations/{org}/memberships", map[string]any{"role": "member"}, "doooc doo"},
		{"GET", T + "/sites", nil, "oooooooo"},
		{"GET", T + "/sites/{site}", nil, "oooooooo"},
		{"PATCH", T + "/sites/{site}", map[string]any{"description": "m"}, "ddddodoo"},
		{"DELETE", T + "/sites/{site}", nil, "ddddcdcc"}, // it has listings and documents: 409 without ?confirm=1 (L5)
		{"POST", T + "/sites/{site}/permits", map[string]any{"kind": "receiving", "authority": "Kommunen", "max_class": 1}, "ddddodoo"},
		{"DELETE", T + "/permits/{permit}", nil, "ddddddoo"},
		{"PATCH", T + "/contacts/{contact}", map[string]any{"title": "m"}, "ddddodoo"},
		{"DELETE", T + "/contacts/{contact}", nil, "ddddodoo"},
		{"POST", T + "/vehicles/{vehicle}/approve", nil, "dddoddoo"},
		{"POST", T + "/vehicles/{vehicle}/reject", nil, "dddoddoo"},
		{"PUT", T + "/vehicles/{vehicle}", veh, "dddoddoo"},
		{"DELETE", T + "/vehicles/{vehicle}", nil, "dddoddoo"},
		{"GET", T + "/memberships", nil, "dooooooo"},
		{"POST", T + "/memberships/{membership}/approve", nil, "ddddddoo"},
		{"POST", T + "/memberships/{membership}/reject", nil, "ddddddoo"},
		{"POST", T + "/memberships/{membership}/end", nil, "ddddddcc"}, // pending: only an approved one ends
		{"GET", T + "/registry/974760673", nil, "doooodoo"},
		{"GET", T + "/map.geojson", nil, "oooooooo"},
		{"GET", T + "/listings", nil, "oooooooo"},
		{"GET", T + "/listings.geojson", nil, "oooooooo"},
		{"POST", T + "/listings", listing, "ddddodoo"},
		{"GET", T + "/listings/{listing}", nil, "oooooooo"},
		{"GET", T + "/listings/{draft}", nil, "nnonnooo"},
		{"PATCH", T + "/listings/{listing}", map[string]any{"title": "Ny tittel"}, "ddddodoo"},
		{"POST", T + "/listings/{listing}/publish", nil, "ddddodoo"},
		{"POST", T + "/listings/{listing}/close", nil, "ddddodoo"},
		{"GET", T + "/listings/{listing}/samples", nil, "oooooooo"},
		{"POST", T + "/listings/{listing}/samples", map[string]any{"name": "PR", "values": []map[string]any{{"parameter": "as", "value": 3, "unit": "mg/kg"}}}, "ddddodoo"},
		{"GET", T + "/notifications", nil, "dooooooo"},
		{"POST", T + "/notifications/{notification}/read", nil, "dnnnonnn"},
		{"GET", T + "/sites/{site}/plan", nil, "ddddoooo"},
		{"PUT", T + "/sites/{site}/plan", map[string]any{"lines": []any{}}, "ddddodoo"},
		{"GET", T + "/sites/{site}/plan.pdf", nil, "ddddoooo"},
		{"GET", T + "/sites/{site}/plan.xlsx", nil, "ddddoooo"},
		{"POST", T + "/listings/{listing}/samples/import", nil, "ddddbdbb"},
		{"GET", T + "/listings/{listing}/documents", nil, "ddoooooo"},
		{"POST", T + "/listings/{listing}/documents", nil, "ddddbdbb"},
		{"GET", T + "/documents/{document}", nil, "ddoooooo"},
		{"DELETE", T + "/documents/{document}", nil, "ddddodoo"},
		{"GET", T + "/listings/{listing}/matches", nil, "ddddoooo"},
		{"POST", T + "/listings/{listing}/matches/{need}/dismiss", nil, "ddddodoo"},
		{"GET", T + "/admin/settings", nil, "ddddddoo"},
		{"PATCH", T + "/admin/settings", map[string]any{"short_name": "Bærum"}, "ddddddoo"},
		{"PUT", T + "/admin/logo", []byte(png1x1), "ddddddoo"},
		{"POST", T + "/admin/domains/verify", map[string]any{"domain": "ingen.krav.test"}, "ddddddnn"},
		{"GET", T + "/admin/rules", nil, "ddddddoo"},
		{"POST", T + "/admin/rules", rule, "ddddddoo"},
		{"DELETE", T + "/admin/rules", existing, "ddddddoo"},
		{"GET", T + "/admin/assignments", nil, "ddddddoo"},
		{"POST", T + "/admin/assignments", map[string]any{"email": member, "role": "supervisor"}, "ddddddoo"},
		{"DELETE", T + "/admin/assignments", map[string]any{"email": supervisor, "role": "supervisor"}, "ddddddoo"},
		{"GET", T + "/stats", nil, "oooooooo"},
		{"GET", T + "/feed/listings", nil, "oooooooo"},
		{"GET", T + "/feed/listings.geojson", nil, "oooooooo"},
		// Widgets: the same for everybody (cookies are not read).
		{"GET", "/widgets/v1/embed.js", nil, "oooooooo"},
		{"GET", "/widgets/v1/{bundle}", nil, "oooooooo"},
		{"GET", "/widgets/v1/data/baerum/config", nil, "oooooooo"},
		{"GET", "/widgets/v1/data/baerum/listings", nil, "oooooooo"},
		{"GET", "/widgets/v1/data/baerum/map", nil, "oooooooo"},
		{"GET", "/widgets/v1/data/baerum/logo", nil, "oooooooo"},
		{"GET", "/widgets/v1/frame/baerum/map", nil, "oooooooo"},
		{"GET", "/api/v1/platform/tenants", nil, "dddddddo"},
		{"POST", "/api/v1/platform/tenants", map[string]any{"slug": "agder", "name": "Agder masseforum"}, "dddddddo"},
	}
}

func baseUIMatrix() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	//                                                   A U M T O S TA SA
	return []expectation{
		{"GET", "/", nil, "oooooooo"},
		{"GET", T + "/", nil, "oooooooo"},
		{"GET", T + "/theme.css", nil, "oooooooo"},
		{"GET", T + "/organizations", nil, "oooooooo"},
		{"GET", T + "/organizations/new", nil, "doooodoo"},
		{"POST", T + "/organizations/new", form("org_number", "974760673", "kinds", "lab"), "doooodoo"},
		{"GET", T + "/organizations/{org}", nil, "oooooooo"},
		{"GET", T + "/organizations/{org}/edit", nil, "ddddodoo"},
		{"POST", T + "/organizations/{org}/edit", form("kinds", "contractor", "description", "m"), "ddddodoo"},
		{"POST", T + "/organizations/{org}/represent", form("role", "member"), "doooc doo"},
		{"GET", T + "/organizations/{org}/sites/new", nil, "ddddodoo"},
		{"POST", T + "/organizations/{org}/sites/new", form("kind", "project", "name", "M", "phase", "idea", "lat", "59.9", "lon", "10.6"), "ddddodoo"},
		{"GET", T + "/organizations/{torg}/vehicles/new", nil, "dddoddoo"},
		{"POST", T + "/organizations/{torg}/vehicles/new", form("registration", "MX12345", "body_type", "tipper_4axle", "euro_class", "euro6", "fuel", "diesel", "payload_tonnes", "18"), "dddoddoo"},
		{"POST", T + "/vehicles/{vehicle}/approve", form("organization_id", "{torg}"), "dddoddoo"},
		{"GET", T + "/vehicles/{vehicle}/edit", nil, "dddoddoo"},
		{"POST", T + "/vehicles/{vehicle}/edit", form("registration", "MX 54321", "body_type", "tipper_4axle", "euro_class", "euro6", "fuel", "hvo", "payload_tonnes", "17,5"), "dddoddoo"},
		{"POST", T + "/vehicles/{vehicle}/delete", nil, "dddoddoo"},
		{"GET", T + "/organizations/{org}/contacts/new", nil, "ddddodoo"},
		{"POST", T + "/organizations/{org}/contacts/new", form("name", "Per"), "ddddodoo"},
		{"GET", T + "/sites", nil, "oooooooo"},
		{"GET", T + "/sites/{site}", nil, "oooooooo"},
		{"GET", T + "/sites/{site}/edit", nil, "ddddodoo"},
		{"POST", T + "/sites/{site}/edit", form("kind", "project", "name", "M", "phase", "idea", "lat", "59.9", "lon", "10.6"), "ddddodoo"},
		{"GET", T + "/sites/{site}/delete", nil, "ddddodoo"},
		{"POST", T + "/sites/{site}/delete", form("confirm", "1"), "ddddodoo"},
		{"POST", T + "/sites/{site}/permits", form("kind", "receiving", "authority", "Kommunen", "max_class", "1", "fractions", "sprengstein"), "ddddodoo"},
		{"GET", T + "/map", nil, "oooooooo"},
		{"GET", T + "/listings", nil, "oooooooo"},
		{"GET", T + "/sites/{site}/plan", nil, "ddddodoo"},
		{"POST", T + "/sites/{site}/plan", form("dir_0", "cut", "frac_0", "sand", "qty_0", "100", "unit_0", "t", "from_0", apitest.Month(2), "to_0", apitest.Month(4)), "ddddodoo"},
		{"GET", T + "/listings/new", nil, "ddooodoo"},
		{"POST", T + "/listings/new", form("kind", "surplus", "organization_id", "{org}", "title", "M", "fractions", "sand", "quantity", "100", "unit", "t", "available_from", apitest.Month(2), "available_to", apitest.Month(7), "lat", "59.9", "lon", "10.6", "transport", "buyer_collects"), "ddddodoo"},
		{"GET", T + "/listings/{listing}", nil, "oooooooo"},
		{"POST", T + "/listings/{listing}/status/closed", nil, "ddddodoo"},
		{"GET", T + "/listings/{listing}/edit", nil, "ddddodoo"},
		{"POST", T + "/listings/{listing}/edit", form("title", "Ny", "fractions", "sprengstein", "quantity", "1000", "unit", "t", "available_from", apitest.Month(2), "available_to", apitest.Month(7), "transport", "seller_delivers", "lat", "59.9", "lon", "10.6"), "ddddodoo"},
		{"POST", T + "/listings/{listing}/samples", form("name", "PR", "unit", "mg/kg TS", "v_as", "3"), "ddddodoo"},
		{"POST", T + "/listings/{listing}/dismiss/{need}", nil, "ddddodoo"},
		{"POST", T + "/listings/{listing}/documents", form("kind", "other"), "ddddbdbb"},
		{"POST", T + "/listings/{listing}/samples/import", nil, "ddddbdbb"},
		{"GET", T + "/me", nil, "dooooooo"},
		{"POST", T + "/me/tokens", form("name", "m", "scopes", "read", "expires_in_days", "30"), "dooooooo"},
		{"POST", T + "/me/tokens/{token}/revoke", nil, "dnnnonnn"},
		{"POST", T + "/memberships/{membership}/end", nil, "ddddddcc"},
		{"POST", T + "/memberships/{membership}/approve", nil, "ddddddoo"},
		{"GET", T + "/admin", nil, "ddddddoo"},
		{"POST", T + "/admin/settings", form("name", "Bærum ressursbank", "color_primary", "#0b5a3c", "color_accent", "#f2b134", "default_locale", "nb", "zoom", "11", "center_lat", "59.9", "center_lon", "10.58"), "ddddddoo"},
		{"POST", T + "/admin/rules", form("role", "transporter", "object", "vehicles", "action", "create", "effect", "deny"), "ddddddoo"},
		{"POST", T + "/admin/logo", form(), "ddddddbb"},
		{"POST", T + "/admin/domains/verify", form("domain", "ingen.krav.test"), "ddddddnn"},
		{"POST", T + "/admin/assignments", form("email", member, "role", "supervisor"), "ddddddoo"},
		{"POST", T + "/admin/embedding", form("embed_origins", "https://www.baerum.kommune.no", "tile_url", "", "tile_attribution", ""), "ddddddoo"},
		{"GET", T + "/statistics", nil, "oooooooo"},
		{"GET", T + "/live", nil, "oooooooo"},
		{"GET", T + "/live/events", nil, "oooooooo"},
		{"GET", T + "/manifest.webmanifest", nil, "oooooooo"},
		{"GET", T + "/sw.js", nil, "oooooooo"},
		{"GET", T + "/offline", nil, "oooooooo"},
		{"GET", T + "/icons/icon-192.png", nil, "oooooooo"},
		{"GET", "/admin", nil, "dddddddo"},
		{"POST", "/admin/tenants", form("slug", "agder", "name", "Agder"), "dddddddo"},
		{"GET", "/auth/dev", nil, "oooooooo"},
		{"GET", "/favicon.ico", nil, "oooooooo"},
		{"GET", "/static/app.css", nil, "oooooooo"},
		{"POST", "/auth/dev", form("subject", "dev:"+member, "return_to", "/t/baerum/"), "oooooooo"},
		{"GET", "/lang/nn", nil, "oooooooo"},
	}
}

// targets creates or finds the objects the matrix acts on.
func targets(e *apitest.Env) map[string]string {
	e.Token("baerum", orgAdmin, "read")
	if err := e.App.Roles.AddRule(e.Tenant("baerum").ID, tenantRule); err != nil {
		e.T.Fatal(err)
	}
	// The registry route reads through a cache of the register: fill it, so
	// its cells only read.
	if _, err := e.App.Directory.LookupUnit(context.Background(), "974760673"); err != nil {
		e.T.Fatal(err)
	}
	tg := map[string]string{
		"org":          e.OrgID("baerum", "fornebu-anlegg"),
		"torg":         e.OrgID("baerum", "lysaker-transport"),
		"site":         e.FirstID("baerum", "sites", "organization_id = ?", e.OrgID("baerum", "fornebu-anlegg")),
		"permit":       e.FirstID("baerum", "permits", ""),
		"contact":      e.FirstID("baerum", "contacts", "organization_id = ?", e.OrgID("baerum", "fornebu-anlegg")),
		"vehicle":      e.FirstID("baerum", "vehicles", "status = 'pending'"),
		"membership":   e.FirstID("baerum", "memberships", "status = 'pending'"),
		"token":        e.FirstID("baerum", "api_tokens", "user_id = ?", e.User(orgAdmin).ID),
		"listing":      e.FirstID("baerum", "listings", "organization_id = ? AND status = 'published'", e.OrgID("baerum", "fornebu-anlegg")),
		"draft":        e.FirstID("baerum", "listings", "status = 'draft'"),
		"need":         e.FirstID("baerum", "listings", "kind = 'need' AND status = 'published'"),
		"document":     uploadDoc(e),
		"notification": notifyKari(e),
		"bundle":       widgetBundle(e),
	}
	for _, p := range matrixParts {
		if p.targets != nil {
			p.targets(e, tg)
		}
	}
	return tg
}

func widgetBundle(e *apitest.Env) string {
	b, err := widgets.Load()
	if err != nil {
		e.T.Fatal(err)
	}
	return b.Bundles["map"].Name
}

var tenantRule = tenants.Rule{Role: "member", Object: "contacts", Action: "write", Effect: "deny"}

var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// fillAll is a copy of a JSON body with the targets filled into every
// string, at any depth (cells run in parallel: the row's body is shared).
func fillAll(v any, tg map[string]string) any {
	switch x := v.(type) {
	case string:
		return fill(x, tg)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = fill(s, tg)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fillAll(e, tg)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fillAll(e, tg)
		}
		return out
	}
	return v
}

func fill(s string, tg map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(k string) string { return tg[strings.Trim(k, "{}")] })
}

func classify(r *apitest.Response, ui bool, method, path string) string {
	switch {
	case ui && r.Status == 401 && method == "GET" && strings.HasPrefix(path, "/t/") && !strings.HasSuffix(path, "/events"):
		return "?" // a UI page sends a visitor to log in instead
	case r.Status == 401 || r.Status == 403:
		return "d"
	case ui && r.Status == 303 && strings.HasPrefix(r.Header.Get("Location"), "/auth/dev"):
		return "d"
	case r.Status == 404:
		return "n"
	case r.Status == 409:
		return "c"
	case r.Status == 400 || r.Status == 422:
		return "b"
	case r.Status >= 200 && r.Status < 300, ui && r.Status >= 301 && r.Status <= 303:
		return "o"
	}
	return "?"
}

// csrf fetches a UI resource as the user (the tenant's stylesheet: the
// cheapest route behind the CSRF middleware) and returns the CSRF cookie.
func csrf(e *apitest.Env, as string) string {
	r := e.Do(apitest.Request{Path: "/t/baerum/theme.css", As: as})
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "mf_csrf" {
			return c.Value
		}
	}
	e.T.Fatalf("no CSRF cookie")
	return ""
}

// A cell is one route for one role.
type cell struct {
	rt   expectation
	role int
	want byte
}

func (c cell) name() string {
	return c.rt.method + " " + c.rt.path + " as " + matrixRoles[c.role].name
}

// mutates reports whether the cell's request may change state: an allowed
// request to a route that is not a read.
func (c cell) mutates() bool { return c.rt.method != "GET" && c.want == 'o' }

// runMatrix asserts every cell of routes. Every cell starts from the same
// state, the demo seed plus targets, and no cell's request can change what
// another cell starts from:
//   - a cell that may change state (an allowed mutation) gets an env of its
//     own, a fresh app on a copy of that state (a Snapshot clone: cheaper
//     than seeding and setting up each);
//   - every other cell (reads, and mutations that must be refused, answered
//     404, 409 or 400) runs in one shared env, whose whole state (every row,
//     the uploads, the tenants and roles in memory) is checked after each
//     cell: a cell that changed anything fails, and the cells after it get an
//     env of their own.
//
// The shared cells run in order on one goroutine, the others in parallel
// next to them (as many goroutines as -test.parallel).
func runMatrix(t *testing.T, backend string, ui bool) {
	snap, tg := setupMatrix(t, backend)
	routes := fromTables(t, snap, ui)
	var shared, own []cell
	for _, rt := range routes {
		cells := strings.ReplaceAll(rt.cells, " ", "")
		if len(cells) != len(matrixRoles) {
			t.Fatalf("%s %s: %d cells for %d roles", rt.method, rt.path, len(cells), len(matrixRoles))
		}
		for i := range matrixRoles {
			c := cell{rt: rt, role: i, want: cells[i]}
			if c.mutates() {
				own = append(own, c)
			} else {
				shared = append(shared, c)
			}
		}
	}
	env := snap.Clone(t)
	watch := env.Watch()
	dirty := false // the shared env changed: it is no longer the starting state
	runShared := func() {
		for _, c := range shared {
			t.Run(c.name(), func(t *testing.T) {
				if dirty {
					runCell(t, snap.Clone(t), c, tg, ui)
					return
				}
				env.ReportTo(t)
				runCell(t, env, c, tg, ui)
				if changed := watch.Changed(); len(changed) > 0 {
					dirty = true
					t.Errorf("%s changed %s; the cells after it get an env of their own", c.name(), strings.Join(changed, ", "))
				}
			})
		}
	}
	queue := make(chan cell, len(own))
	for _, c := range own {
		queue <- c
	}
	close(queue)
	runOwn := func() {
		for c := range queue {
			t.Run(c.name(), func(t *testing.T) { runCell(t, snap.Clone(t), c, tg, ui) })
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < parallelism(); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			if w == 0 {
				runShared()
			}
			runOwn()
		}(w)
	}
	wg.Wait()
}

// setupMatrix freezes the state every cell starts from: the demo seed plus
// targets.
func setupMatrix(t *testing.T, backend string) (*apitest.Snapshot, map[string]string) {
	e := apitest.New(t, backend)
	tg := targets(e)
	// Every event of the set-up delivered (billing meters the sealed
	// agreements): a late delivery would change the state the read cells
	// are checked against.
	e.Settle()
	return e.Snapshot(), tg
}

// parallelism is -test.parallel (by default GOMAXPROCS).
func parallelism() int {
	if f := flag.Lookup("test.parallel"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if n, ok := g.Get().(int); ok && n > 0 {
				return n
			}
		}
	}
	return runtime.GOMAXPROCS(0)
}

// runCell sends a cell's request in e and checks its class.
func runCell(t *testing.T, e *apitest.Env, c cell, tg map[string]string, ui bool) {
	rt, role := c.rt, matrixRoles[c.role]
	req := apitest.Request{Method: rt.method, Path: fill(rt.path, tg), As: role.email, Body: rt.body}
	if mb, ok := rt.body.(map[string]any); ok {
		req.Body = fillAll(mb, tg)
	}
	if form, ok := rt.body.(url.Values); ok {
		tok := ""
		if role.email != "" || rt.method == "POST" {
			tok = csrf(e, role.email)
		}
		v := url.Values{} // a copy: cells run in parallel
		for k, vs := range form {
			for _, x := range vs {
				v.Add(k, fill(x, tg))
			}
		}
		v.Set("_csrf", tok)
		req.Body = []byte(v.Encode())
		req.Header = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mf_csrf=" + tok}
		if role.email != "" {
			req.Header["Cookie"] += "; " + apitest.Cookie(role.email)
			req.As = ""
		}
	} else if ui && rt.method == "POST" {
		tok := csrf(e, role.email)
		req.Body = []byte("_csrf=" + tok)
		req.Header = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mf_csrf=" + tok}
		if role.email != "" {
			req.Header["Cookie"] += "; " + apitest.Cookie(role.email)
			req.As = ""
		}
	}
	if b, ok := rt.body.([]byte); ok {
		req.Body = b
		req.Header = map[string]string{"Content-Type": "image/png"}
	}
	r := e.Do(req)
	if got := classify(r, ui, rt.method, rt.path); got != string(c.want) {
		t.Errorf("got %q (%d), want %q: %.200s", got, r.Status, c.want, r.Body)
	}
}

// TestAuthorizationMatrix asserts every API and UI route for every role.
// The four matrices (API and UI on each backend) are independent and run in
// parallel, as many at once as -test.parallel.
func TestAuthorizationMatrix(t *testing.T) {
	for _, b := range apitest.Backends(t) {
		t.Run(b+"/api", func(t *testing.T) { t.Parallel(); runMatrix(t, b, false) })
		t.Run(b+"/ui", func(t *testing.T) { t.Parallel(); runMatrix(t, b, true) })
	}
}

// uploadDoc attaches a PDF to Fornebu's surplus and returns the document ID.
func uploadDoc(e *apitest.Env) string {
	id := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("kind", "analysis_report")
	fw, _ := w.CreateFormFile("file", "analyse.pdf")
	_, _ = fw.Write([]byte(pdfBytes))
	_ = w.Close()
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/documents", As: orgAdmin, Body: b.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType()}})
	if r.Status != 201 {
		e.T.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return e.FirstID("baerum", "documents", "")
}

// notifyKari publishes a need next to Fornebu's surplus, which notifies Kari,
// and returns her notification's ID.
func notifyKari(e *apitest.Env) string {
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings", As: member, Body: map[string]any{"kind": "need", "title": "Varslingstest", "organization_id": e.OrgID("baerum", "sandvika-bygg"),
		"fractions": []string{"sprengstein"}, "quantity": 3000, "unit": "t", "available_from": apitest.Month(0), "available_to": apitest.Month(6), "lat": 59.896, "lon": 10.63, "intended_use": "fill", "transport": "seller_delivers", "publish": true}})
	if r.Status != 201 {
		e.T.Fatalf("need: %d %s", r.Status, r.Body)
	}
	e.Settle() // match discovery notifies after the request
	return e.FirstID("baerum", "notifications", "user_id = ?", e.User(orgAdmin).ID)
}
