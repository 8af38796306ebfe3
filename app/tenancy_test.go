package app_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/tenants"
)

// png1x1 is a valid one-pixel PNG (a logo).
const png1x1 = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"

// TestRoleRulesTakeEffect: a tenant admin's deny rule applies at once, only
// in that tenant.
func TestRoleRulesTakeEffect(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		contacts := "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "sandvika-bygg") + "/contacts"
		body := map[string]any{"name": "Per Hansen"}
		if r := e.Do(apitest.Request{Method: "POST", Path: contacts, Body: body, As: apitest.Member}); r.Status != 201 {
			t.Fatalf("before rule: %d %s", r.Status, r.Body)
		}
		rule := map[string]any{"role": "member", "object": "contacts", "action": "write", "effect": "deny"}
		if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/admin/rules", Body: rule, As: apitest.TenantAdmin}); r.Status != 201 {
			t.Fatalf("add rule: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: contacts, Body: body, As: apitest.Member}), 403, "forbidden")
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
			apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/admin/rules", Body: bad, As: apitest.TenantAdmin}), 422, "validation")
		}
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/admin/rules", Body: rule, As: apitest.TenantAdmin}); r.Status != 204 {
			t.Fatalf("remove rule: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Method: "POST", Path: contacts, Body: map[string]any{"name": "Pål Hansen"}, As: apitest.Member}); r.Status != 201 {
			t.Fatalf("after removal: %d %s", r.Status, r.Body)
		}
		// The last tenant admin cannot be removed.
		apitest.Problem(t, e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/admin/assignments", Body: map[string]any{"email": apitest.TenantAdmin, "role": "tenant_admin"}, As: apitest.TenantAdmin}), 409, "conflict")
	})
}

// TestTenantSettings: branding, domains and language take effect at once.
func TestTenantSettings(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		path := "/api/v1/tenants/baerum/admin/settings"
		r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: apitest.TenantAdmin, Body: map[string]any{
			"name": "Bærum og Asker ressursbank", "color_primary": "#123456", "default_locale": "nn", "domains": []string{"masser.asker.test"}}})
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		// A new domain takes effect once its DNS challenge is verified (H3).
		verifier := &tenants.OfflineVerifier{}
		e.App.Tenants.Verifier = verifier
		bid := e.Tenant("baerum").ID
		for _, c := range e.App.Tenants.Claims(bid) {
			verifier.Publish(c.Domain, c.Token)
		}
		if err := e.App.Tenants.VerifyDomain(e.Ctx("baerum"), bid, "masser.asker.test"); err != nil {
			t.Fatal(err)
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
			if r := e.Do(apitest.Request{Method: "PATCH", Path: path, As: apitest.TenantAdmin, Body: body}); r.Status != 422 && r.Status != 409 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		// Logo: sniffed, size-limited.
		apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: apitest.TenantAdmin, Body: []byte("GIF89a not really"), Header: map[string]string{"Content-Type": "image/png"}}), 415, "upload_type")
		apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: apitest.TenantAdmin, Body: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}), 415, "upload_type")
		apitest.Problem(t, e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: apitest.TenantAdmin, Body: append([]byte(png1x1), make([]byte, 300<<10)...)}), 413, "too_large")
		if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/tenants/baerum/admin/logo", As: apitest.TenantAdmin, Body: []byte(png1x1)}); r.Status != 200 {
			t.Fatalf("logo: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/logo"}); r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("logo type %q", r.Header.Get("Content-Type"))
		}
		// Platform: create a tenant; slug rules.
		r = e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: apitest.Platform, Body: map[string]any{"slug": "agder", "name": "Agder masseforum", "admin_email": apitest.Member}})
		if r.Status != 201 {
			t.Fatalf("create tenant: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/tenants/agder/admin/settings", As: apitest.Member}); r.Status != 200 {
			t.Fatalf("new tenant's admin: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: apitest.Platform, Body: map[string]any{"slug": "agder", "name": "Igjen"}}), 409, "conflict")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: apitest.Platform, Body: map[string]any{"slug": "Ågder!", "name": "x"}}), 422, "validation")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: "/api/v1/platform/tenants", As: apitest.Platform, Body: map[string]any{"slug": "admin", "name": "x"}}), 422, "validation")
	})
}
