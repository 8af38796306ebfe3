package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/tenants"
)

type settingsAnswer struct {
	Domains        []string `json:"domains"`
	PendingDomains []struct {
		Domain, Record, Token string
	} `json:"pending_domains"`
}

// TestDomainClaimsH3: a tenant admin cannot claim the platform's base
// domain, a name under it, the platform's public host, or another tenant's
// domain; a new domain waits for its DNS challenge and serves the region
// only once verified; on it the shared routes work and other regions'
// pages do not.
func TestDomainClaimsH3(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		settings := "/api/v1/tenants/baerum/admin/settings"
		verifier := &tenants.OfflineVerifier{}
		e.App.Tenants.Verifier = verifier
		e.App.Tenants.SetPublicURL("https://masseflyt.example.no")
		patch := func(domains ...string) *apitest.Response {
			return e.Do(apitest.Request{Method: "PATCH", Path: settings, As: apitest.TenantAdmin, Body: map[string]any{"domains": domains}, Header: sameSite})
		}

		// The platform's own: refused (the fixture's verified domain kept).
		for _, d := range []string{"masseflyt.test", "MASSEFLYT.TEST", "rogaland.masseflyt.test", "nyregion.masseflyt.test", "a.b.masseflyt.test", "masseflyt.example.no"} {
			p := apitest.Problem(t, patch("masser.baerum.localhost", d), 422, "validation")
			if !strings.Contains(string(mustJSON(p)), "platform") {
				t.Errorf("%s: refused, but not as the platform's own: %+v", d, p)
			}
		}
		// Another tenant's verified domain: refused.
		rog := *e.Tenant("rogaland")
		rog.Domains = []string{"masser.rogaland.test"}
		sys := e.Ctx("rogaland")
		if err := e.App.Tenants.Update(sys, &rog); err != nil {
			t.Fatal(err)
		}
		rogClaims := e.App.Tenants.Claims(rog.ID)
		if len(rogClaims) != 1 {
			t.Fatalf("rogaland's claims: %+v", rogClaims)
		}
		verifier.Publish("masser.rogaland.test", rogClaims[0].Token)
		if err := e.App.Tenants.VerifyDomain(sys, rog.ID, "masser.rogaland.test"); err != nil {
			t.Fatal(err)
		}
		apitest.Problem(t, patch("masser.baerum.localhost", "masser.rogaland.test"), 422, "validation")
		// The base domain still serves every region's widgets.
		if r := e.Do(apitest.Request{Path: "/widgets/v1/embed.js", Host: "masseflyt.test"}); r.Status != 200 {
			t.Fatalf("embed.js on the base domain: %d", r.Status)
		}

		// A new domain is pending until verified.
		r := patch("masser.baerum.localhost", "masser.asker.test")
		if r.Status != 200 {
			t.Fatalf("claim: %d %s", r.Status, r.Body)
		}
		var s settingsAnswer
		if err := json.Unmarshal(r.Body, &s); err != nil {
			t.Fatal(err)
		}
		if len(s.PendingDomains) != 1 || s.PendingDomains[0].Domain != "masser.asker.test" || s.PendingDomains[0].Record != "_masseflyt-challenge.masser.asker.test" || s.PendingDomains[0].Token == "" {
			t.Fatalf("pending domains: %+v", s.PendingDomains)
		}
		if strings.Join(s.Domains, ",") != "masser.baerum.localhost" {
			t.Fatalf("verified domains: %v", s.Domains)
		}
		token := s.PendingDomains[0].Token
		if r := e.Do(apitest.Request{Path: "/organizations", Host: "masser.asker.test"}); r.Status != 404 {
			t.Fatal("a pending domain serves the region")
		}
		// The admin page shows the challenge.
		if r := e.Do(apitest.Request{Path: "/t/baerum/admin", As: apitest.TenantAdmin}); r.Status != 200 || !strings.Contains(string(r.Body), token) || !strings.Contains(string(r.Body), "_masseflyt-challenge.masser.asker.test") {
			t.Fatalf("admin page without the challenge: %d", r.Status)
		}
		// Saving again keeps the claim and its token.
		if r := patch("masser.baerum.localhost", "masser.asker.test"); r.Status != 200 || !strings.Contains(string(r.Body), token) {
			t.Fatalf("resave: %d %s", r.Status, r.Body)
		}
		// Verification fails until the record is published.
		verify := "/api/v1/tenants/baerum/admin/domains/verify"
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: verify, As: apitest.TenantAdmin, Body: map[string]any{"domain": "masser.asker.test"}, Header: sameSite}), 409, "conflict")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: verify, As: apitest.TenantAdmin, Body: map[string]any{"domain": "unclaimed.test"}, Header: sameSite}), 404, "not_found")
		verifier.Publish("masser.asker.test", "someone else's token")
		apitest.Problem(t, e.Do(apitest.Request{Method: "POST", Path: verify, As: apitest.TenantAdmin, Body: map[string]any{"domain": "masser.asker.test"}, Header: sameSite}), 409, "conflict")
		verifier.Publish("masser.asker.test", token)
		// Through the UI form.
		if r := e.PostForm("/t/baerum/admin/domains/verify", apitest.TenantAdmin, url.Values{"domain": {"masser.asker.test"}}); r.Status != 303 {
			t.Fatalf("verify in the UI: %d %s", r.Status, r.Body)
		}
		if r := e.Do(apitest.Request{Path: settings, As: apitest.TenantAdmin}); !strings.Contains(string(r.Body), `"domains":["masser.asker.test","masser.baerum.localhost"]`) && !strings.Contains(string(r.Body), `"domains":["masser.baerum.localhost","masser.asker.test"]`) {
			t.Fatalf("after verification: %s", r.Body)
		}

		// On the verified domain: the region's pages and API, and the shared routes.
		host := "masser.asker.test"
		if r := e.Do(apitest.Request{Path: "/", Host: host}); r.Status != 200 || !strings.Contains(string(r.Body), "Bærum") {
			t.Fatalf("home on the verified domain: %d", r.Status)
		}
		if r := e.Do(apitest.Request{Path: "/api/v1/organizations?kind=quarry", Host: host}); r.Status != 200 || !strings.Contains(string(r.Body), "Vestmarka") {
			t.Fatalf("API on the verified domain: %d", r.Status)
		}
		for _, p := range []string{"/widgets/v1/embed.js", "/favicon.ico", "/lang/en", "/healthz", "/api/v1/openapi.json", "/t/baerum/organizations", "/api/v1/tenants/baerum/organizations"} {
			if r := e.Do(apitest.Request{Path: p, Host: host}); r.Status >= 400 {
				t.Errorf("shared route %s on a custom domain: %d", p, r.Status)
			}
		}
		// Another region's pages are not served there.
		for _, p := range []string{"/t/rogaland/", "/t/rogaland/organizations", "/api/v1/tenants/rogaland/organizations", "/t/rogaland"} {
			if r := e.Do(apitest.Request{Path: p, Host: host}); r.Status != 404 {
				t.Errorf("another region's %s on baerum's domain: %d, want 404", p, r.Status)
			}
		}
		// Nor on a region's subdomain.
		if r := e.Do(apitest.Request{Path: "/t/rogaland/organizations", Host: "baerum.masseflyt.test"}); r.Status != 404 {
			t.Errorf("another region's page on baerum's subdomain: %d", r.Status)
		}
		// A claim on the platform's host is never verified, whatever DNS says.
		verifier.Publish("masseflyt.test", "x")
		if err := e.App.Tenants.VerifyDomain(context.Background(), rog.ID, "masseflyt.test"); !errors.Is(err, tenants.ErrNoClaim) {
			t.Fatalf("verify an unclaimed platform host: %v", err)
		}
		// A platform domain stored before the rule (as the main domain was,
		// breaking every region's embed.js) is ignored by the registry.
		sysCtx := store.System(context.Background(), "test: a domain claimed before H3")
		for _, d := range []string{"masseflyt.test", "masseflyt.example.no", "trondelag.masseflyt.test"} {
			if err := e.App.DB.Tx(sysCtx, func(tx *gorm.DB) error { return tx.Create(&tenants.Domain{Domain: d, TenantID: rog.ID}).Error }); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.App.Tenants.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		if tn, ok := e.App.Tenants.ByHost("masseflyt.test"); ok {
			t.Fatalf("the base domain resolves to %s", tn.Slug)
		}
		if tn, ok := e.App.Tenants.ByHost("trondelag.masseflyt.test"); !ok || tn.Slug != "trondelag" {
			t.Fatalf("trondelag's subdomain resolves to %v", tn)
		}
		for _, host := range []string{"masseflyt.test", "masseflyt.example.no"} {
			if r := e.Do(apitest.Request{Path: "/widgets/v1/embed.js", Host: host}); r.Status != 200 {
				t.Fatalf("embed.js on %s: %d", host, r.Status)
			}
		}
	})
}

// sameSite marks the API writes as the UI's own (M10).
var sameSite = map[string]string{"Sec-Fetch-Site": "same-origin"}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
