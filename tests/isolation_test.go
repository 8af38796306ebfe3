package tests

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/route"
)

// createdOnly names the tenant tables without updated_at.
func createdOnly() map[string]bool {
	m := map[string]bool{"api_tokens": true, "lab_samples": true, "match_dismissals": true, "documents": true, "mass_plan_lines": true, "matches": true, "notifications": true, "road_legs": true}
	for _, p := range isolationParts {
		for _, t := range p.createdOnly {
			m[t] = true
		}
	}
	return m
}

// fingerprint summarises tenant A's data: row counts and the newest update
// per tenant table, plus its settings. Any change by tenant B shows here.
func fingerprint(t *testing.T, e *apitest.Env, slug string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range e.App.DB.TenantTables() {
		var row struct {
			N   int64
			Max string
		}
		col := "created_at"
		if !createdOnly()[table] {
			col = "updated_at"
		}
		err := e.App.DB.Read(e.Ctx(slug), func(tx *gorm.DB) error {
			return tx.Table(table).Select("count(*) AS n, CAST(max(" + col + ") AS TEXT) AS max").Scan(&row).Error
		})
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = row.Max + "#" + strings.Repeat("x", int(row.N%1000)) + "#" + string(rune('0'+row.N%10))
		out[table+".count"] = string(rune(row.N))
	}
	tn := e.Tenant(slug)
	out["tenant"] = tn.Name + tn.ColorPrimary + tn.UpdatedAt.String() + strings.Join(tn.Domains, ",")
	out["rules"] = strings.Repeat("r", len(e.App.Roles.Rules(tn.ID)))
	out["assignments"] = strings.Repeat("a", len(e.App.Roles.Assignments(tn.ID)))
	return out
}

// An isolationPart is a feature's share of the isolation suites, kept in
// the feature's own file (isolation_<feature>_test.go) and registered in
// init:
//   - ids adds tenant A's IDs by path segment ("dialogs") and by table name
//     ("dialog_messages"), creating the rows it needs;
//   - refs adds rows of tenant B that reference A's rows through a tenant
//     foreign key ("messages→dialogs"), each of which must be refused;
//   - createdOnly names the feature's tables that have no updated_at.
type isolationPart struct {
	ids         func(t *testing.T, e *apitest.Env, ids map[string]string)
	refs        func(t *testing.T, e *apitest.Env, ids map[string]string, refs map[string]any)
	createdOnly []string
}

var isolationParts []isolationPart

// aIDs returns tenant A's IDs by kind, to be used against tenant B.
func aIDs(t *testing.T, e *apitest.Env) map[string]string {
	e.Token("baerum", orgAdmin, "read")
	ids := map[string]string{
		"organizations":   e.OrgID("baerum", "fornebu-anlegg"),
		"sites":           e.FirstID("baerum", "sites", ""),
		"permits":         e.FirstID("baerum", "permits", ""),
		"contacts":        e.FirstID("baerum", "contacts", ""),
		"vehicles":        e.FirstID("baerum", "vehicles", "status = 'pending'"),
		"memberships":     e.FirstID("baerum", "memberships", "status = 'pending'"),
		"tokens":          e.FirstID("baerum", "api_tokens", ""),
		"listings":        e.FirstID("baerum", "listings", "organization_id = ?", e.OrgID("baerum", "fornebu-anlegg")),
		"lab_samples":     addSample(t, e),
		"documents":       uploadDoc(e),
		"mass_plan_lines": planLine(t, e),
		"notifications":   notifyKari(e),
	}
	for _, p := range isolationParts {
		if p.ids != nil {
			p.ids(t, e, ids)
		}
	}
	// Every event of the set-up delivered: the suites then take A's
	// fingerprint, which a late delivery would change.
	e.Settle()
	return ids
}

var segParam = regexp.MustCompile(`/([a-z][a-z-]*)/:([a-z]+)`)

// TestTenantIsolationAPI sends every tenant-scoped route to tenant B
// (Rogaland) with tenant A's (Bærum) IDs, as B's tenant admin and as the
// platform superadmin, and checks nothing of A is returned or changed.
func TestTenantIsolationAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ids := aIDs(t, e)
		before := fingerprint(t, e, "baerum")
		// Canaries: names and IDs of A that must never appear in B's answers.
		canaries := []string{"Fornebu", "Sandvika", "Vestmarka", "Lysaker", "EB12345", "Sprengstein fra stasjonshallen", ids["organizations"], ids["sites"], ids["contacts"], ids["listings"]}
		checked := 0
		// The walk is every declared route of every surface that names a tenant.
		for _, r := range route.Entries(e.App.Tables()...) {
			r.Path = r.FullPath
			if !strings.Contains(r.Path, "/:tenant") {
				continue
			}
			path := strings.Replace(r.Path, ":tenant", "rogaland", 1)
			usesAID := false
			path = segParam.ReplaceAllStringFunc(path, func(m string) string {
				parts := segParam.FindStringSubmatch(m)
				kind := parts[1]
				if kind == "registry" {
					return "/registry/974760673"
				}
				if kind == "matches" || kind == "dismiss" {
					return "/" + kind + "/" + ids["listings"]
				}
				if kind == "status" {
					return "/status/closed"
				}
				if kind == "icons" {
					return "/icons/icon-192.png"
				}
				if parts[2] == "widget" {
					return "/" + kind + "/map"
				}
				id, ok := ids[kind]
				if !ok {
					t.Fatalf("route %s: no tenant-A ID for %q; extend aIDs", r.Path, kind)
				}
				usesAID = true
				return "/" + kind + "/" + id
			})
			path = strings.Replace(path, "/:decision", "/approve", 1)
			if strings.Contains(path, ":") {
				t.Fatalf("route %s: unfilled parameter in %s", r.Path, path)
			}
			for _, as := range []string{rogAdmin, platform} {
				req := apitest.Request{Method: r.Method, Path: path, As: as}
				if r.Method != "GET" {
					if strings.HasPrefix(path, "/t/") {
						req.Body = []byte("_csrf=x")
						req.Header = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
					} else {
						req.Body = map[string]any{}
					}
				}
				resp := e.Do(req)
				if usesAID && resp.Status >= 200 && resp.Status < 400 {
					t.Errorf("%s %s as %s: %d with tenant A's ID", r.Method, path, as, resp.Status)
				}
				// The request's own path is echoed (problem instance, language
				// links); it carries only what the caller sent.
				body := strings.ReplaceAll(string(resp.Body), path, "")
				body = strings.ReplaceAll(body, strings.ReplaceAll(path, "/", "%2f"), "")
				for _, c := range canaries {
					if strings.Contains(body, c) {
						t.Errorf("%s %s as %s leaks %q", r.Method, path, as, c)
					}
				}
				checked++
			}
		}
		if checked < 100 {
			t.Fatalf("only %d route checks; the route walk is broken", checked)
		}
		// CSRF-protected UI posts above were refused before reaching A's IDs;
		// send the UI mutations again with a valid token.
		for _, p := range []string{
			"/t/rogaland/organizations/" + ids["organizations"] + "/edit",
			"/t/rogaland/sites/" + ids["sites"] + "/edit",
			"/t/rogaland/organizations/" + ids["organizations"] + "/sites/new",
			"/t/rogaland/vehicles/" + ids["vehicles"] + "/approve",
			"/t/rogaland/memberships/" + ids["memberships"] + "/approve",
			"/t/rogaland/me/tokens/" + ids["tokens"] + "/revoke",
			"/t/rogaland/sites/" + ids["sites"] + "/plan",
			"/t/rogaland/sites/" + ids["sites"] + "/permits",
			"/t/rogaland/listings/" + ids["listings"] + "/status/closed",
			"/t/rogaland/listings/" + ids["listings"] + "/edit",
			"/t/rogaland/listings/" + ids["listings"] + "/samples",
			"/t/rogaland/listings/" + ids["listings"] + "/samples/import",
			"/t/rogaland/listings/" + ids["listings"] + "/documents",
			"/t/rogaland/listings/" + ids["listings"] + "/dismiss/" + ids["listings"],
		} {
			tok := csrfFor(e, "rogaland", rogAdmin)
			v := url.Values{"_csrf": {tok}, "kind": {"project"}, "name": {"X"}, "phase": {"idea"}, "lat": {"59"}, "lon": {"10"}, "kinds": {"builder"}}
			resp := e.Do(apitest.Request{Method: "POST", Path: p, Body: []byte(v.Encode()), Header: map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mf_csrf=" + tok + "; " + apitest.Cookie(rogAdmin)}})
			if resp.Status != 404 {
				t.Errorf("UI POST %s: %d, want 404", p, resp.Status)
			}
		}
		after := fingerprint(t, e, "baerum")
		for k, v := range before {
			if after[k] != v {
				t.Errorf("tenant A's %s changed", k)
			}
		}
	})
}

func csrfFor(e *apitest.Env, slug, as string) string {
	r := e.Do(apitest.Request{Path: "/t/" + slug + "/", As: as})
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "mf_csrf="); ok {
			return strings.SplitN(v, ";", 2)[0]
		}
	}
	e.T.Fatal("no csrf cookie")
	return ""
}

// TestTenantIsolationStore proves, for every tenant table, that tenant B can
// neither see, change, delete nor reference tenant A's rows through the store.
func TestTenantIsolationStore(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ids := aIDs(t, e)
		ids["api_tokens"] = ids["tokens"]
		ids["match_dismissals"] = dismissOne(t, e)
		ids["matches"] = e.FirstID("baerum", "matches", "")
		ids["outbox"] = e.FirstID("baerum", "outbox", "")
		leg := &matching.RoadLeg{ID: "59.90000,10.60000>59.91000,10.61000", Km: 2.1, Router: "osrm", CreatedAt: apitest.Now()}
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error { return tx.Create(leg).Error }); err != nil {
			t.Fatal(err)
		}
		ids["road_legs"] = leg.ID
		ctxB := e.Ctx("rogaland")
		if len(e.App.DB.TenantTables()) < 16 {
			t.Fatalf("tenant tables %v: the store lists fewer than the 16 this suite was written for", e.App.DB.TenantTables())
		}
		for _, table := range e.App.DB.TenantTables() {
			id := ids[table]
			if id == "" {
				t.Fatalf("no ID of tenant A for table %s", table)
			}
			var n int64
			if err := e.App.DB.Read(ctxB, func(tx *gorm.DB) error { return tx.Table(table).Where("id = ?", id).Count(&n).Error }); err != nil || n != 0 {
				t.Errorf("%s: B sees A's row (%d, %v)", table, n, err)
			}
			var changed int64
			_ = e.App.DB.Tx(ctxB, func(tx *gorm.DB) error {
				res := tx.Table(table).Where("id = ?", id).Update("created_at", apitest.Now())
				changed = res.RowsAffected
				return res.Error
			})
			_ = e.App.DB.Tx(ctxB, func(tx *gorm.DB) error {
				res := tx.Table(table).Where("id = ?", id).Delete(map[string]any{})
				changed += res.RowsAffected
				return res.Error
			})
			if changed != 0 {
				t.Errorf("%s: B changed or deleted %d of A's rows", table, changed)
			}
			if e.Count("baerum", table, "id = ?", id) != 1 {
				t.Errorf("%s: A's row is gone", table)
			}
		}
		// References: every tenant foreign key refuses a parent of another tenant.
		now := apitest.Now().UTC()
		user := e.User(member).ID
		refs := map[string]any{
			"sites→organizations":       &directory.Site{ID: store.NewID(), OrganizationID: ids["organizations"], Kind: "project", Name: "x", Lat: 59, Lon: 10, CreatedAt: now, UpdatedAt: now},
			"permits→sites":             &directory.Permit{ID: store.NewID(), SiteID: ids["sites"], Kind: "receiving", MaxClass: 1, CreatedAt: now, UpdatedAt: now},
			"contacts→organizations":    &directory.Contact{ID: store.NewID(), OrganizationID: ids["organizations"], Name: "x", CreatedAt: now, UpdatedAt: now},
			"vehicles→organizations":    &directory.Vehicle{ID: store.NewID(), OrganizationID: ids["organizations"], Registration: "ZZ99999", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 18, Status: "pending", CreatedAt: now, UpdatedAt: now},
			"memberships→organizations": &directory.Membership{ID: store.NewID(), UserID: user, OrganizationID: ids["organizations"], Role: "member", Status: "pending", CreatedAt: now, UpdatedAt: now},
		}
		rogOrg := e.OrgID("rogaland", "forus")
		rogSite := e.FirstID("rogaland", "sites", "")
		refs["listings→organizations"] = &market.Listing{ID: store.NewID(), OrganizationID: ids["organizations"], Kind: "surplus", Title: "x", Fractions: directory.List{"sand"}, QuantityTonnes: 1, QuantityValue: 1, QuantityUnit: "t", AvailableFrom: now, AvailableTo: now, Lat: 59, Lon: 10, Transport: "buyer_collects", Status: "draft", Visibility: "public", CreatedAt: now, UpdatedAt: now}
		refs["lab_samples→listings"] = &market.Sample{ID: store.NewID(), ListingID: ids["listings"], Name: "x", Results: market.JSONMap{"as": 1}, Class: 1, Deciding: directory.List{}, CreatedAt: now}
		refs["match_dismissals→listings"] = &matching.Dismissal{ID: store.NewID(), ListingID: ids["listings"], CounterpartID: ids["listings"], CreatedAt: now}
		refs["documents→listings"] = &market.Document{ID: store.NewID(), ListingID: ids["listings"], Kind: "other", Filename: "x.pdf", ContentType: "application/pdf", Size: 1, SHA256: "x", BlobKey: "x", CreatedAt: now}
		refs["mass_plan_lines→sites"] = &market.PlanLine{ID: store.NewID(), SiteID: ids["sites"], Direction: "cut", Fraction: "sand", QuantityUnit: "t", PeriodFrom: now, PeriodTo: now, CreatedAt: now, UpdatedAt: now}
		refs["matches→listings"] = &matching.Stored{ID: store.NewID(), ListingID: ids["listings"], CounterpartID: ids["listings"], Via: "direct", CreatedAt: now}
		refs["notifications→listings"] = &matching.Notification{ID: store.NewID(), UserID: user, Kind: "match", ListingID: ids["listings"], CounterpartID: ids["listings"], CreatedAt: now}
		refs["contacts→sites"] = &directory.Contact{ID: store.NewID(), OrganizationID: rogOrg, SiteID: &[]string{ids["sites"]}[0], Name: "x", CreatedAt: now, UpdatedAt: now}
		_ = rogSite
		for _, p := range isolationParts {
			if p.refs != nil {
				p.refs(t, e, ids, refs)
			}
		}
		for name, row := range refs {
			err := e.App.DB.Tx(ctxB, func(tx *gorm.DB) error { return tx.Create(row).Error })
			if err == nil {
				t.Errorf("%s: B created a row referencing A's data", name)
			} else if !store.IsForeignKeyViolation(err) {
				t.Errorf("%s: want a foreign key violation, got %v", name, err)
			}
		}
		// Through the API: B's admin cannot attach a contact to A's site.
		resp := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/rogaland/organizations/" + rogOrg + "/contacts", Body: map[string]any{"name": "x", "site_id": ids["sites"]}, As: rogAdmin})
		if resp.Status != 422 {
			t.Errorf("contact on A's site through the API: %d %s", resp.Status, resp.Body)
		}
		_ = context.Background()
	})
}

// addSample gives tenant A's first listing a lab sample and returns its ID.
func addSample(t *testing.T, e *apitest.Env) string {
	id := e.FirstID("baerum", "listings", "organization_id = ?", e.OrgID("baerum", "fornebu-anlegg"))
	r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + id + "/samples", As: orgAdmin,
		Body: map[string]any{"name": "PR-1", "values": []map[string]any{{"parameter": "pb", "value": 40, "unit": "mg/kg TS"}}}})
	if r.Status != 201 {
		t.Fatalf("sample: %d %s", r.Status, r.Body)
	}
	return e.FirstID("baerum", "lab_samples", "listing_id = ?", id)
}

// dismissOne dismisses a match in tenant A and returns the dismissal's ID.
func dismissOne(t *testing.T, e *apitest.Env) string {
	l := e.FirstID("baerum", "listings", "title = 'Sprengstein fra stasjonshallen'")
	n := e.FirstID("baerum", "listings", "kind = 'need' AND status = 'published'")
	if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/listings/" + l + "/matches/" + n + "/dismiss", As: orgAdmin}); r.Status != 204 {
		t.Fatalf("dismiss: %d %s", r.Status, r.Body)
	}
	return e.FirstID("baerum", "match_dismissals", "")
}

// planLine gives a Fornebu project a one-line plan and returns the line's ID.
func planLine(t *testing.T, e *apitest.Env) string {
	site := e.FirstID("baerum", "sites", "name = 'Fornebubanen, stasjon Flytårnet'")
	r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/sites/" + site + "/plan", As: orgAdmin, Body: map[string]any{"lines": []map[string]any{
		{"direction": "cut", "fraction": "sprengstein", "quantity": 1000, "unit": "t", "period_from": apitest.Month(2), "period_to": apitest.Month(3)}}}})
	if r.Status != 200 {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	return e.FirstID("baerum", "mass_plan_lines", "")
}
