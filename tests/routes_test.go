package tests

import (
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/route"
	"github.com/masseflyt/masseflyt/tenants"
)

// The matrix and the permission test are generated from the route tables:
// each route of a table is matched to its row of expectations (who may,
// who may not, with what body) by its method and path.

var (
	fiberParam = regexp.MustCompile(`:[a-z]+`)
	// literal values the rows use where a table has a parameter
	literals = strings.NewReplacer(
		"/api/v1/tenants/baerum", "/api/v1/tenants/:x", "/t/baerum", "/t/:x",
		"/registry/974760673", "/registry/:x", "/lang/nn", "/lang/:x",
		"/data/baerum", "/data/:x", "/frame/baerum/map", "/frame/:x/:x", "/icons/icon-192.png", "/icons/:x",
		"/static/app.css", "/static/*")
	decisionSuffix = regexp.MustCompile(`/(approve|reject|closed|published)$`)
)

// entryKey is a table route as METHOD and path with every parameter as :x.
func entryKey(e route.Entry) string {
	return e.Method + " " + strings.TrimSuffix(fiberParam.ReplaceAllString(e.FullPath, ":x"), "/")
}

// rowKeys are the keys a row of the matrix may stand for: its path as
// written, and with a trailing decision (approve, closed…) as a parameter.
func rowKeys(rt expectation) []string {
	p := strings.TrimSuffix(literals.Replace(placeholder.ReplaceAllString(rt.path, ":x")), "/")
	keys := []string{rt.method + " " + p}
	if d := decisionSuffix.ReplaceAllString(p, "/:x"); d != p {
		keys = append(keys, rt.method+" "+d)
	}
	return keys
}

// outsideMatrix are kernel routes that carry no tenant data and no
// permission: health checks and logout.
var outsideMatrix = map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /auth/logout": true}

type matrixRow struct {
	rt expectation
	ui bool
}

// rowsByKey indexes the matrix rows by the keys they stand for.
func rowsByKey() map[string][]matrixRow {
	out := map[string][]matrixRow{}
	for _, rt := range apiMatrix() {
		for _, k := range rowKeys(rt) {
			out[k] = append(out[k], matrixRow{rt, false})
		}
	}
	for _, rt := range uiMatrix() {
		for _, k := range rowKeys(rt) {
			out[k] = append(out[k], matrixRow{rt, true})
		}
	}
	return out
}

// fromTables lists the matrix rows to run, in the order of the route tables:
// the API and widget surfaces, or the UI and kernel ones. A route without a
// row fails.
func fromTables(t *testing.T, snap *apitest.Snapshot, ui bool) []expectation {
	e := snap.Clone(t)
	rows := rowsByKey()
	var out []expectation
	seen := map[string]bool{}
	for _, en := range route.Entries(e.App.Tables()...) {
		k := entryKey(en)
		if outsideMatrix[k] || (en.Surface == "ui" || en.Surface == "kernel") != ui {
			continue
		}
		if len(rows[k]) == 0 {
			t.Errorf("route %s has no row in the authorization matrix", k)
		}
		for _, r := range rows[k] {
			if id := r.rt.method + " " + r.rt.path; !seen[id] {
				seen[id] = true
				out = append(out, r.rt)
			}
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d matrix rows from the tables", len(out))
	}
	return out
}

// TestEveryRouteIsDeclaredAndInTheMatrix: every route the server answers is
// in a surface's table with a declared permission; every table route has a
// row in the authorization matrix; every row is a route.
func TestEveryRouteIsDeclaredAndInTheMatrix(t *testing.T) {
	e := apitest.New(t, "sqlite")
	tables := e.App.Tables()
	if err := route.Check(tables...); err != nil {
		t.Fatal(err)
	}
	surfaces := map[string]bool{}
	declared := map[string]bool{}
	for _, en := range route.Entries(tables...) {
		surfaces[en.Surface] = true
		declared[entryKey(en)] = true
	}
	for _, s := range []string{"kernel", "api", "ui", "widgets"} {
		if !surfaces[s] {
			t.Errorf("no %s table mounted", s)
		}
	}
	for _, r := range e.App.Fiber.GetRoutes(true) {
		if r.Method == "HEAD" {
			continue
		}
		k := r.Method + " " + strings.TrimSuffix(fiberParam.ReplaceAllString(r.Path, ":x"), "/")
		if !declared[k] {
			t.Errorf("%s is served but in no route table: declare it with its permission", k)
		}
	}
	rows := rowsByKey()
	used := map[string]bool{}
	for _, en := range route.Entries(tables...) {
		k := entryKey(en)
		if outsideMatrix[k] {
			continue
		}
		if len(rows[k]) == 0 {
			t.Errorf("route %s (%s, %s) has no row in the authorization matrix", k, en.Surface, en.Perm)
		}
		for _, r := range rows[k] {
			used[r.rt.method+" "+r.rt.path] = true
		}
	}
	for _, rt := range append(apiMatrix(), uiMatrix()...) {
		if !used[rt.method+" "+rt.path] {
			t.Errorf("matrix row %s %s matches no declared route", rt.method, rt.path)
		}
	}
}

// TestRoleRulesGovernEveryDeclaredPermission: a region's deny rule on a
// declared permission closes every route that declares it, for the least
// privileged principal the matrix lets through, whatever the permission
// (notifications, matches and /me included). Superadmin rules cannot be set
// per region, so the principal is never the superadmin.
func TestRoleRulesGovernEveryDeclaredPermission(t *testing.T) {
	snap, tg := setupMatrix(t, "sqlite")
	rows := rowsByKey()
	type probe struct {
		row  matrixRow
		role int
	}
	byPerm := map[access.Permission][]probe{}
	e0 := snap.Clone(t)
	for _, en := range route.Entries(e0.App.Tables()...) {
		if en.Perm == access.Anyone || !(strings.Contains(en.FullPath, "/:tenant")) {
			continue
		}
		for _, r := range rows[entryKey(en)] {
			cells := strings.ReplaceAll(r.rt.cells, " ", "")
			for i := 0; i < len(matrixRoles)-1; i++ { // the last is the superadmin
				if cells[i] == 'o' {
					byPerm[en.Perm] = append(byPerm[en.Perm], probe{r, i})
					break
				}
			}
			break
		}
	}
	if len(byPerm) < 15 {
		t.Fatalf("only %d permissions probed", len(byPerm))
	}
	for perm, probes := range byPerm {
		t.Run(perm.String(), func(t *testing.T) {
			t.Parallel()
			e := snap.Clone(t)
			for _, role := range auth.AllRoles {
				if role == auth.RoleSuperadmin {
					continue
				}
				if err := e.App.Roles.AddRule(e.Tenant("baerum").ID, tenants.Rule{Role: role, Object: perm.Object, Action: perm.Action, Effect: "deny"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range probes {
				runCell(t, e, cell{rt: p.row.rt, role: p.role, want: 'd'}, tg, p.row.ui)
			}
		})
	}
}
