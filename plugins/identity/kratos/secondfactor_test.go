package kratos_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/server"
)

// TestKratosSecondFactor: with Kratos as identity provider, a tenant admin
// needs AAL2 for admin actions; AAL1 still reads like any logged-in user.
func TestKratosSecondFactor(t *testing.T) {
	for _, b := range apitest.Backends(t) {
		t.Run(b, func(t *testing.T) {
			base := apitest.New(t, b) // a seeded database
			cfg := base.App.Config
			cfg.Identity = "identity.kratos"
			cfg.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": apitest.KratosFake(t).URL}
			a, err := server.New(cfg, app.Options{SkipMigrate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			e := &apitest.Env{T: t, App: a, Backend: b}
			do := func(tok, method, path string, body any) *apitest.Response {
				return e.Do(apitest.Request{Method: method, Path: path, Body: body, Header: map[string]string{"X-Session-Token": tok}})
			}
			if r := do("aal2", "GET", "/api/v1/tenants/baerum/admin/settings", nil); r.Status != 200 {
				t.Fatalf("aal2 admin: %d %s", r.Status, r.Body)
			}
			apitest.Problem(t, do("aal1", "GET", "/api/v1/tenants/baerum/admin/settings", nil), 403, "second_factor_required")
			apitest.Problem(t, do("aal1", "POST", "/api/v1/tenants/baerum/admin/rules", map[string]any{"role": "member", "object": "contacts", "action": "write", "effect": "deny"}), 403, "second_factor_required")
			if r := do("aal1", "GET", "/api/v1/tenants/baerum/me", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"aal":"aal1"`) {
				t.Fatalf("aal1 me: %d %s", r.Status, r.Body)
			}
			apitest.Problem(t, do("nope", "GET", "/api/v1/tenants/baerum/me", nil), 401, "unauthorized")
			// The dev picker is not there when Kratos is the provider.
			if r := e.Do(apitest.Request{Path: "/auth/dev"}); r.Status != 404 {
				t.Fatalf("/auth/dev with Kratos: %d", r.Status)
			}
		})
	}
}
