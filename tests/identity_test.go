package tests

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/server"
)

// kratosFake answers /sessions/whoami like Ory Kratos for two sessions of the
// demo tenant admin: one with a second factor (aal2) and one without.
func kratosFake(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		aal := ""
		switch r.Header.Get("X-Session-Token") {
		case "aal2":
			aal = "aal2"
		case "aal1":
			aal = "aal1"
		default:
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"code":401,"status":"Unauthorized"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"s1","active":true,"expires_at":"` + apitest.Now().AddDate(0, 0, 1).UTC().Format(time.RFC3339) + `","authenticator_assurance_level":"` + aal +
			`","identity":{"id":"dev:` + tenantAdmin + `","schema_id":"default","schema_url":"","traits":{"email":"` + tenantAdmin + `","name":"Ingrid Ressursbank"}}}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestKratosSecondFactor: with Kratos as identity provider, a tenant admin
// needs AAL2 for admin actions; AAL1 still reads like any logged-in user.
func TestKratosSecondFactor(t *testing.T) {
	for _, b := range apitest.Backends(t) {
		t.Run(b, func(t *testing.T) {
			base := apitest.New(t, b) // a seeded database
			cfg := base.App.Config
			cfg.Identity = "identity.kratos"
			cfg.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": kratosFake(t).URL}
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
			problem(t, do("aal1", "GET", "/api/v1/tenants/baerum/admin/settings", nil), 403, "second_factor_required")
			problem(t, do("aal1", "POST", "/api/v1/tenants/baerum/admin/rules", map[string]any{"role": "member", "object": "contacts", "action": "write", "effect": "deny"}), 403, "second_factor_required")
			if r := do("aal1", "GET", "/api/v1/tenants/baerum/me", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"aal":"aal1"`) {
				t.Fatalf("aal1 me: %d %s", r.Status, r.Body)
			}
			problem(t, do("nope", "GET", "/api/v1/tenants/baerum/me", nil), 401, "unauthorized")
			// The dev picker is not there when Kratos is the provider.
			if r := e.Do(apitest.Request{Path: "/auth/dev"}); r.Status != 404 {
				t.Fatalf("/auth/dev with Kratos: %d", r.Status)
			}
		})
	}
}

// TestDevIdentityRefusesProduction: the demo login cannot run in production.
func TestDevIdentityRefusesProduction(t *testing.T) {
	cfg := apitest.Config()
	cfg.DataDir = t.TempDir()
	cfg.Env = "production"
	cfg.Identity = "identity.dev"
	_, err := server.New(cfg, app.Options{})
	if err == nil || !strings.Contains(err.Error(), "refuses") {
		t.Fatalf("identity.dev in production: %v", err)
	}
}

// TestProductionSecretLength: production refuses a MASSEFLYT_SECRET shorter
// than 32 characters, and starts with one of 32 or more. Everything else in
// the configuration is valid for production, so the secret alone decides.
func TestProductionSecretLength(t *testing.T) {
	prod := func() app.Config {
		cfg := apitest.Config()
		cfg.DataDir = t.TempDir()
		cfg.Env = "production"
		cfg.Identity = "identity.kratos"
		cfg.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": kratosFake(t).URL}
		cfg.Now = "" // production refuses MASSEFLYT_NOW; the harness clock is injected as cfg.Clock
		return cfg
	}
	for _, secret := range []string{"short", strings.Repeat("s", 31)} {
		cfg := prod()
		cfg.Secret = secret
		a, err := server.New(cfg, app.Options{})
		if err == nil {
			_ = a.Close()
			t.Fatalf("production accepted a %d-character secret", len(secret))
		}
		if !strings.Contains(err.Error(), "MASSEFLYT_SECRET") || !strings.Contains(err.Error(), "32") {
			t.Fatalf("production with a %d-character secret: err = %v, want the 32-character minimum of MASSEFLYT_SECRET", len(secret), err)
		}
	}
	for _, secret := range []string{strings.Repeat("s", 32), strings.Repeat("s", 64)} {
		cfg := prod()
		cfg.Secret = secret
		a, err := server.New(cfg, app.Options{})
		if err != nil {
			t.Fatalf("production refused a %d-character secret: %v", len(secret), err)
		}
		_ = a.Close()
	}
	// No secret at all is refused too (development makes up a random one).
	cfg := prod()
	cfg.Secret = ""
	if _, err := server.New(cfg, app.Options{}); err == nil || !strings.Contains(err.Error(), "MASSEFLYT_SECRET is required") {
		t.Fatalf("production without a secret: err = %v, want MASSEFLYT_SECRET is required", err)
	}
}

// TestRoleRulesTakeEffect: a tenant admin's deny rule applies at once, only
// in that tenant.
func TestRoleRulesTakeEffect(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		contacts := "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "sandvika-bygg") + "/contacts"
		body := map[string]any{"name": "Per Hansen"}
		if r := e.Do(apitest.Request{Method: "POST", Path: contacts, Body: body, As: member}); r.Status != 201 {
			t.Fatalf("before rule: %d %s", r.Status, r.Body)
		}
		rule := map[string]any{"role": "member", "object": "contacts", "action": "write", "effect": "deny"}
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/admin/rules", Body: rule, As: tenantAdmin}); r.Status != 201 {
			t.Fatalf("add rule: %d %s", r.Status, r.Body)
		}
		problem(t, e.Do(apitest.Request{Method: "POST", Path: contacts, Body: body, As: member}), 403, "forbidden")
		// Other tenants keep the default.
		rog := "/api/v1/tenants/rogaland/organizations/" + e.OrgID("rogaland", "jaeren-anlegg") + "/contacts"
		if r := e.Do(apitest.Request{Method: "POST", Path: rog, Body: body, As: "marit@jaeren-anlegg.no"}); r.Status != 201 {
			t.Fatalf("other tenant: %d %s", r.Status, r.Body)
		}
		// Bad rules are refused; the platform stays in charge of superadmins.
		for _, bad := range []map[string]any{
			{"role": "superadmin", "object": "directory", "action": "read", "effect": "deny"},
			{"role": "member", "object": "platform", "action": "admin", "effect": "allow"},
			{"role": "member", "object": "contacts", "action": "fly", "effect": "allow"},
			{"role": "member", "object": "contacts", "action": "write", "effect": "maybe"},
		} {
			problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/admin/rules", Body: bad, As: tenantAdmin}), 422, "validation")
		}
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/admin/rules", Body: rule, As: tenantAdmin}); r.Status != 204 {
			t.Fatalf("remove rule: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: contacts, Body: map[string]any{"name": "Pål Hansen"}, As: member}); r.Status != 201 {
			t.Fatalf("after removal: %d %s", r.Status, r.Body)
		}
		// The last tenant admin cannot be removed.
		problem(t, e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/admin/assignments", Body: map[string]any{"email": tenantAdmin, "role": "tenant_admin"}, As: tenantAdmin}), 409, "conflict")
	})
}

// TestTenantSettings: branding, domains and language take effect at once.
func TestTenantSettings(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		path := "/api/v1/tenants/baerum/admin/settings"
		r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: tenantAdmin, Body: map[string]any{
			"name": "Bærum og Asker ressursbank", "color_primary": "#123456", "default_locale": "nn", "domains": []string{"masser.asker.test"}}})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/", Host: "masser.asker.test"}); r.Status != 200 || !strings.Contains(string(r.Body), "Bærum og Asker ressursbank") || !strings.Contains(string(r.Body), `lang="nn"`) {
			t.Fatalf("new domain and language: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Path: "/organizations", Host: "masser.baerum.localhost"}); r.Status == 200 {
			t.Fatal("the removed domain still answers")
		}
		if r := e.Do(apitest.Request{Path: "/t/baerum/theme.css"}); !strings.Contains(string(r.Body), "#123456") {
			t.Fatalf("theme: %s", r.Body)
		}
		for name, body := range map[string]map[string]any{
			"bad colour":    {"color_primary": "red"},
			"bad locale":    {"default_locale": "sv"},
			"taken domain":  {"domains": []string{"rogaland.masseflyt.test"}},
			"bad domain":    {"domains": []string{"http://evil/"}},
			"empty name":    {"name": " "},
			"map in Sweden": {"center_lat": 59.33, "center_lon": 18.07},
			"zoom":          {"zoom": 40},
		} {
			if r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: tenantAdmin, Body: body}); r.Status != 422 && r.Status != 409 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		// Logo: sniffed, size-limited.
		problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: tenantAdmin, Body: []byte("GIF89a not really"), Header: map[string]string{"Content-Type": "image/png"}}), 415, "upload_type")
		problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: tenantAdmin, Body: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}), 415, "upload_type")
		problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: tenantAdmin, Body: append([]byte(png1x1), make([]byte, 300<<10)...)}), 413, "too_large")
		if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: tenantAdmin, Body: []byte(png1x1)}); r.Status != 200 {
			t.Fatalf("logo: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/logo"}); r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("logo type %q", r.Header.Get("Content-Type"))
		}
		// Platform: create a tenant; slug rules.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: platform, Body: map[string]any{"slug": "agder", "name": "Agder masseforum", "admin_email": member}})
		if r.Status != 201 {
			t.Fatalf("create tenant: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/agder/admin/settings", As: member}); r.Status != 200 {
			t.Fatalf("new tenant's admin: %d %s", r.Status, r.Body)
		}
		problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: platform, Body: map[string]any{"slug": "agder", "name": "Igjen"}}), 409, "conflict")
		problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: platform, Body: map[string]any{"slug": "Ågder!", "name": "x"}}), 422, "validation")
		problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: platform, Body: map[string]any{"slug": "admin", "name": "x"}}), 422, "validation")
	})
}
