// Package tests holds the cross-cutting suites: tenant resolution, API
// tokens, tenant isolation, the authorization matrix, the OpenAPI contract
// and the benchmarks. Every storage test runs on SQLite and on PostgreSQL.
// A feature's own API scenarios live beside its handlers (api/*_test.go).
package tests

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
)

func TestTenantResolution(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		p := apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/atlantis/organizations"}), 404, "unknown_tenant")
		if !strings.Contains(p.Title, "atlantis") {
			t.Fatalf("title %q should name the tenant", p.Title)
		}
		// Subdomain of the base domain and a custom domain resolve without the slug.
		for _, host := range []string{"baerum.masseflyt.test", "masser.baerum.localhost", "BAERUM.masseflyt.test:8080"} {
			r := e.Do(apitest.Request{Path: "/api/v1/organizations?kind=quarry", Host: host})
			if r.Status != 200 || !strings.Contains(string(r.Body), "Vestmarka") {
				t.Fatalf("host %s: %d %s", host, r.Status, r.Body)
			}
			r = e.Do(apitest.Request{Path: "/organizations", Host: host})
			if r.Status != 200 || !strings.Contains(string(r.Body), "Vestmarka") {
				t.Fatalf("UI on host %s: %d", host, r.Status)
			}
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/organizations", Host: "ukjent.masseflyt.test"}), 404, "not_found")
		// The UI answers an unknown tenant with a localized page.
		r := e.Do(apitest.Request{Path: "/t/atlantis/"})
		if r.Status != 404 || !strings.Contains(string(r.Body), "Regionen «atlantis» finnes ikke") {
			t.Fatalf("UI unknown tenant: %d %s", r.Status, r.Body)
		}
	})
}

func TestLocalizedErrors(t *testing.T) {
	e := apitest.New(t, "sqlite")
	for lang, want := range map[string]string{"nb": "finnes ikke", "nn": "finst ikkje", "en": "does not exist"} {
		r := e.Do(apitest.Request{Path: "/api/v1/tenants/nowhere/", Header: map[string]string{"Accept-Language": lang}})
		p := apitest.Problem(t, r, 404, "unknown_tenant")
		if !strings.Contains(p.Title, want) || r.Header.Get("Content-Language") != lang {
			t.Errorf("%s: %q (%s)", lang, p.Title, r.Header.Get("Content-Language"))
		}
	}
}

func TestTokens(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		// Create through the API: shown once, stored hashed.
		r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/tokens", Body: map[string]any{"name": "ERP", "scopes": []string{"read"}, "expires_in_days": 30}, As: orgAdmin})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var created struct {
			Secret string
			Token  struct{ ID string }
		}
		r.JSON(t, &created)
		if !strings.HasPrefix(created.Secret, "mft_") || e.Count("baerum", "api_tokens", "token_hash = ?", created.Secret) != 0 {
			t.Fatal("token must be stored hashed only")
		}
		list := e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/tokens", As: orgAdmin})
		if strings.Contains(string(list.Body), created.Secret) || strings.Contains(string(list.Body), "token_hash") {
			t.Fatal("token list leaks the secret")
		}
		// Read scope reads but cannot write.
		r = e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "fornebu-anlegg") + "/contacts", Token: created.Secret})
		if r.Status != 200 {
			t.Fatalf("read with token: %d %s", r.Status, r.Body)
		}
		apitest.Problem(t, e.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/tenants/baerum/organizations/" + e.OrgID("baerum", "fornebu-anlegg"), Body: map[string]any{"description": "x"}, Token: created.Secret}), 403, "token_scope")
		// Used on another tenant.
		// Another region does not know the token: it is looked up by the
		// request's region and the hash only (issue 17).
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/rogaland/organizations", Token: created.Secret}), 401, "token_invalid")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/organizations", Host: "rogaland.masseflyt.test", Token: created.Secret}), 401, "token_invalid")
		// Tokens never administer, even a tenant admin's.
		admTok := e.Token("baerum", tenantAdmin, "read", "write")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/admin/settings", Token: admTok}), 403, "token_admin")
		// Garbage, revoked and expired tokens.
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations", Token: "mft_nope"}), 401, "token_invalid")
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations", Header: map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}}), 401, "token_invalid")
		if r := e.Do(apitest.Request{Method: "DELETE", Path: "/api/v1/tenants/baerum/tokens/" + created.Token.ID, As: orgAdmin}); r.Status != 204 {
			t.Fatalf("revoke: %d", r.Status)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations", Token: created.Secret}), 401, "token_revoked")
		expired := e.Token("baerum", orgAdmin, "read")
		if err := e.App.DB.Tx(e.Ctx("baerum"), func(tx *gorm.DB) error {
			return tx.Table("api_tokens").Where("token_hash = ?", auth.HashToken(expired)).Update("expires_at", apitest.Now().Add(-time.Hour)).Error
		}); err != nil {
			t.Fatal(err)
		}
		apitest.Problem(t, e.Do(apitest.Request{Path: "/api/v1/tenants/baerum/organizations", Token: expired}), 401, "token_expired")
		// Bad token input.
		for name, body := range map[string]any{
			"no name":      map[string]any{"scopes": []string{"read"}},
			"bad scope":    map[string]any{"name": "x", "scopes": []string{"root"}},
			"forever":      map[string]any{"name": "x", "scopes": []string{"read"}, "expires_in_days": 100000},
			"negative ttl": map[string]any{"name": "x", "scopes": []string{"read"}, "expires_in_days": -1},
		} {
			if r := e.Do(apitest.Request{Method: "POST", Path: "/api/v1/tenants/baerum/tokens", Body: body, As: orgAdmin}); r.Status != 422 {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
	})
}
